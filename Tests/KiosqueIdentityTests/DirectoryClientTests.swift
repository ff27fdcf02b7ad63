import Foundation
import KiosqueIdentity
import KiosqueTestServer
import Testing

/// One real slapd for the whole suite (started before its first test, SIGKILLed after its last).
struct TownHallDirectory: SuiteTrait, TestScoping {
    @TaskLocal static var server: SlapdServer?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await SlapdServer.startTownHall()
        defer { server.shutdown() }
        try await Self.$server.withValue(server) { try await function() }
    }

    /// Settings for the town hall as channels.yml would give them, with `carole` failing the filter.
    static func settings(_ server: SlapdServer) -> DirectorySettings {
        var settings = DirectorySettings(url: server.url, baseDN: "ou=agents,\(server.suffix)")
        settings.bindDN = "cn=kiosque,ou=services,\(server.suffix)"
        settings.bindPassword = "kiosque-pw"
        settings.userFilter = "(&(objectClass=inetOrgPerson)(uid={login})(!(employeeType=disabled)))"
        settings.connectTimeout = 2
        settings.timeout = 2
        return settings
    }
}

@Suite("Directory sign-in against a real slapd", .serialized, .timeLimit(.minutes(2)), TownHallDirectory())
struct DirectoryClientTests {
    let server: SlapdServer
    let client: DirectoryClient

    init() throws {
        server = try #require(TownHallDirectory.server)
        client = DirectoryClient(settings: TownHallDirectory.settings(server))
    }

    @Test func rightPasswordReadsThePersonAndTheirGroups() async throws {
        let person = try await client.authenticate(login: "alice", password: "alice-pw")
        #expect(person.dn == "uid=alice,ou=agents,dc=ville,dc=local")
        #expect(person.login == "alice")
        #expect(person.name == "Alice Martin")
        #expect(person.email == "alice@ville.local")
        #expect(Set(person.groups.map { $0.lowercased() })
                == ["cn=urbanisme,ou=groups,dc=ville,dc=local", "cn=communication,ou=groups,dc=ville,dc=local"])
    }

    @Test func groupSearchWhenTheEntryHasNoGroupAttribute() async throws {
        var settings = TownHallDirectory.settings(server)
        settings.attributes.groups = nil
        let person = try await DirectoryClient(settings: settings).authenticate(login: "alice", password: "alice-pw")
        #expect(Set(person.groups.map { $0.lowercased() })
                == ["cn=urbanisme,ou=groups,dc=ville,dc=local", "cn=communication,ou=groups,dc=ville,dc=local"])
        let bob = try await DirectoryClient(settings: settings).authenticate(login: "bob", password: "bob-pw")
        #expect(bob.groups.isEmpty)
    }

    @Test func wrongPasswordIsRefused() async throws {
        await #expect(throws: DirectoryError.wrongPassword) { try await client.authenticate(login: "alice", password: "bob-pw") }
    }

    @Test func emptyPasswordIsRefusedBeforeAnyBind() async throws {
        // An empty simple bind would be an anonymous bind, which slapd accepts.
        await #expect(throws: DirectoryError.emptyPassword) { try await client.authenticate(login: "alice", password: "") }
        // Refused even when the directory is unreachable: no bind was tried.
        var settings = TownHallDirectory.settings(server)
        settings.url = "ldap://127.0.0.1:\(try reserveLoopbackPort())"
        await #expect(throws: DirectoryError.emptyPassword) {
            try await DirectoryClient(settings: settings).authenticate(login: "alice", password: "")
        }
    }

    @Test(arguments: ["*", "*)(uid=*", "alice)(|(uid=*", "*)(|(objectClass=*", "al*", "alice\u{0}", "\\2a"])
    func filterInjectionFindsNobody(_ login: String) async throws {
        await #expect(throws: DirectoryError.unknownPerson) { try await client.authenticate(login: login, password: "alice-pw") }
    }

    @Test func filterValuesAreEscapedPerRFC4515() {
        #expect(LDAPFilter.escape("*)(uid=*") == "\\2a\\29\\28uid=\\2a")
        #expect(LDAPFilter.escape("a\\b\u{0}") == "a\\5cb\\00")
        #expect(LDAPFilter.userFilter("(uid={login})", login: "é*") == "(uid=é\\2a)")
    }

    @Test func unknownAndDisabledPeopleCannotSignIn() async throws {
        await #expect(throws: DirectoryError.unknownPerson) { try await client.authenticate(login: "mallory", password: "x") }
        // carole's password is right, but her entry fails the filter (employeeType=disabled).
        await #expect(throws: DirectoryError.unknownPerson) { try await client.authenticate(login: "carole", password: "carole-pw") }
    }

    @Test func wrongServicePasswordIsAConfigurationError() async throws {
        var settings = TownHallDirectory.settings(server)
        settings.bindPassword = "nope"
        await #expect {
            try await DirectoryClient(settings: settings).authenticate(login: "alice", password: "alice-pw")
        } throws: { error in
            if case .serviceBindFailed = error as? DirectoryError { return true }
            return false
        }
    }

    @Test func peopleTellsWhoIsStillThere() async throws {
        let found = try await client.people(logins: ["alice", "carole", "ghost"])
        #expect(found["alice"]??.email == "alice@ville.local")
        #expect(found["carole"] == .some(nil))
        #expect(found["ghost"] == .some(nil))
    }

    @Test func directoryDownFailsQuickly() async throws {
        var settings = TownHallDirectory.settings(server)
        settings.url = "ldap://127.0.0.1:\(try reserveLoopbackPort())"  // nothing listens
        let start = Date()
        await #expect {
            try await DirectoryClient(settings: settings).authenticate(login: "alice", password: "alice-pw")
        } throws: { error in
            if case .unreachable = error as? DirectoryError { return true }
            return false
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func hungDirectoryTimesOut() async throws {
        let silent = try SilentListener()  // accepts TCP, never answers
        var settings = TownHallDirectory.settings(server)
        settings.url = "ldap://127.0.0.1:\(silent.port)"
        settings.timeout = 1
        let start = Date()
        await #expect(throws: DirectoryError.self) {
            try await DirectoryClient(settings: settings).authenticate(login: "alice", password: "alice-pw")
        }
        #expect(Date().timeIntervalSince(start) < 5, "a server that never answers must not hold a sign-in")
        withExtendedLifetime(silent) {}
    }

    @Test func groupBaseDefaultsToTheDomainSuffix() {
        #expect(DirectorySettings(url: "ldap://x", baseDN: "ou=agents,dc=ville,dc=local").effectiveGroupBaseDN == "dc=ville,dc=local")
        #expect(DistinguishedName.components("cn=a\\,b, ou=g ,dc=x") == ["cn=a\\,b", "ou=g", "dc=x"])
    }
}

