public import Foundation
import JWTKit
import KiosqueModel

/// The id_token claims the client checks itself (jwt-kit checks the signature; the clock, the nonce
/// and the audience are checked in `OIDCClient.checked` with the portal's own rules).
struct IDTokenPayload: JWTPayload {
    var iss: String?
    var sub: String?
    var aud: AudienceClaim?
    var azp: String?
    var exp: Double?
    var iat: Double?
    var nonce: String?
    var acr: String?
    var amr: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// One OpenID provider for the authorization code flow with PKCE (S256): the browser's way there,
/// then the code exchanged, the id_token checked (signature, issuer, audience, times, nonce), the
/// userinfo read (JSON, or a signed JWT as ProConnect sends it) and the level checked.
public actor OIDCClient {
    /// The provider's settings.
    public nonisolated let settings: OIDCProviderSettings
    private let transport: any OIDCTransport
    private let refetchInterval: Duration
    /// Clock tolerance on `exp` and `iat`.
    private let leeway: TimeInterval
    private var metadata: (document: OIDCMetadata, at: ContinuousClock.Instant)?
    private var keySet: OIDCKeySet?

    /// A client for `settings`, reaching the provider through `transport`. An unknown key id makes the
    /// key set be fetched again at most once per `keyRefetchInterval`.
    public init(settings: OIDCProviderSettings, transport: any OIDCTransport, keyRefetchInterval: Duration = .seconds(30),
                leeway: TimeInterval = 60) {
        self.settings = settings
        self.transport = transport
        self.refetchInterval = keyRefetchInterval
        self.leeway = leeway
    }

    /// The discovery document, cached for an hour.
    public func discovery() async throws(OIDCError) -> OIDCMetadata {
        if let metadata, metadata.at.duration(to: .now) < .seconds(3600) { return metadata.document }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let answer: OIDCHTTPResponse
        do { answer = try await transport.get(base + "/.well-known/openid-configuration", headers: [:], accept: "application/json") } catch {
            throw .unreachable("discovery: \(error)")
        }
        guard let document = try? JSONDecoder().decode(OIDCMetadata.self, from: answer.body) else {
            throw .badDiscovery("not a discovery document")
        }
        let checked = try document.validated(issuer: settings.issuer)
        if metadata?.document.jwksURI != checked.jwksURI || keySet == nil {
            keySet = OIDCKeySet(url: checked.jwksURI, transport: transport, refetchInterval: refetchInterval)
        }
        metadata = (checked, .now)
        return checked
    }

    /// What a sign-in keeps between the browser's departure and its return (never shown to the browser
    /// in clear: the web layer seals it).
    public struct Pending: Sendable, Codable, Hashable {
        /// Sent as `state`, checked on return.
        public var state: String
        /// Sent as `nonce`, checked in the id_token.
        public var nonce: String
        /// The PKCE verifier; its S256 challenge was sent.
        public var codeVerifier: String
    }

    /// The provider's authorization URL for a new sign-in returning to `redirectURI`, and what to keep.
    public func authorization(redirectURI: String) async throws(OIDCError) -> (url: String, pending: Pending) {
        let document = try await discovery()
        let pending = Pending(state: OIDCRandom.token(), nonce: OIDCRandom.token(), codeVerifier: OIDCRandom.token())
        var scopes = settings.scopes
        if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")), ("state", pending.state), ("nonce", pending.nonce),
            ("code_challenge", OIDCRandom.challenge(for: pending.codeVerifier)), ("code_challenge_method", "S256"),
        ]
        if settings.acrAsClaimsRequest {
            query.append(("claims", Self.claimsRequest(acrValues: settings.acrValues)))
        } else if !settings.acrValues.isEmpty {
            query.append(("acr_values", settings.acrValues.joined(separator: " ")))
        }
        let separator = document.authorizationEndpoint.contains("?") ? "&" : "?"
        return (document.authorizationEndpoint + separator + OIDCForm.encode(query), pending)
    }

