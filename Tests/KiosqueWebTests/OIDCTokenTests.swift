import Foundation
import JWTKit
import KiosqueConfig
import KiosqueIdentity
@testable import KiosqueWeb
import KiosqueTestServer
import Synchronization
import Testing

/// Tokens a provider never signed, or signed for someone else, are refused. The keys are the test's own
/// (an RSA key from openssl, an ES256 key), published as a JWKS with a discovery document and a token
/// endpoint by the test HTTP server; the client reaches them through the portal's libcurl transport.
/// The real provider's flow is in OIDCSignInTests.
@Suite("OpenID Connect token checks (forged tokens)", .serialized)
final class OIDCTokenTests: @unchecked Sendable {
    let forge = Forge()
    let server: TestHTTPServer
    let rsa: Insecure.RSA.PrivateKey
    let otherRSA: Insecure.RSA.PrivateKey
    let ec = ES256PrivateKey()
    let transport = CurlOIDCTransport(engine: OIDCSetup.engine(for: PortalConfiguration()))

    /// What the test server answers: the JWKS, the token endpoint's id_token, the userinfo answer.
    final class Forge: Sendable {
        let state = Mutex<(jwks: String, idToken: String, userinfo: (type: String, body: String))>(("{\"keys\":[]}", "", ("application/json", "{}")))
        let jwksFetches = Atomic<Int>(0)
        let port = Atomic<Int>(0)

        var handler: @Sendable (TestRequest) -> TestResponse {
            var router = TestRouter()
            router.on("/.well-known/openid-configuration") { _ in
                let base = "http://127.0.0.1:\(self.port.load(ordering: .relaxed))"
                return .ok("""
                    {"issuer":"\(base)","authorization_endpoint":"\(base)/authorize","token_endpoint":"\(base)/token",
                     "userinfo_endpoint":"\(base)/userinfo","jwks_uri":"\(base)/jwks","end_session_endpoint":"\(base)/logout"}
                    """, contentType: "application/json")
            }
            router.on("/jwks") { _ in
                self.jwksFetches.add(1, ordering: .relaxed)
                return .ok(self.state.withLock { $0.jwks }, contentType: "application/json")
            }
            router.on("/token") { _ in
                let token = self.state.withLock { $0.idToken }
                return .ok("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"id_token\":\"\(token)\"}", contentType: "application/json")
            }
            router.on("/userinfo") { _ in
                let (type, body) = self.state.withLock { $0.userinfo }
                return .ok(body, contentType: type)
            }
            return router.handler
        }
    }

    init() throws {
        rsa = try Self.rsaKey()
        otherRSA = try Self.rsaKey()
        server = try TestHTTPServer(handler: forge.handler)
        forge.port.store(Int(server.port), ordering: .relaxed)
        try publish(rsa: ["rsa-1": rsa], ec: ["ec-1": ec])
    }

    deinit {
        server.shutdown()
    }

    static func rsaKey() throws -> Insecure.RSA.PrivateKey {
        let path = NSTemporaryDirectory() + "kiosque-test-rsa-\(UUID().uuidString).pem"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try Insecure.RSA.PrivateKey(pem: String(contentsOfFile: path, encoding: .utf8))
    }

