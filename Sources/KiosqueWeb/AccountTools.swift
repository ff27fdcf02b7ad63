import Foundation

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
