public import Foundation
import Crypto
import Hummingbird
public import KiosqueStoreContract

/// The first start of a portal: `kiosque serve` prints a one-time address while no administrator
/// exists, and this page creates that administrator and signs them in. Once one exists the page
/// answers 404 and the token is void, so the address is worthless afterwards.
public enum FirstRunSetup {
    /// How long a printed address stays valid (a new one is printed at each start meanwhile).
    public static let validity: TimeInterval = 24 * 3_600

    /// A new set-up token (128 random bits) when the store has no administrator, else nil.
    /// Only its hash is stored; the caller prints the token once.
    public static func prepare(store: any PortalStore, now: Date = Date()) async throws -> String? {
        guard try await !store.administratorExists() else { return nil }
        let token = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }.base64URLEncoded
        guard try await store.issueSetupToken(hash: Secrets.hash(token), expiresAt: now.addingTimeInterval(validity)) else { return nil }
        return token
    }

    /// The address to print: the listening address, or the public one when listening on every interface.
    public static func address(token: String, host: String, port: Int, baseURL: String) -> String {
        let everywhere = ["0.0.0.0", "::", "[::]", ""].contains(host)
        let origin = everywhere ? (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
            : "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        return "\(origin)/installation?jeton=\(token)"
    }
}

/// `/installation`: the form that creates the first administrator.
struct SetupController {
    let store: any PortalStore
    let sessions: SessionStore
    let views: ViewRenderer
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    let secureCookies: Bool
    let language: String

    func register(on router: Router<AppRequestContext>) {
        router.get("/installation", use: form)
        router.post("/installation", use: create)
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = request.query["jeton"], try await store.setupTokenIsValid(hash: Secrets.hash(token)) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        return page(context: context, token: token, values: [:], error: nil)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form ?? FormData(encoded: "")
        let token = form["jeton"] ?? ""
        // Guessing tokens is throttled like guessing passwords (the account key is the page itself).
        guard await throttle.allows(account: "/installation", address: context.clientAddress) else {
            return views.error(.tooManyRequests, messageKey: "login_throttled", context: context)
        }
        guard try await store.setupTokenIsValid(hash: Secrets.hash(token)) else {
            await throttle.recordFailure(account: "/installation", address: context.clientAddress)
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let login = form.trimmed("login") ?? "", name = form.trimmed("name") ?? "", email = form.trimmed("email") ?? ""
        let password = form["password"] ?? ""
        let values: [String: Any] = ["login": login, "name": name, "email": email]
        if let problem = Self.problem(login: login, name: name, email: email, password: password, confirmation: form["password_confirm"] ?? "") {
            return page(context: context, token: token, values: values, error: problem, status: .badRequest)
        }
        let account: UserAccount
        do {
            account = try await store.createFirstAdministrator(
                NewUser(login: login, name: name, email: email, passwordHash: await passwords.hash(password), isAdmin: true, language: language),
                tokenHash: Secrets.hash(token))
        } catch {
            switch error {
            case .notFound: return views.error(.notFound, messageKey: "error_not_found", context: context)
            case .conflict: return page(context: context, token: token, values: values, error: "admin_login_taken", status: .conflict)
            default: throw error
            }
        }
        _ = try await store.subscribeDefaults(userID: account.id)
        try? await store.logActivity(action: "setup", userID: account.id, address: context.clientAddress)
        return try await sessions.signedIn(userID: account.id, replacing: context.sessionToken, location: "/admin",
                                           secureCookies: secureCookies)
    }

    /// The localisation key of what is wrong with the form, nil when it can be accepted.
    static func problem(login: String, name: String, email: String, password: String, confirmation: String) -> String? {
        if login.range(of: #"^[A-Za-z0-9._@-]{1,64}$"#, options: .regularExpression) == nil { return "admin_bad_login" }
        if name.isEmpty || name.count > 200 { return "setup_bad_name" }
        if email.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) == nil || email.count > 254 { return "setup_bad_email" }
        if password.count < AccountTools.minimumPasswordLength { return "password_too_short" }
        if password != confirmation { return "password_mismatch" }
        if password.lowercased() == login.lowercased() { return "setup_password_is_login" }
        return nil
    }

    private func page(context: AppRequestContext, token: String, values: [String: Any], error: String?,
                      status: HTTPResponse.Status = .ok) -> Response {
        var context = context
        if context.csrfBinding == nil { context.newAnonymousBinding = Secrets.randomToken() }
        var data = values
        data["jeton"] = token
        if let error { data["error"] = views.text(error, context) }
        return views.page("setup", data, context: context, status: status)
    }
}
