public import Foundation

// KiosqueIdentity stays in layer 1: it defines what it needs from HTTP here, and the web layer hands it an
// implementation over the portal's one libcurl engine (KiosqueFetch), so proxies and limits apply to the
// provider's endpoints like to feeds.

/// One answer from an OpenID provider's endpoint.
public struct OIDCHTTPResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The media type, lowercased, without parameters (`application/json`, `application/jwt`).
    public var contentType: String?
    /// The body.
    public var body: Data

    /// An answer.
    public init(status: Int, contentType: String?, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// How the OpenID Connect client reaches the provider: a GET (discovery, JWKS, userinfo with a bearer
/// token) and a form POST (the token endpoint with HTTP Basic client authentication).
public protocol OIDCTransport: Sendable {
    /// GETs `url` with `headers`; throws when no HTTP answer came (or a 4xx/5xx one).
    func get(_ url: String, headers: [String: String], accept: String) async throws -> OIDCHTTPResponse
    /// POSTs `form` (url-encoded) to `url` with `headers`; throws when no successful HTTP answer came.
    func postForm(_ url: String, form: [(String, String)], headers: [String: String]) async throws -> OIDCHTTPResponse
}

/// `application/x-www-form-urlencoded` text (RFC 6749 appendix B), for transports and the authorization URL.
public enum OIDCForm {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `name=value&…`, every byte outside the unreserved set percent-encoded.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// One name or value, percent-encoded.
    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
