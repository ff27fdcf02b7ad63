public import Foundation
public import KiosqueModel

/// One source to fetch: where, which validators to send, which credentials to use.
public struct FetchRequest: Sendable, Hashable {
    /// The source's id from channels.yml (for errors and the cache, never sent on the wire).
    public var sourceID: String
    /// An http, https or file URL.
    public var url: String
    /// The ETag of the last good response, sent as If-None-Match.
    public var etag: String?
    /// The Last-Modified of the last good response, sent as If-Modified-Since.
    public var lastModified: String?
    /// Where to find the source's secret; resolved at fetch time, never logged, never sent to another host.
    public var credentials: SourceCredentials?
    /// When set, only http(s) and only the addresses this policy allows are reached, redirects included
    /// (outside content such as a feed's pictures: see `AddressGuard`). Connections are reused per host name, so one
    /// engine's guarded requests should all carry the same policy (the media cache has an engine of its own).
    public var addressPolicy: AddressPolicy?
    /// A form body (`application/x-www-form-urlencoded`) sent with POST; nil sends a GET. A POST follows
    /// no redirect: its 3xx answer is a failure like any other (an OpenID provider's token endpoint).
    public var formBody: String?
    /// More header fields, sent to the request's own origin only, never after a redirect elsewhere
    /// (e.g. `Authorization: Bearer …` for an OpenID provider's userinfo endpoint).
    public var headers: [HeaderField] = []
    /// The Accept header; nil sends the feed reader's (feeds first).
    public var accept: String?

    /// A request for `url` with optional validators and credentials.
    public init(sourceID: String, url: String, etag: String? = nil, lastModified: String? = nil,
                credentials: SourceCredentials? = nil, addressPolicy: AddressPolicy? = nil) {
        self.sourceID = sourceID
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.credentials = credentials
        self.addressPolicy = addressPolicy
    }
}

/// How the engine behaves: timeouts, limits and proxy (from `fetch:` in channels.yml and the environment).
public struct FetchSettings: Sendable, Hashable {
    /// Seconds a whole fetch (all redirects included) may take.
    public var timeout: TimeInterval
    /// Seconds to establish a connection.
    public var connectTimeout: TimeInterval
    /// The largest body accepted, after decompression.
    public var maxBytes: Int
    /// Transfers running at once, all hosts together.
    public var concurrency: Int
    /// Transfers running at once against one host.
    public var perHost: Int
    /// The User-Agent header.
    public var userAgent: String
    /// The proxy URL; nil lets libcurl read http_proxy/https_proxy; "" disables any proxy.
    public var proxy: String?
    /// The proxy user (Basic/NTLM/Negotiate), usually from KIOSQUE_PROXY_USER.
    public var proxyUser: String?
    /// The proxy password, usually from KIOSQUE_PROXY_PASSWORD.
    public var proxyPassword: String?
    /// Hosts reached without the proxy (no_proxy syntax); nil lets libcurl read no_proxy itself.
    public var noProxy: String?
    /// Redirects followed before giving up.
    public var maxRedirects: Int
    /// A transfer slower than this many bytes per second…
    public var lowSpeedLimit: Int
    /// …for this many seconds is abandoned as a timeout (a trickling server).
    public var lowSpeedTime: TimeInterval
    /// A PEM bundle of trusted certificates; nil uses the system's CA bundle.
    public var caBundlePath: String?

    /// Settings with the portal's defaults.
    public init(timeout: TimeInterval = 30, connectTimeout: TimeInterval = 10, maxBytes: Int = 10 << 20,
                concurrency: Int = 8, perHost: Int = 2, userAgent: String = FetchSettings.defaultUserAgent,
                proxy: String? = nil, proxyUser: String? = nil, proxyPassword: String? = nil,
                noProxy: String? = nil, maxRedirects: Int = 5, lowSpeedLimit: Int = 64,
                lowSpeedTime: TimeInterval = 20, caBundlePath: String? = nil) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBytes = maxBytes
        self.concurrency = concurrency
        self.perHost = perHost
        self.userAgent = userAgent
        self.proxy = proxy
        self.proxyUser = proxyUser
        self.proxyPassword = proxyPassword
        self.noProxy = noProxy
        self.maxRedirects = maxRedirects
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
        self.caBundlePath = caBundlePath
    }

    /// The User-Agent sent when none is configured: names the software and what it does.
    public static let defaultUserAgent = "Kiosque/1.0 (intranet news portal; feed reader; libcurl)"

    /// These settings with the proxy credentials (KIOSQUE_PROXY_USER, KIOSQUE_PROXY_PASSWORD) and
    /// no_proxy (or NO_PROXY) filled in from `environment` where not already set.
    public func fillingFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FetchSettings {
        var copy = self
        if copy.proxyUser == nil { copy.proxyUser = environment["KIOSQUE_PROXY_USER"].flatMap(Self.nonEmpty) }
        if copy.proxyPassword == nil { copy.proxyPassword = environment["KIOSQUE_PROXY_PASSWORD"].flatMap(Self.nonEmpty) }
        if copy.noProxy == nil { copy.noProxy = (environment["no_proxy"] ?? environment["NO_PROXY"]).flatMap(Self.nonEmpty) }
        return copy
    }

    private static func nonEmpty(_ value: String) -> String? {
        value.isEmpty ? nil : value
    }
}