/// ldaps:// and StartTLS against slapd with a throw-away certificate: trusted through `caFile`,
/// refused without it.
@Suite("Directory over TLS (real slapd)", .serialized, .timeLimit(.minutes(2)))
struct DirectoryTLSTests {
    @Test func ldapsAndStartTLSNeedTheCAFile() async throws {
        let certificate = try SelfSignedCertificate()
        let server = try await SlapdServer.startTownHall(certificate: certificate)
        defer { server.shutdown() }
        var ldaps = TownHallDirectory.settings(server)
        ldaps.url = try #require(server.tlsURL)
        ldaps.caFile = certificate.certificatePath
        #expect(try await DirectoryClient(settings: ldaps).authenticate(login: "alice", password: "alice-pw").login == "alice")
        ldaps.caFile = nil
        await #expect(throws: DirectoryError.self, "a certificate nobody vouches for") {
            try await DirectoryClient(settings: ldaps).authenticate(login: "alice", password: "alice-pw")
        }
        var startTLS = TownHallDirectory.settings(server)
        startTLS.startTLS = true
        startTLS.caFile = certificate.certificatePath
        #expect(try await DirectoryClient(settings: startTLS).authenticate(login: "alice", password: "alice-pw").login == "alice")
        await #expect(throws: DirectoryError.wrongPassword) {
            try await DirectoryClient(settings: startTLS).authenticate(login: "alice", password: "nope")
        }
        startTLS.caFile = nil
        await #expect(throws: DirectoryError.self, "StartTLS without a trusted certificate") {
            try await DirectoryClient(settings: startTLS).authenticate(login: "alice", password: "alice-pw")
        }
    }
}
