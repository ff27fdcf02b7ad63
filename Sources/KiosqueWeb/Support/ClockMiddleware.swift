import Foundation
import Hummingbird

/// Reads the server's clock once per request into `context.now`: every page and answer of that
/// request says what was published, scheduled or expired at the same instant, and tests that move
/// the clock (`WebServer.Options.now`) move it for the whole web layer and its caches.
struct ClockMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.now = now()
        return try await next(request, context)
    }
}
