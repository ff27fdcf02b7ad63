import Foundation
import Hummingbird

/// Guards the agents' pages: without a signed-in agent a page redirects to the sign-in form
/// (keeping where the agent was going); an API route answers 401.
struct RequireAgentMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.agent == nil else { return try await next(request, context) }
        if request.uri.path.hasPrefix("/api/") {
            return APIError.response(.unauthorized, code: "unauthenticated", message: "Sign in or send Authorization: Bearer <token>.")
        }
        guard request.method == .get || request.method == .head else {
            return .seeOther("/connexion")
        }
        let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        return .seeOther("/connexion?retour=" + FormData.percentEncode(target))
    }
}

/// Guards administration: signed-in non-admins get 403.
struct RequireAdminMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: ViewRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let agent = context.agent else { return try await RequireAgentMiddleware().handle(request, context: context, next: next) }
        guard agent.isAdmin else {
            if request.uri.path.hasPrefix("/api/") {
                return APIError.response(.forbidden, code: "forbidden", message: "Administrators only.")
            }
            return views.error(.forbidden, messageKey: "error_forbidden", context: context)
        }
        return try await next(request, context)
    }
}
