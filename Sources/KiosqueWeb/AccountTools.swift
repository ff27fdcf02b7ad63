public import Foundation
public import KiosqueStoreContract

/// What the command line needs to manage accounts the same way the web front does.
public enum AccountTools {
    /// The shortest password accepted for local accounts.
    public static let minimumPasswordLength = 12

    /// A bcrypt hash of a password (cost 11), computed off the caller's thread.
    public static func hashPassword(_ password: String) async -> String {
        await PasswordHasher(cost: 11).hash(password)
    }

    /// A new personal API token and the hash the store keeps of it.
    public static func newAPIToken() -> (token: String, hash: String) {
        let token = Secrets.randomToken()
        return (token, Secrets.hash(token))
    }
}

extension AccountTools {
    /// Opens a browser session for an agent and returns the cookie value, as a sign-in would
    /// (for tooling such as the web benchmark; the store keeps only the token's hash).
    public static func openSession(store: any PortalStore, userID: Int64, idleTimeout: TimeInterval = 8 * 3_600,
                                   absoluteTimeout: TimeInterval = 7 * 86_400) async throws -> String {
        try await SessionStore(store: store, idleTimeout: idleTimeout, absoluteTimeout: absoluteTimeout).create(userID: userID)
    }

    /// The name of the session cookie.
    public static let sessionCookieName = WebCookies.session
}
