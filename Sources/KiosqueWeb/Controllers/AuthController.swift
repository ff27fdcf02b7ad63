import Foundation
import Hummingbird
import HummingbirdBcrypt
import KiosqueStore
import NIOPosix

/// Sign-in and sign-out. Failures say the same thing whether the login exists or not, take the
/// same time, and are throttled per account and per address.
struct AuthController {
    let store: AppDatabase
    let sessions: SessionStore
    let views: ViewRenderer
    let throttle: LoginThrottle
    let passwords: PasswordHasher
    let localAccounts: Bool
    let secureCookies: Bool

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
        guard localAccounts else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        guard await throttle.allows(account: login, address: context.clientAddress) else {
            var response = loginPage(context: context, returnTo: returnTo, login: login, error: "login_throttled", status: .tooManyRequests)
            response.headers[.retryAfter] = String(await throttle.retryAfter(account: login, address: context.clientAddress))
            return response
        }
        let account = login.isEmpty ? nil : try await store.user(login: login)
        // Verify against a dummy hash when the login is unknown, so timing reveals nothing.
        let verified = await passwords.verify(password, hash: account?.passwordHash ?? PasswordHasher.dummyHash)
        guard let agent = account, verified, agent.passwordHash != nil, !agent.isDisabled else {
            await throttle.recordFailure(account: login, address: context.clientAddress)
            try? await store.recordLoginFailure(account: login, address: context.clientAddress)
            return loginPage(context: context, returnTo: returnTo, login: login, error: "login_failed", status: .unauthorized)
        }
        await throttle.recordSuccess(account: login)
        let response = try await sessions.signedIn(userID: agent.id, replacing: context.sessionToken, location: localPath(returnTo),
                                                   secureCookies: secureCookies)
        try await store.touchUser(id: agent.id)
        try? await store.logActivity(action: "login", userID: agent.id, address: context.clientAddress)
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token = context.sessionToken { try await sessions.end(token: token) }
        var response = Response.seeOther("/connexion")
        response.setCookie(WebCookies.expired(WebCookies.session, secure: secureCookies))
        return response
    }

    private func loginPage(context: AppRequestContext, returnTo: String?, login: String, error: String?,
                           status: HTTPResponse.Status = .ok) -> Response {
        var context = context
        if context.csrfBinding == nil { context.newAnonymousBinding = Secrets.randomToken() }
        var data: [String: Any] = ["login": login, "return_to": localPath(returnTo)]
        if let error { data["error"] = views.text(error, context) }
        return views.page("login", data, context: context, status: status)
    }
}

/// bcrypt hashing off the event loop (a hash costs tens of milliseconds by design).
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A valid hash of a random secret, verified against when the login is unknown.
    static let dummyHash = "$2b$11$C6UzMDM.H6dfI/f/IKxGhu7cqgdY2z0kUJGcXcD5Ltfe3fLbOqrBa"

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
