public import Foundation

/// What the portal reads of a provider's discovery document (`/.well-known/openid-configuration`).
public struct OIDCMetadata: Sendable, Hashable, Decodable {
    /// The issuer, exactly as its tokens write it.
    public var issuer: String
    /// Where the browser is sent to sign in.
    public var authorizationEndpoint: String
    /// Where the code is exchanged for tokens.
    public var tokenEndpoint: String
    /// Where the agent's claims are read with the access token.
    public var userinfoEndpoint: String?
    /// The provider's signing keys.
    public var jwksURI: String
    /// Where the browser is sent to sign out of the provider too.
    public var endSessionEndpoint: String?
    /// How the token endpoint wants the client authenticated (`client_secret_basic` when absent).
    public var tokenEndpointAuthMethods: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case tokenEndpointAuthMethods = "token_endpoint_auth_methods_supported"
    }

    /// Whether `url` may carry tokens and codes: https, or http to this machine (tests, a provider beside the portal).
    public static func isAcceptableEndpoint(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty, components.user == nil else { return false }
        if scheme == "https" { return true }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return scheme == "http" && (bare == "localhost" || bare == "::1" || bare.hasPrefix("127."))
    }

    /// Checks the document against the configured issuer; throws `badDiscovery` with what is wrong.
    func validated(issuer expected: String) throws(OIDCError) -> OIDCMetadata {
        func trimmed(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }
        guard trimmed(issuer) == trimmed(expected) else {
            throw .badDiscovery("its issuer \(issuer) is not the configured \(expected)")
        }
        for (name, url) in [("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint),
                            ("jwks_uri", jwksURI), ("userinfo_endpoint", userinfoEndpoint ?? "https://x"),
                            ("end_session_endpoint", endSessionEndpoint ?? "https://x")] where !Self.isAcceptableEndpoint(url) {
            throw .badDiscovery("\(name) \(url) is not https")
        }
        return self
    }
}
