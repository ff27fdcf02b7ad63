public import Foundation

/// Where the PostgreSQL store lives and how many connections it may hold: `storage.url` of
/// channels.yml (or `KIOSQUE_DATABASE_URL`), its password from the environment, the pool size.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// The server's host name or address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The password, when the server asks for one (never written in channels.yml).
    public var password: String?
    /// The database's name.
    public var database: String
    /// The largest number of connections this instance opens.
    public var poolSize: Int
    /// Whether the connection must use TLS (`?sslmode=require`); plain TCP otherwise.
    public var requiresTLS: Bool

    /// Creates a configuration from its parts.
    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
                poolSize: Int = 20, requiresTLS: Bool = false) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.requiresTLS = requiresTLS
    }

    /// Reads a `postgres://user[:password]@host[:port]/database[?sslmode=require]` address, throwing
    /// why when it is not one. A password in the address is accepted here
    /// (an environment variable may carry it); the configuration file's reader refuses it.
    public static func parse(url text: String, password: String? = nil, poolSize: Int = 20) throws(PostgresURLError) -> Self {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["postgres", "postgresql"].contains(scheme) else {
            throw .notPostgres(text)
        }
        guard let host = components.host, !host.isEmpty else { throw .missing("host", text) }
        guard let user = components.user, !user.isEmpty else { throw .missing("user", text) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw .missing("database", text) }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw .notPostgres(text) }
        var tls = false
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "require"), ("sslmode", "verify-full"): tls = true
            case ("sslmode", "disable"), ("sslmode", "prefer"), ("sslmode", "allow"): tls = false
            default: throw .unknownOption(item.name + "=" + (item.value ?? ""))
            }
        }
        return Self(host: host, port: port, user: user.removingPercentEncoding ?? user,
                    password: password ?? components.password.map { $0.removingPercentEncoding ?? $0 },
                    database: database.removingPercentEncoding ?? database, poolSize: poolSize, requiresTLS: tls)
    }

    /// The address without its password, for logs and messages.
    public var redactedURL: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// Why a storage address was refused; `description` is a message for the administrator.
public enum PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a postgres:// address at all.
    case notPostgres(String)
    /// A part is missing ("host", "user", "database").
    case missing(String, String)
    /// A query option other than sslmode.
    case unknownOption(String)

    public var description: String {
        switch self {
        case .notPostgres(let text):
            return "`\(Self.redacted(text))` is not an address such as postgres://kiosque@db.ville.local:5432/kiosque"
        case .missing(let part, let text):
            return "`\(Self.redacted(text))` has no \(part): write postgres://kiosque@db.ville.local:5432/kiosque"
        case .unknownOption(let option):
            return "unknown option `\(option)`: only sslmode=require|verify-full|disable is understood"
        }
    }

    /// The address with any password replaced, so messages never print it.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}
