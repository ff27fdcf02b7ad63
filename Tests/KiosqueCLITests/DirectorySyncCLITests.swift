import Foundation
import KiosqueStore
import KiosqueTestServer
import Testing

/// `kiosque directory sync [--dry-run]` and `kiosque check` on `auth.ldap`, through the real binary
/// against a real slapd (started for this suite, SIGKILLed at its end).
@Suite("kiosque directory sync", .serialized, .timeLimit(.minutes(2)))
struct DirectorySyncCLITests {
    @Test func syncDisablesWhoTheDirectoryNoLongerReturnsAndRefreshesTheOthers() async throws {
        let slapd = try await SlapdServer.startTownHall()
        defer { slapd.shutdown() }
        let portal = try Portal.make()
        let secret = portal.directory.appendingPathComponent("ldap-password").path
        try "kiosque-pw\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let yaml = try String(contentsOfFile: portal.config, encoding: .utf8) + """

            auth:
              ldap:
                url: "\(slapd.url)"
                bind_dn: "cn=kiosque,ou=services,\(slapd.suffix)"
                bind_password_file: ldap-password
                base_dn: "ou=agents,\(slapd.suffix)"
                user_filter: "(&(objectClass=inetOrgPerson)(uid={login})(!(employeeType=disabled)))"
                attributes: { login: uid, name: displayName, email: mail, groups: memberOf }
                timeout: 3s
            """
        try yaml.write(toFile: portal.config, atomically: true, encoding: .utf8)
        #expect(try await portal.run(["check"]).status == 0)
        // Two agents provisioned from the directory earlier: alice (her e-mail has changed since)
        // and carole (disabled in the directory since: her entry now fails the filter).
        try FileManager.default.createDirectory(at: portal.directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let store = try AppDatabase.open(path: portal.directory.appendingPathComponent("data/kiosque.sqlite").path)
        for (login, email) in [("alice", "a.martin@ancienne.example"), ("carole", "carole@ville.local")] {
            let user = try await store.createUser(NewUser(login: login, name: login, email: email))
            try await store.confirmDirectoryAccount(userID: user.id, dn: "uid=\(login),ou=agents,\(slapd.suffix)", groups: [])
        }
        let dryRun = try await portal.run(["directory", "sync", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would change carole: disabled"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("would change alice: email a.martin@ancienne.example → alice@ville.local"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("would change alice: name alice → Alice Martin"), "\(dryRun.stdout)")
        #expect(try await store.user(login: "carole")?.isDisabled == false, "--dry-run writes nothing")
        #expect(try await store.user(login: "alice")?.email == "a.martin@ancienne.example", "--dry-run writes nothing")

        let sync = try await portal.run(["directory", "sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("carole: disabled") && !sync.stdout.contains("would"), "\(sync.stdout)")
        #expect(try await store.user(login: "carole")?.isDisabled == true)
        let alice = try await store.user(login: "alice")
        #expect(alice?.email == "alice@ville.local" && alice?.name == "Alice Martin")
        #expect(try await store.directoryLink(userID: alice?.id ?? 0)?.groups.count == 2, "memberOf read")
        #expect(try await portal.run(["directory", "sync"]).stdout.contains("nothing to change"))

        slapd.shutdown()
        let down = try await portal.run(["directory", "sync"])
        #expect(down.status == 1 && down.stderr.contains("the directory did not answer"), "\(down.stderr)")
    }

    @Test func checkReportsDirectoryMistakesWithLineAndColumn() async throws {
        let portal = try Portal.make()
        let yaml = try String(contentsOfFile: portal.config, encoding: .utf8) + """

            auth:
              ldap:
                url: "ldap://annuaire.ville.local"
                allow_insecure: true
                bind_dn: "cn=kiosque,dc=ville,dc=local"
                bind_password_env: KIOSQUE_TEST_UNSET_LDAP_SECRET
                base_dn: "dc=ville,dc=local"
                sync_intervall: 24h
            """
        try yaml.write(toFile: portal.config, atomically: true, encoding: .utf8)
        let check = try await portal.run(["check"])
        #expect(check.status == 1)
        let output = check.stdout + check.stderr
        #expect(output.contains("channels.yml:15:5") && output.contains("unknown key `sync_intervall` (did you mean `sync_interval`?)"), "\(output)")
        #expect(output.contains("channels.yml:11:5") && output.contains("passwords cross the network in clear"), "\(output)")
        #expect(output.contains("channels.yml:13:24") && output.contains("KIOSQUE_TEST_UNSET_LDAP_SECRET is not set"), "\(output)")
    }
}
