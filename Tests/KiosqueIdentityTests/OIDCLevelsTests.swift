import Foundation
@testable import KiosqueIdentity
import Testing

/// The authentication level rules of OpenID Connect sign-in: the `acr` returned against the one asked,
/// and when `acr`/`amr` say the provider checked a second factor.
@Suite("OpenID Connect levels")
struct OIDCLevelsTests {
    @Test(arguments: [
        ("eidas1", ["eidas1"], true), ("eidas2", ["eidas1"], true), ("eidas1", ["eidas2"], false), ("eidas3", ["eidas2", "eidas3"], true),
        ("loa-3", ["loa-2"], true), ("loa-1", ["loa-2"], false), ("eidas2", ["loa-1"], false), ("gold", ["gold"], true),
        ("silver", ["gold"], false), (nil, ["eidas1"], false), (nil, [], true), ("anything", [], true),
        ("https://proconnect.gouv.fr/assurance/self-asserted-2fa", ["https://proconnect.gouv.fr/assurance/self-asserted-2fa"], true),
        ("https://proconnect.gouv.fr/assurance/self-asserted", ["https://proconnect.gouv.fr/assurance/self-asserted-2fa"], false),
    ] as [(String?, [String], Bool)])
    func returnedLevelMeetsTheAskedOne(returned: String?, asked: [String], accepted: Bool) {
        #expect(OIDCLevels.satisfies(returned: returned, asked: asked) == accepted)
    }

    @Test func multiFactorFromACROrAMR() {
        let mfa = OIDCProviderSettings.proConnectMFALevels
        #expect(OIDCLevels.multiFactor(acr: "eidas2", amr: [], mfaACRValues: mfa))
        #expect(OIDCLevels.multiFactor(acr: "https://proconnect.gouv.fr/assurance/consistency-checked-2fa", amr: [], mfaACRValues: mfa))
        #expect(!OIDCLevels.multiFactor(acr: "eidas1", amr: ["pwd"], mfaACRValues: mfa))
        #expect(OIDCLevels.multiFactor(acr: "eidas1", amr: ["mfa"], mfaACRValues: mfa))
        #expect(OIDCLevels.multiFactor(acr: nil, amr: ["pwd", "totp"], mfaACRValues: []))
        #expect(!OIDCLevels.multiFactor(acr: nil, amr: ["pwd", "mail"], mfaACRValues: []), "two knowledge-like methods are not two factors")
        #expect(!OIDCLevels.multiFactor(acr: nil, amr: ["otp"], mfaACRValues: []), "one method alone")
    }

    @Test func proConnectsClaimsParameterAsksAMRAndTheLevels() throws {
        let text = OIDCClient.claimsRequest(acrValues: ["eidas1"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: [String: Any]]])
        #expect(json["id_token"]?["amr"]?["essential"] as? Bool == true)
        #expect(json["id_token"]?["acr"]?["essential"] as? Bool == true)
        #expect(json["id_token"]?["acr"]?["values"] as? [String] == ["eidas1"])
    }

    @Test func formEncodingEscapesEverythingButUnreserved() {
        #expect(OIDCForm.encode([("redirect_uri", "https://x.fr/a b?c=d&e"), ("scope", "openid email")])
                == "redirect_uri=https%3A%2F%2Fx.fr%2Fa%20b%3Fc%3Dd%26e&scope=openid%20email")
        #expect(OIDCRandom.token().count == 43 && OIDCRandom.token() != OIDCRandom.token())
        // RFC 7636 appendix B.
        #expect(OIDCRandom.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func discoveryMustStayOnTheIssuerAndOnHTTPS() throws {
        func document(_ issuer: String, token: String = "https://sso.example.org/token") -> OIDCMetadata {
            try! JSONDecoder().decode(OIDCMetadata.self, from: Data("""
                {"issuer":"\(issuer)","authorization_endpoint":"https://sso.example.org/auth","token_endpoint":"\(token)",
                 "jwks_uri":"https://sso.example.org/jwks"}
                """.utf8))
        }
        #expect((try? document("https://sso.example.org/").validated(issuer: "https://sso.example.org")) != nil)
        #expect(throws: OIDCError.self) { try document("https://evil.example.org").validated(issuer: "https://sso.example.org") }
        #expect(throws: OIDCError.self) {
            try document("https://sso.example.org", token: "http://sso.example.org/token").validated(issuer: "https://sso.example.org")
        }
        #expect(OIDCMetadata.isAcceptableEndpoint("http://127.0.0.1:8080/token"))
        #expect(!OIDCMetadata.isAcceptableEndpoint("file:///etc/passwd"))
    }
}