/// A successful fetch: a body, or a 304 that says the last good body still holds.
public struct FetchResponse: Sendable, Hashable {
    /// The URL that answered, after redirects.
    public var finalURL: String
    /// The HTTP status (200 for a file:// URL).
    public var status: Int
    /// Response headers of the final answer, names lowercased, repeated fields joined with ", ".
    public var headers: [String: String]
    /// The decoded body (empty for a 304).
    public var body: Data
    /// The ETag to store (the request's own when a 304 omits it).
    public var etag: String?
    /// The Last-Modified to store (the request's own when a 304 omits it).
    public var lastModified: String?
    /// The media type without parameters, lowercased (e.g. "application/rss+xml").
    public var contentType: String?
    /// The charset parameter of Content-Type, lowercased, if any.
    public var charset: String?
    /// Seconds the server asked us to wait before the next request, if it said so.
    public var retryAfter: TimeInterval?
    /// Where a chain of 301/308 starting at the configured URL leads: advice for IT, never applied silently.
    public var permanentRedirect: String?
    /// Bytes received on the wire (headers and still-compressed bodies, all redirects included).
    public var bytesDownloaded: Int64
    /// Seconds from the first connection attempt to the end (queueing excluded).
    public var duration: TimeInterval
    /// True for a 304: nothing to parse.
    public var notModified: Bool
    /// The HTTP version of the final answer ("1.0", "1.1", "2", "3"), or "" for a file.
    public var httpVersion: String

    /// A response with every field given (the engine builds these; tests of later stages may too).
    public init(finalURL: String, status: Int, headers: [String: String] = [:], body: Data, etag: String? = nil,
                lastModified: String? = nil, contentType: String? = nil, charset: String? = nil,
                retryAfter: TimeInterval? = nil, permanentRedirect: String? = nil, bytesDownloaded: Int64 = 0,
                duration: TimeInterval = 0, notModified: Bool = false, httpVersion: String = "1.1") {
        self.finalURL = finalURL
        self.status = status
        self.headers = headers
        self.body = body
        self.etag = etag
        self.lastModified = lastModified
        self.contentType = contentType
        self.charset = charset
        self.retryAfter = retryAfter
        self.permanentRedirect = permanentRedirect
        self.bytesDownloaded = bytesDownloaded
        self.duration = duration
        self.notModified = notModified
        self.httpVersion = httpVersion
    }

    /// The SHA-256 of the body in hex, to compare with the cached hash and skip parsing an unchanged body.
    public func computeBodyHash() -> String {
        BodyDigest.sha256Hex(body)
    }
}

/// A failed fetch, classified for IT: the class to filter by, one plain-language line to read.
public struct FetchFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure (DNS, connect, TLS, timeout, HTTP 4xx/5xx, …).
    public var errorClass: FetchErrorClass
    /// One line in plain language, naming the limit or the status; never a secret.
    public var message: String
    /// The HTTP status when the server answered.
    public var httpStatus: Int?
    /// Seconds the server asked us to wait (429, 503), if it said so.
    public var retryAfter: TimeInterval?
    /// Seconds the attempt lasted before failing (0 when it never started).
    public var duration: TimeInterval = 0
    /// Bytes received before failing (headers and bodies of every hop).
    public var bytesDownloaded: Int64 = 0
    /// The address the request's `AddressPolicy` refused to connect to, when that is why it failed.
    public var refusedAddress: String?

    /// A failure of the given class with a one-line message.
    public init(_ errorClass: FetchErrorClass, _ message: String, httpStatus: Int? = nil, retryAfter: TimeInterval? = nil) {
        self.errorClass = errorClass
        self.message = message.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    /// "class: message".
    public var description: String { "\(errorClass.rawValue): \(message)" }
}
