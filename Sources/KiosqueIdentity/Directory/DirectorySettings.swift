public import Foundation

/// How to reach and read the organisation's directory (channels.yml `auth.ldap`, resolved:
/// the service password is already read from its environment variable or file).
public struct DirectorySettings: Sendable, Hashable {
    /// Which attributes of a person's entry carry the login, name, e-mail and groups.
    public struct Attributes: Sendable, Hashable {
        /// The sign-in name (`uid`, `sAMAccountName`, `userPrincipalName`).
        public var login = "uid"
        /// The display name (`displayName`, `cn`).
        public var name = "displayName"
        /// The e-mail address.
        public var email = "mail"
        /// The group DNs on the person's own entry (`memberOf`); nil searches `groupOfNames` by `member`.
        public var groups: String? = "memberOf"
        /// Attributes as written in channels.yml.
        public init() {}
    }

    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    public var url: String
    /// The service account's DN; nil binds anonymously for the search.
    public var bindDN: String?
    /// The service account's password.
    public var bindPassword: String?
    /// Where people are searched (subtree).
    public var baseDN: String
    /// The search filter with `{login}` where the (escaped) typed login goes.
    public var userFilter = "(&(objectClass=inetOrgPerson)(uid={login}))"
    /// Attribute names.
    public var attributes = Attributes()
    /// Where `groupOfNames` are searched when `attributes.groups` is nil; nil takes the `dc=` suffix of `baseDN`.
    public var groupBaseDN: String?
    /// StartTLS on an `ldap://` URL.
    public var startTLS = false
    /// A PEM file of certificate authorities trusted for the directory.
    public var caFile: String?
    /// Connection (TCP and TLS handshake) timeout.
    public var connectTimeout: TimeInterval = 5
    /// Timeout of each operation (bind, search).
    public var timeout: TimeInterval = 10

    /// Settings for `url` and `baseDN`, everything else at its default.
    public init(url: String, baseDN: String) {
        self.url = url
        self.baseDN = baseDN
    }

    /// Where group entries are searched.
    public var effectiveGroupBaseDN: String {
        if let groupBaseDN { return groupBaseDN }
        let parts = DistinguishedName.components(baseDN)
        guard let first = parts.firstIndex(where: { $0.lowercased().hasPrefix("dc=") }) else { return baseDN }
        return parts[first...].joined(separator: ",")
    }
}

/// A person as the directory holds them.
public struct DirectoryPerson: Sendable, Hashable {
    /// The entry's distinguished name.
    public var dn: String
    /// The sign-in name read from the entry (as the directory spells it).
    public var login: String
    /// Display name, if the entry has one.
    public var name: String?
    /// E-mail address, if the entry has one.
    public var email: String?
    /// The DNs of the person's groups.
    public var groups: [String]

    /// A person read from an entry.
    public init(dn: String, login: String, name: String?, email: String?, groups: [String]) {
        self.dn = dn
        self.login = login
        self.name = name
        self.email = email
        self.groups = groups
    }
}

/// Why the directory said no, or could not answer.
public enum DirectoryError: Error, Sendable, Hashable {
    /// The password was empty: refused before any bind (an empty simple bind is anonymous, not a proof).
    case emptyPassword
    /// Nobody (or more than one entry) matches the filter for this login: unknown, removed or disabled.
    case unknownPerson
    /// The person exists but the password is wrong (or the account is locked by the directory).
    case wrongPassword
    /// The service account could not bind: the configuration or its secret is wrong.
    case serviceBindFailed(String)
    /// The directory cannot be reached or did not answer in time.
    case unreachable(String)
    /// Any other refusal from the library or the server.
    case failed(String)

    /// A short reason for the audit log and the operator.
    public var reason: String {
        switch self {
        case .emptyPassword: "empty password"
        case .unknownPerson: "unknown or disabled in the directory"
        case .wrongPassword: "wrong password"
        case .serviceBindFailed(let detail): "service bind failed: \(detail)"
        case .unreachable(let detail): "directory unreachable: \(detail)"
        case .failed(let detail): "directory error: \(detail)"
        }
    }
}
