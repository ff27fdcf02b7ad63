import Crypto
import Foundation
import Hummingbird
import KiosqueIdentity
import KiosqueModel
import KiosqueStoreContract

/// Sign-in with the configured OpenID providers: the button's route sends the browser to the provider,
/// the callback checks everything (see `OIDCClient`), then binds or creates the account, applies the
/// two-factor policy (unless the provider already checked a second factor) and opens the session, which
/// keeps the id_token for the provider's logout. Every outcome goes to the sign-in log.
struct OIDCSignIn: Sendable {
    let clients: [String: OIDCClient]
    /// The providers in channels.yml order, for the sign-in page.
    let providers: [OIDCProviderSettings]
    let accounts: OIDCAccounts
    let store: any PortalStore
    let sessions: SessionStore
    let views: ViewRenderer
    let gate: TwoFactorGate?
    let pendingKey: SymmetricKey
    let baseURL: String
    let secureCookies: Bool
    /// Whether the sign-in page also shows the password form (local accounts or the directory).
    var passwordForm = true

    init(providers: [OIDCProviderSettings], transport: any OIDCTransport, accounts: OIDCAccounts, store: any PortalStore, sessions: SessionStore,
         views: ViewRenderer, gate: TwoFactorGate?, pendingKey: SymmetricKey, baseURL: String, secureCookies: Bool) {
        self.providers = providers
        self.clients = Dictionary(providers.map { ($0.id, OIDCClient(settings: $0, transport: transport)) }, uniquingKeysWith: { a, _ in a })
        self.accounts = accounts
        self.store = store
        self.sessions = sessions
        self.views = views
        self.gate = gate
        self.pendingKey = pendingKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.secureCookies = secureCookies
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/connexion/oidc/:provider", use: start)
        router.get("/connexion/oidc/:provider/retour", use: callback)
    }

