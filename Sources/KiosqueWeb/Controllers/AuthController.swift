import Foundation
import Hummingbird
import HummingbirdBcrypt
import KiosqueStoreContract
import NIOPosix

/// Sign-in and sign-out. Failures say the same thing whether the login exists or not, take the
/// same time, and are throttled per account and per address.
struct AuthController {
    let store: any PortalStore
    let sessions: SessionStore
    let views: ViewRenderer
    let throttle: LoginThrottle
    let passwords: PasswordHasher
    let localAccounts: Bool
    let secureCookies: Bool
    /// The organisation's directory (`auth.ldap`), tried for logins that have no local password.
    var directory: DirectoryAccounts? = nil
    /// The second factor's policy (`auth.two_factor`): after a right password, a second step or an enrolment may come first.
    var twoFactor: TwoFactorGate? = nil
    /// The OpenID providers (`auth.oidc`): their buttons on the sign-in page, their logout.
    var oidc: OIDCSignIn? = nil

    func register(on router: Router<AppRequestContext>) {
        router.get("/connexion", use: form)
        router.post("/connexion", use: signIn)
        router.post("/deconnexion", use: signOut)
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.agent != nil { return .seeOther(localPath(request.query["retour"])) }
        return loginPage(context: context, returnTo: request.query["retour"], login: "", error: nil)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form ?? FormData(encoded: "")
        let login = form.trimmed("login") ?? ""
        let password = form["password"] ?? ""
        let returnTo = form["retour"]
        guard localAccounts || directory != nil else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        guard await throttle.allows(account: login, address: context.clientAddress) else {
            await audit("local", login: login, context: context, failure: "throttled")
            var response = loginPage(context: context, returnTo: returnTo, login: login, error: "login_throttled", status: .tooManyRequests)
            response.headers[.retryAfter] = String(await throttle.retryAfter(account: login, address: context.clientAddress))
            return response
        }
        let account = login.isEmpty ? nil : try await store.user(login: login)
        // With a directory, local passwords serve only where local accounts are allowed, and for
        // administrators (the first one may stay local, or nobody could fix a broken directory).
        if let directory, account?.passwordHash == nil || (!localAccounts && account?.isAdmin != true) {
            return try await directorySignIn(directory, login: login, password: password, returnTo: returnTo, context: context)
        }
        // Verify against a dummy hash when the login is unknown, so timing reveals nothing.
        let verified = await passwords.verify(password, hash: account?.passwordHash ?? passwords.dummyHash)
        guard let agent = account, verified, agent.passwordHash != nil, !agent.isDisabled else {
            await audit("local", login: login, userID: account?.id, context: context,
                        failure: account == nil ? "unknown login" : account?.isDisabled == true && verified ? "account disabled" : "wrong password")
            return try await failed(login: login, returnTo: returnTo, context: context)
        }
        await audit("local", login: login, userID: agent.id, context: context)
        return try await signedIn(agent, login: login, returnTo: returnTo, context: context)
    }

    /// The directory's answer for a login without a local password: a session, or the same
    /// refusal as a wrong password (a directory that cannot be reached is said so: it tells
    /// nothing about the account).
    private func directorySignIn(_ directory: DirectoryAccounts, login: String, password: String, returnTo: String?,
                                 context: AppRequestContext) async throws -> Response {
        switch try await directory.signIn(login: login, password: password) {
        case .success(let agent):
            await audit("directory", login: login, userID: agent.id, context: context)
            return try await signedIn(agent, login: login, returnTo: returnTo, context: context, method: "directory")
        case .failure(let refusal):
            var userID: Int64?
            if case .disabledHere(let agent) = refusal { userID = agent.id }
            await audit("directory", login: login, userID: userID, context: context, failure: refusal.reason)
            if case .directory(.unreachable) = refusal {
                return loginPage(context: context, returnTo: returnTo, login: login, error: "login_directory_unavailable",
                                 status: .serviceUnavailable)
            }
            // A local account's refusal costs a bcrypt check: so does this one, or timing would tell them apart.
            if localAccounts { _ = await passwords.verify(password, hash: passwords.dummyHash) }
            return try await failed(login: login, returnTo: returnTo, context: context)
        }
    }

