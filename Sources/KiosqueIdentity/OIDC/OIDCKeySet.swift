import Foundation
import JWTKit
import KiosqueModel

/// A provider's signing keys (its JWKS), fetched when first needed and again when a token names a key
/// the set does not hold (the provider rotated its keys), at most once per `refetchInterval`.
actor OIDCKeySet {
    private let url: String
    private let transport: any OIDCTransport
    private let refetchInterval: Duration
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?

    init(url: String, transport: any OIDCTransport, refetchInterval: Duration) {
        self.url = url
        self.transport = transport
        self.refetchInterval = refetchInterval
    }

    /// Algorithms accepted on the provider's tokens: RSA and ECDSA signatures only (never `none` nor an
    /// HMAC, which would turn the client secret, or a public key, into a signing key).
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "ES256", "ES384"]

    /// Checks `token`'s signature and decodes its payload as `Payload`; throws `badSignature`.
    func verify<Payload: JWTPayload>(_ token: String, as _: Payload.Type) async throws(OIDCError) -> Payload {
        let header = try Self.header(of: token)
        guard let alg = header.alg, Self.algorithms.contains(alg) else {
            throw .badSignature("algorithm \(header.alg ?? "none") refused")
        }
        var collection = try await current()
        if let kid = header.kid, !kids.contains(kid), fetchedAt.map({ $0.duration(to: .now) >= refetchInterval }) ?? true {
            collection = try await refetch()
        }
        if let kid = header.kid, !kids.contains(kid) { throw .badSignature("unknown key \(kid)") }
        if header.kid == nil, kids.count != 1 { throw .badSignature("no key id, and the provider has \(kids.count) keys") }
        do {
            return try await collection.verify(token, as: Payload.self)
        } catch {
            throw .badSignature("\(error)".prefix(200).description)
        }
    }

    private func current() async throws(OIDCError) -> JWTKeyCollection {
        if let keys { return keys }
        return try await refetch()
    }

    private func refetch() async throws(OIDCError) -> JWTKeyCollection {
        fetchedAt = .now
        let answer: OIDCHTTPResponse
        do { answer = try await transport.get(url, headers: [:], accept: "application/jwk-set+json, application/json") } catch {
            throw .unreachable("JWKS: \(error)")
        }
        // Key by key: a set also holding keys jwt-kit cannot read (an encryption key such as RSA-OAEP, an
        // `oct` key; Keycloak publishes one) must still yield its signing keys.
        guard let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
              let entries = object["keys"] as? [[String: Any]] else { throw .unreachable("JWKS is not a key set") }
        let signing = entries.filter { ($0["use"] as? String).map { $0 == "sig" } ?? true }
        let collection = JWTKeyCollection()
        var found: Set<String> = []
        for entry in signing {
            // Keys without an id are not for us (a set of one key without id still works).
            guard let kid = entry["kid"] as? String ?? (signing.count == 1 ? "" : nil),
                  let data = try? JSONSerialization.data(withJSONObject: entry), var key = try? JSONDecoder().decode(JWK.self, from: data)
            else { continue }
            if key.keyIdentifier == nil { key.keyIdentifier = JWKIdentifier(string: kid) }
            if (try? await collection.add(jwk: key)) != nil { found.insert(kid) }
        }
        keys = collection
        kids = found
        return collection
    }

    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    /// The token's header, read before any check to pick the key (never trusted beyond that).
    static func header(of token: String) throws(OIDCError) -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: data) else { throw .badSignature("not a signed JWT") }
        return header
    }

    /// The payload's claims as JSON values (read after the signature was checked).
    static func claims(of token: String) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[1])) else { return [:] }
        return (try? JSONDecoder().decode(Claims.self, from: data)) ?? [:]
    }
}
