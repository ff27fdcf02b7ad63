import Foundation
import Hummingbird
import KiosqueStoreContract

/// The agent's account: preferences, password, personal API token, sign-out everywhere.
struct AccountController {
    let store: any PortalStore
    let views: ViewRenderer
    let sessions: SessionStore
    let passwords: PasswordHasher
    /// The sign-in form's throttle: the current password asked here is no way around it.
    let throttle: LoginThrottle
    let secureCookies: Bool
    let baseURL: String

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/compte", use: account)
        group.post("/compte/preferences", use: preferences)
        group.post("/compte/presentation", use: layout)
        group.post("/compte/mot-de-passe", use: password)
        group.post("/compte/jeton", use: token)
        group.post("/compte/flux-prive", use: privateFeed)
        group.post("/compte/deconnexion-partout", use: signOutEverywhere)
        group.post("/compte/images", use: pictures)
    }

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Back from /compte/resume with nothing new to show.
        var extra: [String: Any] = request.query["resume"] == "vide" ? ["flash": views.text("digest_preview_empty", context)] : [:]
        if request.query["images"] == "ok" { extra["flash"] = views.text("account_pictures_saved", context) }
        if let agent = context.agent, try await store.hidesPictures(userID: agent.id) { extra["hide_pictures"] = true }
        return page(context: context, extra: extra)
    }

    private func page(context: AppRequestContext, extra: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        var data = extra
        data["lang_\(agent.language)"] = true
        data["layout_grouped"] = agent.homeLayout != "river"
        data["digest_\(agent.digestFrequency == "never" ? "none" : agent.digestFrequency)"] = true
        data["local_account"] = agent.passwordHash != nil
        return views.page("account", data, context: context, navigation: "account", status: status)
    }

    @Sendable func preferences(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent, let form = context.form else { return .seeOther("/connexion") }
        var update = UserUpdate()
        if let language = form["language"], Localizer.supported.contains(language) { update.language = language }
        if let layout = form["layout"] { update.homeLayout = layout == "river" ? "river" : "channels" }
        if let digest = form["digest"] { update.digestFrequency = ["daily", "weekly"].contains(digest) ? digest : "never" }
        let updated = try await store.updateUser(id: agent.id, update)
        var context = context
        context.agent = updated
        context.language = updated.language
        return page(context: context, extra: ["flash": views.text("saved", context)])
    }

    @Sendable func layout(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        var update = UserUpdate()
        update.homeLayout = context.form?["layout"] == "river" ? "river" : "channels"
        _ = try await store.updateUser(id: agent.id, update)
        return .seeOther("/")
    }

    @Sendable func password(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent, let form = context.form else { return .seeOther("/connexion") }
        guard await throttle.allows(account: agent.login, address: context.clientAddress) else {
            var response = page(context: context, extra: ["error": views.text("login_throttled", context)], status: .tooManyRequests)
            response.headers[.retryAfter] = String(await throttle.retryAfter(account: agent.login, address: context.clientAddress))
            return response
        }
        guard let hash = agent.passwordHash, await passwords.verify(form["current"] ?? "", hash: hash) else {
            if agent.passwordHash != nil { await throttle.recordFailure(account: agent.login, address: context.clientAddress) }
            return page(context: context, extra: ["error": views.text("password_wrong", context)], status: .badRequest)
        }
        let new = form["new"] ?? ""
        guard new.count >= 12 else {
            return page(context: context, extra: ["error": views.text("password_too_short", context)], status: .badRequest)
        }
        guard new == form["confirm"] else {
            return page(context: context, extra: ["error": views.text("password_mismatch", context)], status: .badRequest)
        }
        var update = UserUpdate()
        update.passwordHash = .some(await passwords.hash(new))
        _ = try await store.updateUser(id: agent.id, update)
        // Other sessions end with the old password; this one goes on under a new token.
        try await sessions.endAll(userID: agent.id)
        let token = try await sessions.create(userID: agent.id)
        var context = context
        context.sessionToken = token
        context.csrfBinding = token
        var response = page(context: context, extra: ["flash": views.text("password_changed", context)])
        response.setCookie(WebCookies.sessionCookie(token, secure: secureCookies))
        return response
    }

    @Sendable func token(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renewSecret(context) { $0.apiTokenHash = .some($1) } shown: { ["new_token": $0] }
    }

    /// A new address for the agent's private Atom feed, shown in this answer only: never in a URL
    /// (history, proxy logs) nor in a page a link could forge.
    @Sendable func privateFeed(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renewSecret(context) { $0.atomToken = .some($1) } shown: { ["feed_url": baseURL + "/flux/agents/\($0).atom"] }
    }

    /// Replaces one of the agent's secrets (the store keeps its hash) and shows the new one once.
    private func renewSecret(_ context: AppRequestContext, _ set: (inout UserUpdate, String) -> Void,
                             shown: (String) -> [String: Any]) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let secret = Secrets.randomToken()
        var update = UserUpdate()
        set(&update, Secrets.hash(secret))
        _ = try await store.updateUser(id: agent.id, update)
        return page(context: context, extra: shown(secret))
    }

    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        try await sessions.endAll(userID: agent.id)
        var response = Response.seeOther("/connexion")
        response.setCookie(WebCookies.expired(WebCookies.session, secure: secureCookies))
        return response
    }
}
