public import Foundation
public import KiosqueModel

/// The whole of channels.yml, validated, with every default filled in.
public struct PortalConfiguration: Sendable, Hashable {
    /// The `portal:` section: what agents see of the portal itself.
    public struct Portal: Sendable, Hashable {
        public var title = "Intranet"
        public var baseURL = "http://localhost:8080"
        /// Default interface language for agents who chose none: `fr` or `en`.
        public var language = "fr"
        /// A folder whose templates, logo and colours override the shipped ones (relative to the file).
        public var themeDirectory: String?
        public init() {}
    }

    /// The `fetch:` section: how the fetcher treats the network.
    public struct Fetch: Sendable, Hashable {
        public var interval: TimeInterval = 30 * 60
        public var timeout: TimeInterval = 20
        public var connectTimeout: TimeInterval = 10
        public var maxBytes: Int64 = 5 * 1_048_576
        public var concurrency = 16
        public var perHost = 2
        public var userAgent = "Kiosque/1.0 (intranet news portal)"
        /// Forward proxy URL; its credentials come from KIOSQUE_PROXY_USER / KIOSQUE_PROXY_PASSWORD.
        public var proxy: String?
        /// Hosts reached without the proxy (in addition to the `no_proxy` environment variable).
        public var noProxy: [String] = []
        /// Upper bound of the backoff after repeated failures.
        public var maxBackoff: TimeInterval = 6 * 3_600
        /// Several instances on PostgreSQL: how long a due source handed to one instance stays its
        /// own; a dead instance's sources go to the others once it ends.
        public var lease: TimeInterval = 300
        public init() {}
    }

    /// The `retention:` section: how long things are kept.
    public struct Retention: Sendable, Hashable {
        public var days = 180
        public var maxItemsPerSource = 2_000
        /// Personal data (access logs, per-agent activity) is purged after this many days.
        public var activityDays = 90
        public init() {}
    }

    /// The `content:` section: how feed HTML is shown.
    public struct Content: Sendable, Hashable {
        /// Hosts whose `<iframe>` videos are kept in articles (https only).
        public var iframeHosts: [String] = ["www.youtube-nocookie.com", "www.youtube.com", "player.vimeo.com", "www.dailymotion.com"]
        /// Length in characters of the summaries shown in lists.
        public var summaryLength = 280
        public init() {}
    }

    /// The `auth:` section: sessions and single sign-on through a trusted reverse proxy.
    public struct Auth: Sendable, Hashable {
        public var sessionIdle: TimeInterval = 8 * 3_600
        public var sessionAbsolute: TimeInterval = 7 * 86_400
        /// `auto` marks cookies Secure when base_url is https; `true`/`false` force it.
        public var secureCookies: Bool?
        /// Header naming the signed-in user, set by the reverse proxy (e.g. `Remote-User`); nil disables SSO.
        public var userHeader: String?
        public var nameHeader: String?
        public var emailHeader: String?
        public var groupsHeader: String?
        /// Addresses allowed to set those headers (the reverse proxies).
        public var trustedProxies: [String] = []
        /// Local sign-in with a password form.
        public var localAccounts = true
        /// Sign-in against the directory (`auth.ldap`); see DirectoryConfiguration.swift.
        public var ldap: Directory?
        /// The second factor (`auth.two_factor`); see TwoFactorConfiguration.swift.
        public var twoFactor = TwoFactor()
        /// OpenID providers (`auth.oidc`); see OIDCConfiguration.swift.
        public var oidc: [OIDCProvider] = []
        public init() {}
    }

    /// The `documents:` section: departmental documents.
    public struct Documents: Sendable, Hashable {
        public var maxUploadBytes: Int64 = 50 * 1_048_576
        public init() {}
    }

    public var portal = Portal()
    public var fetch = Fetch()
    public var retention = Retention()
    public var content = Content()
    public var auth = Auth()
    public var documents = Documents()
    /// The `mail:` section (digests and alerts); see MailConfiguration.swift.
    public var mail = Mail()
    /// The `media:` section (pictures fetched once and served by Kiosque); see MediaConfiguration.swift.
    public var media = Media()
    /// The `storage:` section (PostgreSQL instead of SQLite); see StorageConfiguration.swift.
    public var storage = Storage()
    /// Sources, channels, bouquets and departments.
    public var catalog = Catalog()
    /// Where the file was read from (for messages and relative paths).
    public var filePath: String = "channels.yml"

    public init() {}

    /// The fetch interval of one source: its own, else the portal default.
    public func interval(of source: SourceDefinition) -> TimeInterval {
        source.interval ?? fetch.interval
    }
}
