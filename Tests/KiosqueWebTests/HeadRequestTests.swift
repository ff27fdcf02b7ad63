import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

@Suite("HEAD requests")
struct HeadRequestTests {
    @Test(arguments: StoreBackends.all) func headAnswersLikeGetWithoutTheBody(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            let get = try await client.execute(uri: "/connexion", method: .get)
            let head = try await client.execute(uri: "/connexion", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            #expect(head.headers[.contentSecurityPolicy] != nil)
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            #expect(try await client.execute(uri: "/static/kiosque.css", method: .head).status == .ok)
            let anonymous = try await client.execute(uri: "/", method: .head)
            #expect(anonymous.status == .seeOther, "the same refusal as GET")
            #expect(try await client.execute(uri: "/nulle-part", method: .head).status == .notFound)
        }
    }
}