    /// The redirect URI registered at the provider.
    func redirectURI(_ provider: String) -> String { baseURL + OIDCRoutes.callbackPath(provider) }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("provider"), let client = clients[id] else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let returnTo = localPath(request.query["retour"])
        do {
            let (url, pending) = try await client.authorization(redirectURI: redirectURI(id))
            let cookie = try OIDCPendingCookie(provider: id, pending: pending, returnTo: returnTo).sealed(key: pendingKey)
            var response = Response.seeOther(url)
            response.setCookie(OIDCPendingCookie.cookie(cookie, provider: id, secure: secureCookies))
            return response
        } catch {
            await audit(id, login: "", context: context, failure: (error as? OIDCError)?.reason ?? "\(error)")
            return failurePage(context: context, returnTo: returnTo, status: .badGateway, key: "login_oidc_unavailable")
        }
    }

    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("provider"), let client = clients[id] else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let opened = request.cookies[OIDCPendingCookie.name].flatMap { OIDCPendingCookie.opened($0.value, key: pendingKey) }
        var response = try await finish(request, provider: id, client: client, pending: opened, context: context)
        response.setCookie(OIDCPendingCookie.expired(provider: id, secure: secureCookies))  // one use, whatever happened
        return response
    }

    private func finish(_ request: Request, provider id: String, client: OIDCClient, pending cookie: OIDCPendingCookie?,
                        context: AppRequestContext) async throws -> Response {
        let returnTo = cookie?.returnTo ?? "/"
        if let error = request.query["error"] {
            await audit(id, login: "", context: context, failure: "provider answered \(error.prefix(80))")
            return failurePage(context: context, returnTo: returnTo, status: .unauthorized, key: "login_oidc_failed")
        }
        guard let cookie, cookie.provider == id else {
            await audit(id, login: "", context: context, failure: "no sign-in under way in this browser (expired, or started elsewhere)")
            return failurePage(context: context, returnTo: "/", status: .badRequest, key: "login_oidc_expired")
        }
        guard let state = request.query["state"], ConstantTime.equals(state, cookie.pending.state) else {
            await audit(id, login: "", context: context, failure: "state mismatch")
            return failurePage(context: context, returnTo: returnTo, status: .badRequest, key: "login_oidc_failed")
        }
        guard let code = request.query["code"], !code.isEmpty else {
            await audit(id, login: "", context: context, failure: "no code in the answer")
            return failurePage(context: context, returnTo: returnTo, status: .badRequest, key: "login_oidc_failed")
        }
        let person: OIDCPerson
        switch await client.completion(code: code, redirectURI: redirectURI(id), pending: cookie.pending) {
        case .success(let found):
            person = found
        case .failure(let error):
            await audit(id, login: "", context: context, failure: error.reason)
            let weaker = if case .weakerLevel = error { true } else { false }
            return failurePage(context: context, returnTo: returnTo, status: weaker ? .forbidden : .unauthorized,
                               key: weaker ? "login_oidc_level" : "login_oidc_failed")
        }
        let outcome = try await accounts.account(for: person, provider: id, groupsClaimed: client.settings.claims.groups != nil)
        guard case .signedIn(let agent, let created) = outcome else {
            if case .disabled(let account) = outcome {
                await audit(id, login: account.login, userID: account.id, context: context, failure: "account disabled")
            }
            return failurePage(context: context, returnTo: returnTo, status: .forbidden, key: "login_failed")
        }
        await audit(id, login: agent.login, userID: agent.id, context: context,
                    note: created ? "account created" : person.multiFactor ? "multi-factor at the provider" : nil)
        let link = OIDCSessionLink(provider: id, idToken: person.idToken)
        if !person.multiFactor, let gate,
           let secondStep = try await gate.pendingStep(for: agent, method: "oidc", returnTo: returnTo, context: context, oidc: link) {
            return secondStep
        }
        let response = try await sessions.signedIn(userID: agent.id, replacing: context.sessionToken, location: localPath(returnTo),
                                                   secureCookies: secureCookies, oidc: link)
        try await store.touchUser(id: agent.id)
        try? await store.logActivity(action: "login", userID: agent.id, address: context.clientAddress)
        return response
    }

    /// Where the browser goes to sign out of the provider too (nil: the portal's own sign-in page).
    func logoutLocation(_ link: OIDCSessionLink) async -> String? {
        guard let client = clients[link.provider] else { return nil }
        return await client.logoutURL(idToken: link.idToken, postLogoutRedirectURI: baseURL + "/connexion")
    }

    private func audit(_ provider: String, login: String, userID: Int64? = nil, context: AppRequestContext, failure: String? = nil,
                       note: String? = nil) async {
        try? await store.recordSignIn(SignInEvent(method: "oidc", provider: provider, login: login, userID: userID,
                                                  address: context.clientAddress, success: failure == nil, reason: failure ?? note))
    }

    private func failurePage(context: AppRequestContext, returnTo: String, status: HTTPResponse.Status, key: String) -> Response {
        var context = context
        if context.csrfBinding == nil { context.newAnonymousBinding = Secrets.randomToken() }
        var data: [String: Any] = ["login": "", "return_to": localPath(returnTo), "error": views.text(key, context)]
        data.merge(loginPageData(context: context, returnTo: returnTo)) { a, _ in a }
        return views.page("login", data, context: context, status: status)
    }

    /// The sign-in page's provider buttons (ProConnect's drawn per its guidelines).
    func loginPageData(context: AppRequestContext, returnTo: String?) -> [String: Any] {
        guard !providers.isEmpty else { return [:] }
        let back = localPath(returnTo)
        let buttons: [[String: Any]] = providers.map { provider in
            var button: [String: Any] = ["id": provider.id, "title": provider.title, "action": OIDCRoutes.startPath(provider.id)]
            if back != "/" { button["retour"] = back }
            if provider.isProConnect { button["proconnect"] = true }
            return button
        }
        var data: [String: Any] = ["oidc_providers": buttons, "has_oidc": true]
        if passwordForm { data["password_form"] = true }
        return data
    }
}
