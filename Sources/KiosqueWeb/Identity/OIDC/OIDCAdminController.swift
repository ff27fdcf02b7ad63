import Foundation
import Hummingbird
import KiosqueIdentity
import KiosqueStoreContract

/// Administrators bind an account to an OpenID identity (provider and `sub`) or undo it: the only way
/// an existing account, local or not, comes to be reached through a provider (never by e-mail alone).
struct OIDCAdminController {
    let store: any PortalStore
    let views: ViewRenderer
    let providers: [OIDCProviderSettings]

    func register(on admins: RouterGroup<AppRequestContext>) {
        admins.get("/admin/utilisateurs/:id/oidc", use: page)
        admins.post("/admin/utilisateurs/:id/oidc/lier", use: link)
        admins.post("/admin/utilisateurs/:id/oidc/delier", use: unlink)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let user = try await store.user(id: id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        return try await page(user, context: context)
    }

    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let user = try await store.user(id: id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let form = context.form ?? FormData(encoded: "")
        guard let provider = form.trimmed("provider"), providers.contains(where: { $0.id == provider }),
              let subject = form.trimmed("subject"), !subject.isEmpty, subject.count <= 255 else {
            return try await page(user, context: context, extra: ["error": views.text("error_bad_request", context)], status: .badRequest)
        }
        do {
            try await store.linkOIDCIdentity(provider: provider, subject: subject, userID: user.id, email: nil)
        } catch {
            guard case .conflict = error else { throw error }
            return try await page(user, context: context, extra: ["error": views.text("oidc_admin_taken", context)], status: .conflict)
        }
        try? await store.recordSignIn(SignInEvent(method: "oidc_link", provider: provider, login: user.login, userID: user.id,
                                                  address: context.clientAddress, success: true,
                                                  reason: "bound by \(context.agent?.login ?? "?")"))
        return .seeOther("/admin/utilisateurs/\(user.id)/oidc")
    }

    @Sendable func unlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let user = try await store.user(id: id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let form = context.form ?? FormData(encoded: "")
        guard let provider = form.trimmed("provider") else {
            return try await page(user, context: context, extra: ["error": views.text("error_bad_request", context)], status: .badRequest)
        }
        if try await store.unlinkOIDCIdentity(provider: provider, userID: user.id) {
            try? await store.recordSignIn(SignInEvent(method: "oidc_unlink", provider: provider, login: user.login, userID: user.id,
                                                      address: context.clientAddress, success: true,
                                                      reason: "unbound by \(context.agent?.login ?? "?")"))
        }
        return .seeOther("/admin/utilisateurs/\(user.id)/oidc")
    }

    private func page(_ user: UserAccount, context: AppRequestContext, extra: [String: Any] = [:],
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let identities = try await store.oidcIdentities(userID: user.id)
        let titles = Dictionary(providers.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var data: [String: Any] = [
            "user_id": user.id, "user_login": user.login, "user_name": user.name,
            "identities": identities.map { identity -> [String: Any] in
                var row: [String: Any] = ["provider": identity.provider, "title": titles[identity.provider] ?? identity.provider,
                                          "subject": identity.subject]
                if let email = identity.email { row["email"] = email }
                if let last = identity.lastSignInAt { row["last"] = views.dates.format(last, language: context.language) }
                return row
            },
            "providers": providers.filter { p in !identities.contains { $0.provider == p.id } }.map { ["id": $0.id, "title": $0.title] },
        ]
        if identities.isEmpty { data["none"] = true }
        if providers.contains(where: { p in !identities.contains { $0.provider == p.id } }) { data["can_link"] = true }
        data.merge(extra) { _, b in b }
        return views.page("admin-oidc", data, context: context, navigation: "admin", status: status)
    }
}
