import Foundation
import Hummingbird
import NIOCore

/// Refuses any state-changing request whose CSRF token does not match the session (or the
/// anonymous visitor's cookie), and any whose Origin is another site. API-token requests carry no
/// cookie and are exempt. The url-encoded form is read here once and handed on in the context.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let secrets: Secrets
    let views: ViewRenderer
    /// `host[:port]` of the portal's public address (base_url): behind a reverse proxy that
    /// rewrites Host, the browser's Origin names this one.
    let publicHost: String?

    init(secrets: Secrets, views: ViewRenderer, baseURL: String) {
        self.secrets = secrets
        self.views = views
        self.publicHost = URL(string: baseURL).flatMap(Self.hostAndPort)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        if isFormBody(request) {
            let buffer = try await request.body.collectLimited(upTo: 1_048_576)
            context.form = FormData(encoded: String(buffer: buffer))
            request.body = .init(buffer: buffer)
        }
        guard [.post, .put, .patch, .delete].contains(request.method), context.authMethod != .apiToken else {
            return try await next(request, context)
        }
        let submitted = request.headers[.init("X-CSRF-Token")!] ?? context.form?["_csrf"] ?? request.query["_csrf"]
        guard originAllowed(request), let binding = context.csrfBinding, let token = submitted,
              secrets.verifyCSRF(token, for: binding) else {
            context.logger.notice("refused a request without a valid CSRF token", metadata: ["path": "\(request.uri.path)"])
            if request.uri.path.hasPrefix("/api/") {
                return APIError.response(.forbidden, code: "csrf", message: "Missing or invalid CSRF token (send X-CSRF-Token).")
            }
            return views.error(.forbidden, messageKey: "error_csrf", context: context)
        }
        return try await next(request, context)
    }

    private func isFormBody(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    /// A browser's Origin (when sent) must be this very host (or the public address): a cross-site
    /// form post is refused even before its token is looked at.
    private func originAllowed(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], origin != "null" else { return request.headers[.origin] == nil }
        guard let url = URL(string: origin), let originHost = Self.hostAndPort(url) else { return false }
        return originHost == request.head.authority?.lowercased() || originHost == publicHost
    }

    private static func hostAndPort(_ url: URL) -> String? {
        guard let host = url.host, !host.isEmpty else { return nil }
        return (url.port.map { "\(host):\($0)" } ?? host).lowercased()
    }
}