    /// ProConnect's `claims` parameter: `amr` and `acr` essential in the id_token, `acr` among the levels asked.
    static func claimsRequest(acrValues: [String]) -> String {
        var acr: [String: Any] = ["essential": true]
        if !acrValues.isEmpty { acr["values"] = acrValues }
        let request: [String: Any] = ["id_token": ["amr": ["essential": true], "acr": acr]]
        let data = (try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Exchanges `code` for tokens and returns the agent, after every check; throws what failed.
    public func complete(code: String, redirectURI: String, pending: Pending, now: Date = Date()) async throws(OIDCError) -> OIDCPerson {
        let document = try await discovery()
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                    ("code_verifier", pending.codeVerifier)]
        var headers: [String: String] = [:]
        let methods = document.tokenEndpointAuthMethods ?? ["client_secret_basic"]
        if methods.contains("client_secret_basic") || !methods.contains("client_secret_post") {
            // RFC 6749 2.3.1: both parts form-encoded before base64.
            let pair = OIDCForm.escape(settings.clientID) + ":" + OIDCForm.escape(settings.clientSecret)
            headers["Authorization"] = "Basic " + Data(pair.utf8).base64EncodedString()
        } else {
            form += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        }
        let answer: OIDCHTTPResponse
        do { answer = try await transport.postForm(document.tokenEndpoint, form: form, headers: headers) } catch {
            throw .tokenRefused("\(error)")
        }
        struct TokenAnswer: Decodable {
            var id_token: String?
            var access_token: String?
        }
        guard let tokens = try? JSONDecoder().decode(TokenAnswer.self, from: answer.body), let idToken = tokens.id_token else {
            throw .tokenRefused("no id_token in the answer")
        }
        var claims = try await checkedIDToken(idToken, nonce: pending.nonce, document: document, now: now)
        guard let subject = claims["sub"]?.text, !subject.isEmpty else { throw .missingClaim("sub") }
        if let endpoint = document.userinfoEndpoint, let access = tokens.access_token {
            for (name, value) in try await userinfo(endpoint, accessToken: access, subject: subject, document: document) where name != "sub" {
                claims[name] = value
            }
        }
        return try person(subject: subject, claims: claims, idToken: idToken)
    }

    /// `complete` as a result (callers that switch over the refusal).
    public func completion(code: String, redirectURI: String, pending: Pending, now: Date = Date()) async -> Result<OIDCPerson, OIDCError> {
        do { return .success(try await complete(code: code, redirectURI: redirectURI, pending: pending, now: now)) } catch {
            return .failure(error)
        }
    }

    /// Verifies an id_token against the provider's keys and the portal's rules; returns its claims.
    private func checkedIDToken(_ token: String, nonce: String, document: OIDCMetadata, now: Date) async throws(OIDCError) -> Claims {
        guard let keySet else { throw .unreachable("no key set") }
        let payload = try await keySet.verify(token, as: IDTokenPayload.self)
        guard payload.iss == document.issuer else { throw .wrongIssuer }
        guard let audience = payload.aud?.value, audience.contains(settings.clientID) else { throw .wrongAudience }
        if let azp = payload.azp, azp != settings.clientID { throw .wrongAudience }
        guard let exp = payload.exp, now.timeIntervalSince1970 < exp + leeway else { throw .expired }
        guard let iat = payload.iat, iat <= now.timeIntervalSince1970 + leeway else { throw .issuedInTheFuture }
        guard let sent = payload.nonce, ConstantTime.equals(sent, nonce) else { throw .wrongNonce }
        return OIDCKeySet.claims(of: token)
    }

    /// The userinfo answer's claims: JSON, or a JWT signed with the provider's keys (ProConnect).
    private func userinfo(_ endpoint: String, accessToken: String, subject: String, document: OIDCMetadata) async throws(OIDCError) -> Claims {
        let answer: OIDCHTTPResponse
        do {
            answer = try await transport.get(endpoint, headers: ["Authorization": "Bearer " + accessToken],
                                             accept: "application/json, application/jwt")
        } catch { throw .unreachable("userinfo: \(error)") }
        let claims: Claims
        if answer.contentType == "application/jwt" {
            guard let keySet else { throw .unreachable("no key set") }
            let token = String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let payload: IDTokenPayload
            do { payload = try await keySet.verify(token, as: IDTokenPayload.self) } catch { throw .badUserinfo(error.reason) }
            if let iss = payload.iss, iss != document.issuer { throw .badUserinfo("signed by another issuer") }
            if let aud = payload.aud?.value, !aud.contains(settings.clientID) { throw .badUserinfo("meant for another client") }
            claims = OIDCKeySet.claims(of: token)
        } else {
            guard let decoded = try? JSONDecoder().decode(Claims.self, from: answer.body) else { throw .badUserinfo("not JSON") }
            claims = decoded
        }
        // OpenID Connect Core 5.3.2: a userinfo answer about someone else must not be used.
        guard claims["sub"]?.text == subject else { throw .badUserinfo("sub differs from the id_token's") }
        return claims
    }

    /// Maps the claims to the agent and checks the level.
    func person(subject: String, claims: Claims, idToken: String) throws(OIDCError) -> OIDCPerson {
        let names = settings.claims
        let acr = claims["acr"]?.text
        guard OIDCLevels.satisfies(returned: acr, asked: settings.acrValues) else {
            throw .weakerLevel(asked: settings.acrValues, got: acr)
        }
        guard let login = claims[names.login]?.text.flatMap({ $0.isEmpty ? nil : $0 }) else { throw .missingClaim(names.login) }
        let nameParts = names.name.split(separator: " ").compactMap { claims[String($0)]?.text }.filter { !$0.isEmpty }
        let amr = claims["amr"]?.texts ?? []
        return OIDCPerson(subject: subject, login: login, name: nameParts.isEmpty ? nil : nameParts.joined(separator: " "),
                          email: claims[names.email]?.text, groups: names.groups.flatMap { claims[$0]?.texts } ?? [],
                          acr: acr, amr: amr, multiFactor: OIDCLevels.multiFactor(acr: acr, amr: amr, mfaACRValues: settings.mfaACRValues),
                          idToken: idToken, claims: claims)
    }

    /// Where to send the browser to sign out of the provider too, nil when it has no end_session_endpoint.
    public func logoutURL(idToken: String, postLogoutRedirectURI: String) async -> String? {
        guard let document = try? await discovery(), let endpoint = document.endSessionEndpoint else { return nil }
        let query = OIDCForm.encode([("id_token_hint", idToken), ("post_logout_redirect_uri", postLogoutRedirectURI),
                                     ("client_id", settings.clientID), ("state", OIDCRandom.token())])
        return endpoint + (endpoint.contains("?") ? "&" : "?") + query
    }
}
