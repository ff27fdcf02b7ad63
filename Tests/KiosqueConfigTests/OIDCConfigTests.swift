import Foundation
import KiosqueConfig
import KiosqueModel
import Testing

/// The `auth.oidc:` section of channels.yml (issue 14): the contract, presets, and what `kiosque check` reports.
@Suite("OpenID Connect configuration")
struct OIDCConfigTests {
    @Test func contractExampleIsRead() throws {
        let yaml = """
        auth:
          oidc:
            - id: keycloak
              title: "Compte de la mairie"
              issuer: "https://sso.ville.local/realms/agents"
              client_id: kiosque
              client_secret_env: KIOSQUE_TEST_OIDC_SECRET
              scopes: [openid, profile, email, groups]
              claims: { login: preferred_username, name: name, email: email, groups: groups }
              acr_values: [loa-2]
              mfa_acr_values: [loa-3]
            - id: proconnect
              preset: proconnect
              issuer: "https://auth.agentconnect.gouv.fr/api/v2"
              client_id: "abc123"
              client_secret_file: /etc/kiosque/proconnect-secret
        """ + "\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.map(\.message).contains { $0.contains("KIOSQUE_TEST_OIDC_SECRET is not set") })
        #expect(warnings.contains { $0.message.contains("proconnect-secret cannot be read") && $0.location?.line == 16 })
        let providers = config.auth.oidc
        #expect(providers.map(\.id) == ["keycloak", "proconnect"])
        let keycloak = providers[0]
        #expect(keycloak.title == "Compte de la mairie" && keycloak.issuer == "https://sso.ville.local/realms/agents")
        #expect(keycloak.clientID == "kiosque" && keycloak.clientSecret == .environment("KIOSQUE_TEST_OIDC_SECRET"))
        #expect(keycloak.scopes == ["openid", "profile", "email", "groups"] && keycloak.groupsClaim == "groups")
        #expect(keycloak.acrValues == ["loa-2"] && keycloak.mfaACRValues == ["loa-3"] && !keycloak.isProConnect)
        let proconnect = providers[1]
        #expect(proconnect.isProConnect && proconnect.title == "ProConnect")
        #expect(proconnect.scopes == ["openid", "email", "given_name", "usual_name", "uid", "siret", "organizational_unit"])
        #expect(proconnect.loginClaim == "uid" && proconnect.nameClaim == "given_name usual_name")
        #expect(proconnect.acrValues == ["eidas1"] && proconnect.mfaACRValues.contains("eidas2"))
        #expect(proconnect.clientSecret == .file("/etc/kiosque/proconnect-secret"))
    }

    static let entry = "auth:\n  oidc:\n    - id: sso\n      issuer: \"https://sso.example.org\"\n      client_id: k\n"

    @Test(arguments: [
        (entry + "      client_secret_env: S\n      client_secert_file: x\n", 7, 7, "unknown key `client_secert_file` (did you mean `client_secret_file`?)"),
        (entry, 3, 7, "auth.oidc `sso` needs `client_secret_env` or `client_secret_file`"),
        (entry + "      client_secret: hunter2\n", 6, 7, "never write the client secret in channels.yml"),
        ("auth:\n  oidc:\n    - id: sso\n      issuer: \"ftp://sso.example.org\"\n      client_id: k\n      client_secret_env: S\n", 4, 15,
         "`issuer` must be an https address"),
        ("auth:\n  oidc:\n    - id: sso\n      issuer: \"http://sso.example.org\"\n      client_id: k\n      client_secret_env: S\n", 4, 15,
         "`issuer` must be an https address"),
        (entry + "      client_secret_env: S\n    - id: sso\n      issuer: \"https://b.example.org\"\n      client_id: k\n      client_secret_env: S\n",
         7, 7, "duplicate `auth.oidc` id `sso` (first declared at line 3)"),
        ("auth:\n  oidc:\n    - id: \"Mon SSO\"\n      issuer: \"https://sso.example.org\"\n      client_id: k\n      client_secret_env: S\n", 3, 11,
         "`auth.oidc.id` must be lowercase letters"),
        (entry + "      client_secret_env: S\n      preset: franceconnect\n", 7, 15, "`auth.oidc.preset` must be proconnect"),
        (entry + "      client_secret_env: \"NOT A NAME\"\n", 6, 26, "must name an environment variable"),
        (entry + "      client_secret_env: S\n      claims: { login: \"pre ferred\" }\n", 7, 24, "`claims.login` must be a claim name"),
        ("auth:\n  oidc:\n    - id: sso\n      client_id: k\n      client_secret_env: S\n", 3, 7, "needs `issuer`"),
        ("auth:\n  oidc: { id: sso }\n", 2, 9, "`auth.oidc` must be a list"),
    ])
    func brokenEntriesPointAtTheField(yaml: String, line: Int, column: Int, message: String) throws {
        expectConfigError(yaml + validBase, containing: message, line: line, column: column)
    }

    @Test func loopbackIssuerMayBePlainHTTP() throws {
        let yaml = "auth:\n  oidc:\n    - id: local\n      issuer: \"http://127.0.0.1:8081/\"\n      client_id: k\n      client_secret_env: PATH\n"
        let (config, _) = try ConfigLoader.parse(yaml + validBase)
        #expect(config.auth.oidc.first?.issuer == "http://127.0.0.1:8081/")
        #expect(config.auth.oidc.first?.title == "local", "the id when no title is given")
    }
}
