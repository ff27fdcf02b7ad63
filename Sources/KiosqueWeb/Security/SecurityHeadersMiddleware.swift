import Hummingbird

/// Hardening headers on every response: a Content-Security-Policy without inline script,
/// no MIME sniffing, no framing, no referrer leaking intranet addresses.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String
    /// Whether the portal is served over https (its base URL): browsers are then told to keep to https.
    let strictTransportSecurity: Bool

    /// `frameHosts` are the video hosts whose iframes articles may keep; with `proxiedImages` (media.mode: proxy)
    /// pictures come only from the portal itself, so browsers contact no outside site to show a page.
    init(frameHosts: [String], strictTransportSecurity: Bool = false, proxiedImages: Bool = false) {
        self.strictTransportSecurity = strictTransportSecurity
        let frames = frameHosts.isEmpty ? "'none'" : frameHosts.map { "https://\($0)" }.joined(separator: " ")
        contentSecurityPolicy = [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", proxiedImages ? "img-src 'self' data:" : "img-src 'self' https: http: data:",
            "media-src 'self' https: http:", "font-src 'self'", "connect-src 'self'", "object-src 'none'",
            "frame-src \(frames)", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'",
        ].joined(separator: "; ")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        apply(to: &response.headers)
        return response
    }

    func apply(to headers: inout HTTPFields) {
        // A page that sets its own policy (the e-mail preview, stricter but for inline styles) keeps it.
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = contentSecurityPolicy }
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        // Other sites may not load the portal's pages, files or API answers as images, scripts or media.
        headers[.init("Cross-Origin-Resource-Policy")!] = "same-origin"
        if strictTransportSecurity { headers[.init("Strict-Transport-Security")!] = "max-age=31536000" }
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}
