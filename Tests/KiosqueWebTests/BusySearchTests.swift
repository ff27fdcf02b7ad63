import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStoreTesting
@testable import KiosqueStorePostgres
@testable import KiosqueWeb
import Testing

/// Searches under overload on PostgreSQL (issue 18): once the store's search queue is full, an agent
/// is told at once to try again (503 with Retry-After, in French; JSON for the API) instead of
/// waiting behind more work than the page could wait for; when the queue moves, the search answers.
struct BusySearchTests {
    @Test func aFullSearchQueueAnswers503WithRetryAfterThenSearchesAgain() async throws {
        let fixture = try await WebFixture.make(backend: StoreBackends.postgres)
        let store = try #require(fixture.store as? PostgresStore)
        let gate = store.searchGate
        for _ in 0..<gate.limit { try await gate.enter() }
        let waiters = (0..<gate.maximumWaiting).map { _ in Task { try await gate.enter() } }
        while gate.load.waiting < gate.maximumWaiting { try await Task.sleep(for: .milliseconds(5)) }
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let page = try await browser.get(client, "/recherche?q=pare-feu")
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers[.retryAfter] == String(ErrorPageMiddleware.busyRetrySeconds))
            #expect(page.body.string.contains("Trop de recherches sont en cours"))
            let api = try await browser.get(client, "/api/v1/search?q=pare-feu")
            #expect(api.status == .serviceUnavailable)
            #expect(api.headers[.retryAfter] != nil)
            #expect(api.body.string.contains(#""code":"busy""#))
            #expect(gate.load.waiting == gate.maximumWaiting)

            for waiter in waiters { waiter.cancel() }
            for waiter in waiters { _ = try? await waiter.value }
            for _ in 0..<gate.limit { gate.leave() }
            let again = try await browser.get(client, "/recherche?q=pare-feu")
            #expect(again.status == .ok)
            #expect(again.body.string.contains("Faille critique dans un pare-feu"))
        }
        #expect(gate.load.running == 0 && gate.load.waiting == 0)
    }
}
