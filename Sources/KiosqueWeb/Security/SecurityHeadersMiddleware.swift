import Hummingbird

/// Hardening headers on every response: a Content-Security-Policy without inline script,
/// no MIME sniffing, no framing, no referrer leaking intranet addresses.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String

    /// `frameHosts` are the video hosts whose iframes articles may keep.
    init(frameHosts: [String]) {
        let frames = frameHosts.isEmpty ? "'none'" : frameHosts.map { "https://\($0)" }.joined(separator: " ")
        contentSecurityPolicy = [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: http: data:",
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
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "same-origin"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}
