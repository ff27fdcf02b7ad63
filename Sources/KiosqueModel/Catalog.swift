public import Foundation

/// Where a source's secret comes from: the name of an environment variable or of a file, never the secret itself.
public enum SecretReference: Sendable, Hashable {
    case environment(String)
    case file(String)
}

/// How to authenticate to a paywalled or internal source.
public enum SourceCredentials: Sendable, Hashable {
    /// HTTP Basic: the user name in clear, the password from a secret.
    case basic(user: String, password: SecretReference)
    /// A request header whose value is a secret (e.g. `Authorization: Bearer …`, `X-Api-Key`).
    case header(name: String, value: SecretReference)
    /// A `Cookie` header value taken from a secret.
    case cookie(SecretReference)
}

/// A feed declared by IT in channels.yml.
public struct SourceDefinition: Sendable, Hashable {
    public var id: String
    public var url: String
    public var title: String?
    /// Seconds between fetches; nil means the portal's default `fetch.interval`.
    public var interval: TimeInterval?
    /// Shown with a "trusted source" badge in the catalogue.
    public var trusted: Bool
    public var credentials: SourceCredentials?

    public init(id: String, url: String, title: String? = nil, interval: TimeInterval? = nil,
                trusted: Bool = false, credentials: SourceCredentials? = nil) {
        self.id = id
        self.url = url
        self.title = title
        self.interval = interval
        self.trusted = trusted
        self.credentials = credentials
    }
}

/// A channel: the union of its sources' items, narrowed by keyword filters.
public struct ChannelDefinition: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?
    public var sources: [String]
    /// If not empty, an item must mention one of these words (case- and accent-insensitive).
    public var include: [String]
    /// An item mentioning one of these words is left out (case- and accent-insensitive).
    public var exclude: [String]
    /// Agents may ask for an e-mail as soon as new items arrive (`alerts: true`, e.g. security advisories).
    public var alerts = false

    public init(id: String, title: String, description: String? = nil, sources: [String],
                include: [String] = [], exclude: [String] = []) {
        self.id = id
        self.title = title
        self.description = description
        self.sources = sources
        self.include = include
        self.exclude = exclude
    }
}

/// A bouquet: a named group of channels, shown together in the catalogue.
public struct BouquetDefinition: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?
    public var channels: [String]
    /// Every new agent starts subscribed to a default bouquet.
    public var isDefault: Bool
    /// Directory groups (from single sign-on) for which this bouquet is a default too.
    public var groups: [String]

    public init(id: String, title: String, description: String? = nil, channels: [String],
                isDefault: Bool = false, groups: [String] = []) {
        self.id = id
        self.title = title
        self.description = description
        self.channels = channels
        self.isDefault = isDefault
        self.groups = groups
    }
}

/// A department (service) that publishes documents.
public struct DepartmentDefinition: Sendable, Hashable {
    public var id: String
    public var title: String
    public var categories: [String]
    /// Directory groups whose members belong to this department.
    public var groups: [String]
    /// Whether every member (not only editors) may write announcements for it (Communication, Direction générale).
    public var publisher: Bool
    /// Whether an announcement needs a second writer's approval before it is published.
    public var approval: Bool

    public init(id: String, title: String, categories: [String] = [], groups: [String] = [],
                publisher: Bool = false, approval: Bool = false) {
        self.id = id
        self.title = title
        self.categories = categories
        self.groups = groups
        self.publisher = publisher
        self.approval = approval
    }
}

/// Everything channels.yml declares about content: what the store mirrors.
public struct Catalog: Sendable, Hashable {
    public var sources: [SourceDefinition]
    public var channels: [ChannelDefinition]
    public var bouquets: [BouquetDefinition]
    public var departments: [DepartmentDefinition]

    public init(sources: [SourceDefinition] = [], channels: [ChannelDefinition] = [],
                bouquets: [BouquetDefinition] = [], departments: [DepartmentDefinition] = []) {
        self.sources = sources
        self.channels = channels
        self.bouquets = bouquets
        self.departments = departments
    }
}
