/// Why an OpenID Connect sign-in failed; `reason` is the short English text of the sign-in log.
public enum OIDCError: Error, Sendable, Equatable {
    /// The provider could not be reached or answered with an error (discovery, JWKS, token, userinfo).
    case unreachable(String)
    /// The discovery document is unusable (missing endpoint, another issuer, a plain-http endpoint).
    case badDiscovery(String)
    /// The token endpoint refused the code or answered without an id_token.
    case tokenRefused(String)
    /// The token's signature, key or algorithm is not acceptable.
    case badSignature(String)
    /// `iss` is not the provider's issuer.
    case wrongIssuer
    /// `aud` does not name the portal's client (or `azp` names another client).
    case wrongAudience
    /// `exp` is past.
    case expired
    /// `iat` is in the future.
    case issuedInTheFuture
    /// `nonce` is not the one this sign-in sent.
    case wrongNonce
    /// A claim the portal needs is missing (`sub`, the login claim).
    case missingClaim(String)
    /// The authentication level (`acr`) is weaker than asked.
    case weakerLevel(asked: [String], got: String?)
    /// The userinfo answer is unusable (another `sub`, a bad JWT, not JSON).
    case badUserinfo(String)

    /// A short English reason for the sign-in log.
    public var reason: String {
        switch self {
        case .unreachable(let detail): "provider unreachable: \(detail)"
        case .badDiscovery(let detail): "discovery document: \(detail)"
        case .tokenRefused(let detail): "token endpoint: \(detail)"
        case .badSignature(let detail): "id_token signature: \(detail)"
        case .wrongIssuer: "id_token from another issuer"
        case .wrongAudience: "id_token for another client"
        case .expired: "id_token expired"
        case .issuedInTheFuture: "id_token issued in the future"
        case .wrongNonce: "id_token nonce mismatch"
        case .missingClaim(let claim): "claim \(claim) missing"
        case .weakerLevel(let asked, let got): "authentication level \(got ?? "none") weaker than \(asked.joined(separator: " "))"
        case .badUserinfo(let detail): "userinfo: \(detail)"
        }
    }
}
