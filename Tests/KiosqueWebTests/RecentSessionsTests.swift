import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// Sessions resumed lately are kept in memory: ending or disabling must still take effect on the
/// very next request, even for a session that was just used.
@Suite("Recently resumed sessions")
struct RecentSessionsTests {
    @Test(arguments: StoreBackends.all) func signedOutCookieIsDeadAtOnce(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            #expect(try await bruno.get(client, "/").status == .ok)
            let stolen = bruno  // a copy of the cookie, as a thief would keep it
            let token = try await bruno.csrf(client)
            _ = try await bruno.post(client, "/deconnexion", [("_csrf", token)])
            var thief = stolen
            #expect(try await thief.get(client, "/").status == .seeOther)
        }
    }

    @Test(arguments: StoreBackends.all) func signOutEverywhereAndDisablingEndCachedSessions(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let brunoID = try #require(try await fixture.store.user(login: "bruno")).id
        try await fixture.application().test(.router) { client in
            var office = Browser(), laptop = Browser(), alice = Browser()
            _ = try await office.signIn(client, login: "bruno")
            _ = try await laptop.signIn(client, login: "bruno")
            #expect(try await laptop.get(client, "/").status == .ok)
            let token = try await office.csrf(client)
            _ = try await office.post(client, "/compte/deconnexion-partout", [("_csrf", token)])
            #expect(try await laptop.get(client, "/").status == .seeOther)

            _ = try await laptop.signIn(client, login: "bruno")
            #expect(try await laptop.get(client, "/").status == .ok)
            _ = try await alice.signIn(client, login: "alice")
            let adminToken = try await alice.csrf(client)
            _ = try await alice.post(client, "/admin/utilisateurs/\(brunoID)/desactiver", [("_csrf", adminToken)])
            #expect(try await laptop.get(client, "/").status == .seeOther)
        }
    }
}
