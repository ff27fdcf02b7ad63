public import Foundation

/// An agent's account as stored. The store keeps hashes it is given; it never hashes passwords.
public struct UserAccount: Sendable, Hashable {
    /// The store's user identifier.
    public var id: Int64
    /// Unique sign-in name (compared case-insensitively).
    public var login: String
    /// Display name.
    public var name: String
    /// E-mail address, if known.
    public var email: String?
    /// The password hash computed by the web layer (bcrypt); nil for single-sign-on agents.
    public var passwordHash: String?
    /// Whether the agent administers Kiosque.
    public var isAdmin: Bool
    /// A disabled agent cannot sign in.
    public var isDisabled: Bool
    /// Interface language ("fr", "en").
    public var language: String
    /// Home page layout ("channels" or "river").
    public var homeLayout: String
    /// Digest frequency ("never", "daily", "weekly").
    public var digestFrequency: String
    /// Hour of day the digest is sent.
    public var digestHour: Int
    /// Hash of the personal API token, computed by the web layer.
    public var apiTokenHash: String?
    /// The unguessable token of the agent's private Atom feed.
    public var atomToken: String?
    /// Account creation.
    public var createdAt: Date
    /// The latest visit.
    public var lastSeenAt: Date?
    /// The visit before the latest, for "since my last visit".
    public var previousSeenAt: Date?

    /// Creates a value with every field.
    public init(id: Int64, login: String, name: String, email: String? = nil, passwordHash: String? = nil,
                isAdmin: Bool, isDisabled: Bool, language: String, homeLayout: String, digestFrequency: String,
                digestHour: Int, apiTokenHash: String? = nil, atomToken: String? = nil, createdAt: Date,
                lastSeenAt: Date? = nil, previousSeenAt: Date? = nil) {
        self.id = id
        self.login = login
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.isDisabled = isDisabled
        self.language = language
        self.homeLayout = homeLayout
        self.digestFrequency = digestFrequency
        self.digestHour = digestHour
        self.apiTokenHash = apiTokenHash
        self.atomToken = atomToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.previousSeenAt = previousSeenAt
    }
}

/// The fields to create an account with.
public struct NewUser: Sendable, Hashable {
    /// Unique sign-in name.
    public var login: String
    /// Display name.
    public var name: String
    /// E-mail address.
    public var email: String?
    /// Password hash (nil for single-sign-on agents).
    public var passwordHash: String?
    /// Administrator flag.
    public var isAdmin: Bool
    /// Interface language.
    public var language: String
    /// E-mail digest: "never", "daily" or "weekly" (`mail.default_digest` for new accounts).
    public var digestFrequency: String

    /// Creates the fields of a new account.
    public init(login: String, name: String = "", email: String? = nil, passwordHash: String? = nil,
                isAdmin: Bool = false, language: String = "fr", digestFrequency: String = "never") {
        self.login = login
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.language = language
        self.digestFrequency = ["daily", "weekly"].contains(digestFrequency) ? digestFrequency : "never"
    }
}

/// A change to an account: nil fields stay as they are; `.some(nil)` clears an optional one.
public struct UserUpdate: Sendable, Hashable {
    /// New display name.
    public var name: String?
    /// New e-mail (`.some(nil)` clears it).
    public var email: String??
    /// New password hash (`.some(nil)` clears it).
    public var passwordHash: String??
    /// New administrator flag.
    public var isAdmin: Bool?
    /// New disabled flag.
    public var isDisabled: Bool?
    /// New language.
    public var language: String?
    /// New home layout.
    public var homeLayout: String?
    /// New digest frequency.
    public var digestFrequency: String?
    /// New digest hour.
    public var digestHour: Int?
    /// New API token hash (`.some(nil)` revokes it).
    public var apiTokenHash: String??
    /// New Atom token (`.some(nil)` revokes it).
    public var atomToken: String??

    /// An update that changes nothing until fields are set.
    public init() {}
}

/// An agent's membership of a department.
public struct DepartmentMembership: Sendable, Hashable {
    /// The department's channels.yml identifier.
    public var departmentID: String
    /// The department's title.
    public var title: String
    /// Whether the agent may publish documents for it.
    public var isEditor: Bool

    /// Creates a value with every field.
    public init(departmentID: String, title: String, isEditor: Bool) {
        self.departmentID = departmentID
        self.title = title
        self.isEditor = isEditor
    }
}