    private func failed(login: String, returnTo: String?, context: AppRequestContext) async throws -> Response {
        await throttle.recordFailure(account: login, address: context.clientAddress)
        try? await store.recordLoginFailure(account: login, address: context.clientAddress)
        return loginPage(context: context, returnTo: returnTo, login: login, error: "login_failed", status: .unauthorized)
    }

    /// One line of the sign-in audit log (never fails the sign-in itself).
    private func audit(_ method: String, login: String, userID: Int64? = nil, context: AppRequestContext, failure: String? = nil) async {
        try? await store.recordSignIn(SignInEvent(method: method, login: login, userID: userID, address: context.clientAddress,
                                                  success: failure == nil, reason: failure))
    }

    private func signedIn(_ agent: UserAccount, login: String, returnTo: String?, context: AppRequestContext,
                          method: String = "local") async throws -> Response {
        await throttle.recordSuccess(account: login)
        if let twoFactor, let secondStep = try await twoFactor.pendingStep(for: agent, method: method, returnTo: returnTo, context: context) {
            return secondStep  // no session until the second step is answered
        }
        let response = try await sessions.signedIn(userID: agent.id, replacing: context.sessionToken, location: localPath(returnTo),
                                                   secureCookies: secureCookies)
        try await store.touchUser(id: agent.id)
        try? await store.logActivity(action: "login", userID: agent.id, address: context.clientAddress)
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        var location = "/connexion"
        if let token = context.sessionToken {
            // Signed in with an OpenID provider: its end_session_endpoint too, with the id_token as hint.
            if let oidc, let link = try? await sessions.resumeWithAgent(token: token)?.record.oidc,
               let providerLogout = await oidc.logoutLocation(link) {
                location = providerLogout
            }
            try await sessions.end(token: token)
        }
        var response = Response.seeOther(location)
        response.setCookie(WebCookies.expired(WebCookies.session, secure: secureCookies))
        return response
    }

    private func loginPage(context: AppRequestContext, returnTo: String?, login: String, error: String?,
                           status: HTTPResponse.Status = .ok) -> Response {
        var context = context
        if context.csrfBinding == nil { context.newAnonymousBinding = Secrets.randomToken() }
        var data: [String: Any] = ["login": login, "return_to": localPath(returnTo)]
        if let error { data["error"] = views.text(error, context) }
        if let oidc { data.merge(oidc.loginPageData(context: context, returnTo: returnTo)) { a, _ in a } }
        if localAccounts || directory != nil || oidc == nil { data["password_form"] = true }
        return views.page("login", data, context: context, status: status)
    }
}

/// bcrypt hashing off the event loop (a hash costs tens of milliseconds by design).
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A valid hash of a random secret at this cost, verified against when the login is unknown,
    /// so that an unknown login takes as long as a wrong password.
    let dummyHash: String

    /// The portal's cost (11) uses a hash computed once; another cost (the tests' minimum) computes its own.
    init(cost: UInt8) {
        self.cost = cost
        self.dummyHash = cost == 11 ? Self.costElevenDummy : Bcrypt.hash(Secrets.randomToken(), cost: cost)
    }

    private static let costElevenDummy = "$2b$11$C6UzMDM.H6dfI/f/IKxGhu7cqgdY2z0kUJGcXcD5Ltfe3fLbOqrBa"

    func hash(_ password: String) async -> String {
        await run { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async -> Bool {
        await run { Bcrypt.verify(password, hash: hash) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            NIOThreadPool.singleton.submit { _ in continuation.resume(returning: work()) }
        }
    }
}
