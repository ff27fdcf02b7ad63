import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// Every page names the portal's icon, and the /favicon.ico browsers ask for on pages that name
/// none (the digest preview) leads to it instead of a 404, signed in or not.
@Suite("Portal icon")
struct FaviconTests {
    @Test func pagesNameTheIconAndFaviconIcoLeadsToIt() async throws {
        let fixture = try await WebFixture.make()
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/connexion", method: .get)
            #expect(page.body.string.contains(#"<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">"#))
            let ico = try await client.execute(uri: "/favicon.ico", method: .get)
            #expect(ico.status == .movedPermanently)
            #expect(ico.headers[.location] == "/static/favicon.svg")
            let icon = try await client.execute(uri: "/static/favicon.svg", method: .get)
            #expect(icon.status == .ok)
            #expect(icon.headers[.contentType] == "image/svg+xml")
            #expect(icon.body.string.hasPrefix("<svg"))
        }
    }
}
