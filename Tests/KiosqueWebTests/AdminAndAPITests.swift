import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

@Suite("Administration and JSON API")
struct AdminAndAPITests {
    @Test(arguments: StoreBackends.all) func adminPagesAreForAdminsOnly(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            #expect(try await bruno.get(client, "/admin").status == .forbidden)
            #expect(try await bruno.get(client, "/admin/utilisateurs").status == .forbidden)
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            let admin = try await alice.get(client, "/admin")
            #expect(admin.status == .ok)
            #expect(admin.body.string.contains("CERT test"))
            #expect(admin.body.string.contains("Jamais récupérée"))
            #expect(try await alice.get(client, "/admin/sources/cert").status == .ok)
            #expect(try await alice.get(client, "/admin/sources/inconnue").status == .notFound)
        }
    }

    @Test(arguments: StoreBackends.all) func reloadWithABrokenFileKeepsTheRunningConfiguration(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let live = fixture.live
        let path = fixture.dataDirectory + "/channels.yml"
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try await fixture.application().test(.router) { client in
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            try (good + "\nunknown_section: 1\n").write(toFile: path, atomically: true, encoding: .utf8)
            let token = try await alice.csrf(client)
            let refused = try await alice.post(client, "/admin/recharger", [("_csrf", token)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.string.contains("unknown key `unknown_section`"))
            #expect(live.current.catalog.sources.count == 2)
            try good.replacingOccurrences(of: "title: \"Presse test\"", with: "title: \"Presse renommée\"")
            .write(toFile: path, atomically: true, encoding: .utf8)
            let applied = try await alice.post(client, "/admin/recharger", [("_csrf", token)])
            #expect(applied.status == .ok)
            #expect(live.current.catalog.sources.first { $0.id == "presse" }?.title == "Presse renommée")
        }
    }

    @Test(arguments: StoreBackends.all) func adminManagesAccounts(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            let token = try await alice.csrf(client)
            let created = try await alice.post(client, "/admin/utilisateurs", [("_csrf", token), ("login", "chloe"), ("name", "Chloé")])
            #expect(created.status == .ok)
            let chloe = try #require(try await store.user(login: "chloe"))
            #expect(try await alice.post(client, "/admin/utilisateurs/\(chloe.id)/desactiver", [("_csrf", token)]).status == .ok)
            #expect(try await store.user(login: "chloe")?.isDisabled == true)
            let duplicate = try await alice.post(client, "/admin/utilisateurs", [("_csrf", token), ("login", "chloe")])
            #expect(duplicate.status == .conflict)
        }
    }

    @Test(arguments: StoreBackends.all) func apiRefusesWithExactStatuses(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            let none = try await client.execute(uri: "/api/v1/channels", method: .get)
            #expect(none.status == .unauthorized)
            #expect(none.body.string.contains("\"code\":\"unauthenticated\""))
            let bad = try await client.execute(uri: "/api/v1/channels", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(bad.status == .unauthorized)
            #expect(bad.body.string.contains("invalid_token"))
            let bruno = try #require(try await store.user(login: "bruno"))
            let (token, hash) = AccountTools.newAPIToken()
            var update = UserUpdate()
            update.apiTokenHash = .some(hash)
            _ = try await store.updateUser(id: bruno.id, update)
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let channels = try await client.execute(uri: "/api/v1/channels", method: .get, headers: auth)
            #expect(channels.status == .ok)
            #expect(channels.body.string.contains("\"id\":\"securite\""))
            let malformed = try await client.execute(uri: "/api/v1/subscriptions", method: .post, headers: auth, body: ByteBuffer(string: "{nope"))
                #expect(malformed.status == .badRequest)
                let unknown = try await client.execute(uri: "/api/v1/subscriptions", method: .post, headers: auth, body: ByteBuffer(string: #"{"channel":"zzz"}"#))
                #expect(unknown.status == .notFound)
                let subscribed = try await client.execute(uri: "/api/v1/subscriptions", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"channel":"collectivites"}"#))
                #expect(subscribed.status == .created)
                let items = try await client.execute(uri: "/api/v1/items?channel=collectivites", method: .get, headers: auth)
                #expect(items.body.string.contains("Le conseil municipal vote le budget"))
                #expect(try await client.execute(uri: "/api/v1/items/424242/read", method: .post, headers: auth).status == .notFound)
                #expect(try await client.execute(uri: "/api/v1/sources", method: .get, headers: auth).status == .forbidden)
                #expect(try await client.execute(uri: "/api/v1/search", method: .get, headers: auth).status == .badRequest)
                #expect(try await client.execute(uri: "/api/v1/subscriptions/collectivites", method: .delete, headers: auth).status == .noContent)
            }
        }

        @Test(arguments: StoreBackends.all) func channelAtomFeedIsPublicAndParsesBack(_ backend: StoreBackend) async throws {
            let fixture = try await WebFixture.make(backend: backend)
            try await fixture.application().test(.router) { client in
                let feed = try await client.execute(uri: "/canaux/securite.atom", method: .get)
                #expect(feed.status == .ok)
                #expect(feed.headers[.contentType]?.hasPrefix("application/atom+xml") == true)
                let xml = feed.body.string
                #expect(xml.contains("<title type=\"text\">Bulletin &lt;hebdomadaire&gt; &amp; &quot;sécurité&quot;</title>"))
                #expect(try await client.execute(uri: "/canaux/inconnu.atom", method: .get).status == .notFound)
            }
        }
    }
