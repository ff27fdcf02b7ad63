public import Foundation
import Yams

extension PortalConfiguration {
    /// The `storage:` section: the shared PostgreSQL store (issue 18). Without it (and without
    /// `KIOSQUE_DATABASE_URL`), the portal keeps its SQLite store under the data folder.
    public struct Storage: Sendable, Hashable {
        /// `postgres://user@host:port/database` (never with a password), or nil for SQLite.
        public var url: String?
        /// The environment variable holding the database password.
        public var passwordEnvironment: String?
        /// The most connections one instance opens.
        public var pool = 20
        /// Whether `url` came from `KIOSQUE_DATABASE_URL` (which may carry a password) rather than the file.
        public var urlFromEnvironment = false

        public init() {}

        /// Whether the portal runs on PostgreSQL.
        public var isPostgres: Bool { url != nil }

        /// The password to connect with, read from `passwordEnvironment` now.
        public func password(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
            passwordEnvironment.flatMap { environment[$0] }
        }
    }
}

/// Reads the `storage:` section, then `KIOSQUE_DATABASE_URL` when the file names no database.
struct StorageSectionReader {
    let reader: NodeReader
    var environment: [String: String] = ProcessInfo.processInfo.environment

    static let keys = ["url", "password_env", "pool"]
    static let environmentURL = "KIOSQUE_DATABASE_URL"

    func read(_ node: Node?, into s: inout PortalConfiguration.Storage) {
        if let node, let f = reader.fields(node, in: "storage", allowed: Self.keys) {
            if let v = f["url"], let text = reader.nonEmptyString(v, field: "storage.url") {
                if let problem = Self.problem(text, passwordAllowed: false) {
                    reader.error(v, "`storage.url` \(problem)")
                } else {
                    s.url = text
                }
            }
            if let v = f["password_env"], let name = reader.nonEmptyString(v, field: "storage.password_env") {
                if name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) == nil {
                    reader.error(v, "`storage.password_env` must name an environment variable such as KIOSQUE_DB_PASSWORD, found `\(name)`")
                } else {
                    s.passwordEnvironment = name
                    if environment[name] == nil {
                        reader.warning(v, "`storage.password_env`: the environment variable \(name) is not set here; the database may refuse the connection")
                    }
                }
            }
            if let v = f["pool"], let n = reader.int(v, field: "storage.pool", range: 1...500) { s.pool = n }
            if f["url"] == nil { reader.error(node, "the `storage` section needs `url` (e.g. postgres://kiosque@db.ville.local:5432/kiosque)") }
        }
        guard let text = environment[Self.environmentURL], !text.isEmpty else { return }
        if s.url != nil {
            reader.warning(node, "\(Self.environmentURL) is ignored: `storage.url` is set in the file")
        } else if let problem = Self.problem(text, passwordAllowed: true) {
            reader.error(nil, "\(Self.environmentURL) \(problem)")
        } else {
            s.url = text
            s.urlFromEnvironment = true
        }
    }

    /// What is wrong with a database address, or nil when it is usable.
    static func problem(_ text: String, passwordAllowed: Bool) -> String? {
        let example = "postgres://kiosque@db.ville.local:5432/kiosque"
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            return "must be an address such as \(example)"
        }
        if c.password != nil && !passwordAllowed {
            return "must not contain a password: name its environment variable in `storage.password_env`"
        }
        guard let host = c.host, !host.isEmpty else { return "has no host: write \(example)" }
        guard let user = c.user, !user.isEmpty else { return "has no user: write \(example)" }
        let database = c.path.drop(while: { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { return "has no database name: write \(example)" }
        for item in c.queryItems ?? [] where !(item.name == "sslmode" && ["require", "verify-full", "disable", "prefer", "allow"].contains(item.value ?? "")) {
            return "has an unknown option `\(item.name)`: only sslmode=require|verify-full|disable is understood"
        }
        return nil
    }
}
