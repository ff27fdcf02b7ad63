import Foundation
import KiosqueConfig
import KiosqueModel
import Testing

/// The `auth.ldap:` section of channels.yml (issue 14): the contract, and what `kiosque check` reports.
@Suite("Directory configuration")
struct DirectoryConfigTests {
    @Test func contractExampleIsRead() throws {
        let yaml = """
        auth:
          ldap:
            url: "ldaps://annuaire.ville.local"
            bind_dn: "cn=kiosque,ou=services,dc=ville,dc=local"
            bind_password_file: /etc/kiosque/ldap-password
            base_dn: "ou=agents,dc=ville,dc=local"
            user_filter: "(&(objectClass=inetOrgPerson)(uid={login}))"
            attributes: { login: uid, name: displayName, email: mail, groups: memberOf }
            start_tls: false
            ca_file: /etc/ssl/certs/ville-ca.pem
            sync_interval: 24h
        """ + "\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.map(\.message) == ["`auth.ldap.bind_password_file`: /etc/kiosque/ldap-password cannot be read here; the directory will refuse the service account without it"])
        #expect(warnings.first?.location?.line == 5 && warnings.first?.location?.column == 25)
        let ldap = try #require(config.auth.ldap)
        #expect(ldap.url == "ldaps://annuaire.ville.local")
        #expect(ldap.bindDN == "cn=kiosque,ou=services,dc=ville,dc=local")
        #expect(ldap.bindPassword == .file("/etc/kiosque/ldap-password"))
        #expect(ldap.baseDN == "ou=agents,dc=ville,dc=local")
        #expect(ldap.loginAttribute == "uid" && ldap.nameAttribute == "displayName" && ldap.emailAttribute == "mail")
        #expect(ldap.groupsAttribute == "memberOf")
        #expect(ldap.caFile == "/etc/ssl/certs/ville-ca.pem")
        #expect(ldap.syncInterval == 86_400)
        #expect(!ldap.startTLS && !ldap.allowInsecure)
    }

    @Test func withoutGroupsAttributeGroupsAreSearched() throws {
        let yaml = "auth:\n  ldap:\n    url: ldap://127.0.0.1:3389\n    base_dn: \"dc=x\"\n    attributes: { login: sAMAccountName }\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.isEmpty, "loopback needs no allow_insecure")
        #expect(config.auth.ldap?.loginAttribute == "sAMAccountName")
        #expect(config.auth.ldap?.groupsAttribute == nil)
    }

    @Test(arguments: [
        ("auth:\n  ldap:\n    url: \"https://annuaire\"\n    base_dn: \"dc=x\"\n", 3, 10, "`auth.ldap.url` must be an address such as ldaps://"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    bind_pasword_env: X\n", 5, 5,
         "unknown key `bind_pasword_env` (did you mean `bind_password_env`?)"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    bind_password: hunter2\n", 5, 5,
         "never write the directory password in channels.yml"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    bind_dn: \"cn=k\"\n", 5, 5, "needs `bind_password_env` or"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    user_filter: \"uid=x\"\n", 5, 18, "must be a filter in parentheses"),
        ("auth:\n  ldap:\n    url: \"ldap://annuaire.ville.local\"\n    base_dn: \"dc=x\"\n", 3, 10, "would send agents' passwords in clear"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    start_tls: true\n", 5, 5, "ldaps:// is already encrypted"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n", 3, 5, "`auth.ldap` needs `base_dn`"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    attributes: { login: \"u id\" }\n", 5, 26,
         "must be an attribute name"),
        ("auth:\n  ldap:\n    url: \"ldaps://annuaire\"\n    base_dn: \"dc=x\"\n    attributes: { mail: mail }\n", 5, 19, "unknown key `mail`"),
    ])
    func brokenSectionsPointAtTheField(yaml: String, line: Int, column: Int, message: String) throws {
        expectConfigError(yaml + validBase, containing: message, line: line, column: column)
    }

    @Test func insecureAndMissingSecretAreWarnings() throws {
        let yaml = """
        auth:
          ldap:
            url: "ldap://annuaire.ville.local"
            allow_insecure: true
            bind_dn: "cn=kiosque,ou=services,dc=ville,dc=local"
            bind_password_env: KIOSQUE_TEST_UNSET_LDAP_PASSWORD
            base_dn: "dc=ville,dc=local"
        """ + "\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(config.auth.ldap?.bindPassword == .environment("KIOSQUE_TEST_UNSET_LDAP_PASSWORD"))
        #expect(warnings.contains { $0.message.contains("passwords cross the network in clear") && $0.location?.line == 4 })
        #expect(warnings.contains { $0.message.contains("KIOSQUE_TEST_UNSET_LDAP_PASSWORD is not set") && $0.location?.line == 6 })
    }
}

/// Expects `ConfigLoader.parse(yaml)` to fail with an error containing `message` at `line`:`column`.
func expectConfigError(_ yaml: String, containing message: String, line: Int, column: Int,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    do {
        _ = try ConfigLoader.parse(yaml)
        Issue.record("expected an error containing \(message)", sourceLocation: sourceLocation)
    } catch {
        let found = error.diagnostics.first { $0.message.contains(message) }
        #expect(found != nil, "\(error.diagnostics.map(\.description))", sourceLocation: sourceLocation)
        #expect(found?.location?.line == line && found?.location?.column == column, "\(String(describing: found))",
                sourceLocation: sourceLocation)
    }
}
