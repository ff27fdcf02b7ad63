import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueModel
import KiosqueRefresh
@testable import KiosqueStore
import KiosqueTestServer
import Testing

/// A fetch cycle over many sources (the parallel pipeline with grouped writes), against a real
/// HTTP server on 127.0.0.1 and a real SQLite file.
/// Attempts as a cycle reports them; a source reported twice would be a bug.
actor Reported {
    var attempts: [String: FetchAttempt] = [:]
    var duplicates = 0
    func add(_ attempt: FetchAttempt) {
        if attempts.updateValue(attempt, forKey: attempt.sourceID) != nil { duplicates += 1 }
    }
}

@Suite("Refresh cycle")
struct CycleTests {
    static let goodCount = 40

    /// Forty good feeds with validators, one that is not a feed, one that answers 500, and one
    /// configured but unknown to the store (removed from it meanwhile: its batch write fails).
    struct Farm {
        let server: TestHTTPServer
        let pipeline: RefreshPipeline
        let store: AppDatabase
        let sources: [SourceDefinition]

        static func make() async throws -> Farm {
            var router = TestRouter()
            for n in 0..<CycleTests.goodCount {
                let items = (0..<3).map { k in
                    "<item><title>Source \(n) article \(k)</title><link>https://s\(n).example.org/\(k)</link><guid>s\(n)-\(k)</guid>"
                        + "<description>&lt;p&gt;Texte \(n) \(k) à lire&lt;/p&gt;</description></item>"
                }
                let body = Data("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>S\(n)</title>\(items.joined())</channel></rss>".utf8)
                router.conditional("/feed/\(n).xml", body: body, contentType: "application/rss+xml",
                                   etag: "\"s\(n)\"", lastModified: "Tue, 10 Nov 2026 08:00:00 GMT")
            }
            router.on("/broken.xml", respond: .ok("<html><body>Maintenance</body></html>", contentType: "text/html"))
            router.on("/error.xml", respond: .status(500))
            router.conditional("/ghost.xml", body: Data("<rss version=\"2.0\"><channel><title>G</title><item><guid>g</guid><title>G</title></item></channel></rss>".utf8),
                               contentType: "application/rss+xml", etag: "\"g\"", lastModified: "Tue, 10 Nov 2026 08:00:00 GMT")
            let server = try TestHTTPServer(handler: router.handler)
            var sources = (0..<CycleTests.goodCount).map { SourceDefinition(id: "s\($0)", url: server.url("/feed/\($0).xml"), title: "S\($0)") }
            sources.insert(SourceDefinition(id: "broken", url: server.url("/broken.xml"), title: "Broken"), at: 7)
            sources.insert(SourceDefinition(id: "error", url: server.url("/error.xml"), title: "Error"), at: 19)
            let ghost = SourceDefinition(id: "ghost", url: server.url("/ghost.xml"), title: "Ghost")
            let directory = NSTemporaryDirectory() + "kiosque-cycle-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
            var configuration = PortalConfiguration()
            configuration.fetch.concurrency = 8
            configuration.catalog = Catalog(sources: sources, channels: [ChannelDefinition(id: "all", title: "All", sources: sources.map(\.id))],
                                            bouquets: [BouquetDefinition(id: "b", title: "B", channels: ["all"], isDefault: true)])
            let store = try AppDatabase.open(path: directory + "/kiosque.sqlite")
            _ = try await store.syncCatalog(configuration.catalog)
            // The ghost is in the running configuration but not in the store.
            configuration.catalog.sources.insert(ghost, at: 30)
            let pipeline = PipelineFixture.pipeline(configuration, store: store, directory: directory)
            return Farm(server: server, pipeline: pipeline, store: store, sources: configuration.catalog.sources)
        }

        func cycle() async -> [String: FetchAttempt] {
            let seen = Reported()
            await RefreshScheduler.refreshAll(sources, pipeline: pipeline, width: 8) { await seen.add($0) }
            #expect(await seen.duplicates == 0, "each source is reported once")
            return await seen.attempts
        }
    }

    @Test func oneBrokenSourceNeverStopsTheOthers() async throws {
        let farm = try await Farm.make()
        defer { farm.pipeline.engine.shutdown() }
        let replayedBefore = IndexTokenReplay.shared.replayed.load(ordering: .relaxed)
        let attempts = await farm.cycle()
        #expect(attempts.count == Self.goodCount + 3, "every source is reported once")
        // The preparers tokenized the items' texts: the store's writer replayed at least each title.
        #expect(IndexTokenReplay.shared.replayed.load(ordering: .relaxed) - replayedBefore >= Self.goodCount * 3)
        #expect(attempts["broken"]?.errorClass == .notAFeed)
        #expect(attempts["error"]?.errorClass == .http5xx)
        #expect(attempts["ghost"]?.errorClass == .storage, "its items had nowhere to go")
        for n in 0..<Self.goodCount {
            let attempt = try #require(attempts["s\(n)"])
            #expect(attempt.succeeded && attempt.newItems == 3, "source s\(n): \(RefreshReport.line(for: attempt))")
        }
        #expect(try await farm.store.counts()["items"] == Self.goodCount * 3, "every good source's items are stored")
        let health = Dictionary(uniqueKeysWithValues: try await farm.store.allHealth().map { ($0.sourceID, $0) })
        #expect(health["s0"]?.consecutiveFailures == 0 && health["s0"]?.lastSuccessAt != nil)
        #expect(health["broken"]?.consecutiveFailures == 1 && health["error"]?.consecutiveFailures == 1)
        #expect(health.values.filter { $0.lastAttempt != nil }.count == Self.goodCount + 2, "every known source's attempt is recorded")
    }

    @Test func secondCycleAsksWithValidatorsAndStoresNothingTwice() async throws {
        let farm = try await Farm.make()
        defer { farm.pipeline.engine.shutdown() }
        _ = await farm.cycle()
        farm.server.resetStats()
        let again = await farm.cycle()
        for n in 0..<Self.goodCount {
            #expect(again["s\(n)"]?.notModified == true && again["s\(n)"]?.httpStatus == 304)
            #expect(farm.server.requests(path: "/feed/\(n).xml").last?.header("If-None-Match") == "\"s\(n)\"")
        }
        #expect(again["ghost"]?.errorClass == .storage, "nothing was cached for it, so it is parsed and refused again")
        #expect(try await farm.store.counts()["items"] == Self.goodCount * 3)
        #expect(try await farm.store.health(sourceID: "error")?.consecutiveFailures == 2)
    }
}
