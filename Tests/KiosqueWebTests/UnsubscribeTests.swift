import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueMail
import KiosqueStore
@testable import KiosqueWeb
import Testing

/// One-click unsubscribe from the digest (RFC 8058): signed links, no session, no CSRF token.
@Suite("One-click unsubscribe")
struct UnsubscribeTests {
    @Test func signedLinkConfirmsOnGetAndUnsubscribesOnOneClickPost() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        let agent = try await fixture.store.createUser(NewUser(login: "lea", name: "Léa", email: "lea@ville.example"))
        var update = UserUpdate()
        update.digestFrequency = "daily"
        try await fixture.store.updateUser(id: agent.id, update)
        let signer = try #require(UnsubscribeSigner(keyFile: fixture.dataDirectory + "/kiosque.key"))
        let path = signer.path(userID: agent.id, kind: "digest")
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: path, method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<form method=\"post\""))
            #expect(try await store.user(id: agent.id)?.digestFrequency == "daily", "a GET changes nothing")

            // Another agent's id with this signature, or a forged signature: refused.
            let forged = path.replacingOccurrences(of: "u=\(agent.id)", with: "u=\(agent.id + 1)")
            #expect(try await client.execute(uri: forged, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "List-Unsubscribe=One-Click")).status == .notFound)

            // What a mail client sends: no cookie, no CSRF token, an unrelated Origin.
            let post = try await client.execute(uri: path, method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://mail.example"],
                                                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(post.status == .ok)
            #expect(try await store.user(id: agent.id)?.digestFrequency == "never")
        }
    }
}