    /// Publishes the public halves of these keys as the provider's JWKS.
    func publish(rsa: [String: Insecure.RSA.PrivateKey], ec: [String: ES256PrivateKey]) throws {
        var keys: [[String: String]] = []
        for (kid, key) in rsa {
            let (n, e) = try key.publicKey.getKeyPrimitives()
            keys.append(["kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": n.base64URLEncoded, "e": e.base64URLEncoded])
        }
        for (kid, key) in ec {
            let (x, y) = try #require(key.publicKey.parameters)
            keys.append(["kty": "EC", "kid": kid, "crv": "P-256", "alg": "ES256", "use": "sig", "x": x, "y": y])
        }
        // Keys that are not for signing, or not readable by jwt-kit, sit beside them (as in Keycloak's set).
        let (n, e) = try otherRSA.publicKey.getKeyPrimitives()
        keys.append(["kty": "RSA", "kid": "enc-1", "use": "enc", "alg": "RSA-OAEP", "n": n.base64URLEncoded, "e": e.base64URLEncoded])
        keys.append(["kty": "oct", "kid": "hmac-1", "k": "c2VjcmV0"])
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self)
        forge.state.withLock { $0.jwks = json }
    }

    struct Forged: JWTPayload {
        var iss: String
        var sub: String
        var aud: [String]
        var exp: Int
        var iat: Int
        var nonce: String
        var acr: String?
        var preferred_username: String?
        var azp: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A token with the right claims for `nonce`, changed by `change`, signed with the given key.
    func token(nonce: String, kid: String = "rsa-1", key: Insecure.RSA.PrivateKey? = nil, es: ES256PrivateKey? = nil,
               change: (inout Forged) -> Void = { _ in }) async throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var payload = Forged(iss: server.baseURL, sub: "agent-42", aud: ["kiosque"], exp: now + 300, iat: now, nonce: nonce,
                             acr: "eidas1", preferred_username: "martine", azp: nil)
        change(&payload)
        let keys = JWTKeyCollection()
        if let es { await keys.add(ecdsa: es, kid: JWKIdentifier(string: kid)) } else {
            await keys.add(rsa: key ?? rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        }
        return try await keys.sign(payload, kid: JWKIdentifier(string: kid))
    }

    func client(refetch: Duration = .seconds(30)) -> OIDCClient {
        let settings = OIDCProviderSettings(id: "forge", title: "Forge", issuer: server.baseURL, clientID: "kiosque", clientSecret: "s",
                                            acrValues: ["eidas1"])
        return OIDCClient(settings: settings, transport: transport, keyRefetchInterval: refetch)
    }

    /// Runs the code exchange with `idToken` at the token endpoint; the result of the client's checks.
    func outcome(_ client: OIDCClient, idToken make: (String) async throws -> String) async throws -> Result<OIDCPerson, OIDCError> {
        let (_, pending) = try await client.authorization(redirectURI: "http://kiosque.test/connexion/oidc/forge/retour")
        let idToken = try await make(pending.nonce)
        forge.state.withLock { $0.idToken = idToken; $0.userinfo = ("application/json", "{\"sub\":\"agent-42\",\"name\":\"Martine Dupuis\"}") }
        return await client.completion(code: "code-1", redirectURI: "http://kiosque.test/connexion/oidc/forge/retour", pending: pending)
    }

    @Test func rs256AndES256TokensFromThePublishedKeysAreAccepted() async throws {
        let client = client()
        let person = try await outcome(client) { try await self.token(nonce: $0) }.get()
        #expect(person.subject == "agent-42" && person.login == "martine" && person.name == "Martine Dupuis" && person.acr == "eidas1")
        let viaEC = try await outcome(client) { try await self.token(nonce: $0, kid: "ec-1", es: self.ec) }.get()
        #expect(viaEC.subject == "agent-42")
    }

    @Test(arguments: ["signature", "audience", "nonce", "expired", "issuer", "future", "azp"])
    func tamperedTokensAreRefused(_ tampering: String) async throws {
        let client = client()
        let result = try await outcome(client) { nonce in
            switch tampering {
            case "signature": try await self.token(nonce: nonce, key: self.otherRSA)  // kid rsa-1, another key
            case "audience": try await self.token(nonce: nonce) { $0.aud = ["someone-else"] }
            case "nonce": try await self.token(nonce: "a-nonce-this-sign-in-never-sent-0123456789")
            case "expired": try await self.token(nonce: nonce) { $0.exp -= 3_600; $0.iat -= 3_600 }
            case "issuer": try await self.token(nonce: nonce) { $0.iss = "https://evil.example.org" }
            case "future": try await self.token(nonce: nonce) { $0.iat += 3_600; $0.exp += 3_600 }
            default: try await self.token(nonce: nonce) { $0.aud = ["kiosque", "other"]; $0.azp = "other" }
            }
        }
        let expected: OIDCError? = switch tampering {
        case "audience": .wrongAudience
        case "nonce": .wrongNonce
        case "expired": .expired
        case "issuer": .wrongIssuer
        case "future": .issuedInTheFuture
        case "azp": .wrongAudience
        default: nil
        }
        switch result {
        case .success: Issue.record("\(tampering): accepted")
        case .failure(let error):
            if let expected { #expect(error == expected, "\(tampering)") } else if tampering == "signature" {
                guard case .badSignature = error else { Issue.record("signature: \(error)"); return }
            }
        }
    }

    @Test func unsignedAndHMACTokensAreRefused() async throws {
        let client = client()
        for alg in ["none", "HS256"] {
            let result = try await outcome(client) { nonce in
                let real = try await self.token(nonce: nonce)
                let parts = real.split(separator: ".")
                let header = Data("{\"alg\":\"\(alg)\",\"kid\":\"rsa-1\",\"typ\":\"JWT\"}".utf8).base64URLEncoded
                return header + "." + parts[1] + "." + (alg == "none" ? "" : parts[2])
            }
            guard case .failure(.badSignature(let detail)) = result else { Issue.record("\(alg): \(result)"); continue }
            #expect(detail == "algorithm \(alg) refused")
        }
    }

    @Test func aRotatedKeyIsFetchedOnceWhenATokenNamesIt() async throws {
        try publish(rsa: ["rsa-1": rsa], ec: [:])
        let client = client(refetch: .zero)
        forge.jwksFetches.store(0, ordering: .relaxed)
        _ = try await outcome(client) { try await self.token(nonce: $0) }.get()
        #expect(forge.jwksFetches.load(ordering: .relaxed) == 1)
        _ = try await outcome(client) { try await self.token(nonce: $0) }.get()
        #expect(forge.jwksFetches.load(ordering: .relaxed) == 1, "cached")
        let rotated = try Self.rsaKey()
        try publish(rsa: ["rsa-2": rotated], ec: [:])
        let person = try await outcome(client) { try await self.token(nonce: $0, kid: "rsa-2", key: rotated) }.get()
        #expect(person.subject == "agent-42")
        #expect(forge.jwksFetches.load(ordering: .relaxed) == 2, "fetched again for the unknown kid")
        let old = try await outcome(client) { try await self.token(nonce: $0, kid: "rsa-1") }
        guard case .failure(.badSignature) = old else { Issue.record("a key no longer published still worked: \(old)"); return }
        try publish(rsa: ["rsa-1": rsa], ec: ["ec-1": ec])
    }

    @Test func userinfoAboutSomeoneElseOrBadlySignedIsRefused() async throws {
        let client = client()
        let (_, pending) = try await client.authorization(redirectURI: "http://kiosque.test/r")
        let idToken = try await token(nonce: pending.nonce)
        forge.state.withLock { $0.idToken = idToken; $0.userinfo = ("application/json", "{\"sub\":\"agent-99\",\"name\":\"Mallory\"}") }
        let other = await client.completion(code: "c", redirectURI: "http://kiosque.test/r", pending: pending)
        #expect(other.failureReason == "userinfo: sub differs from the id_token's")

        let (_, second) = try await client.authorization(redirectURI: "http://kiosque.test/r")
        let secondToken = try await token(nonce: second.nonce)
        let forgedUserinfo = try await token(nonce: "n", key: otherRSA) { $0.preferred_username = "admin" }
        forge.state.withLock { $0.idToken = secondToken; $0.userinfo = ("application/jwt", forgedUserinfo) }
        let forged = await client.completion(code: "c", redirectURI: "http://kiosque.test/r", pending: second)
        #expect(forged.failureReason?.hasPrefix("userinfo: id_token signature") == true, "\(forged)")

        let (_, third) = try await client.authorization(redirectURI: "http://kiosque.test/r")
        let thirdToken = try await token(nonce: third.nonce)
        let signedUserinfo = try await token(nonce: "n", kid: "ec-1", es: ec) { $0.preferred_username = "martine.d" }
        forge.state.withLock { $0.idToken = thirdToken; $0.userinfo = ("application/jwt", signedUserinfo) }
        let person = try await client.completion(code: "c", redirectURI: "http://kiosque.test/r", pending: third).get()
        #expect(person.login == "martine.d", "a userinfo JWT signed with a published key is read (ProConnect's way)")
    }
}

extension Result where Failure == OIDCError {
    var failureReason: String? {
        if case .failure(let error) = self { return error.reason }
        return nil
    }
}
