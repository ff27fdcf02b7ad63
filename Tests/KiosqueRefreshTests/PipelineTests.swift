import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueModel
import KiosqueRefresh
import KiosqueStore
import KiosqueTestServer
import Synchronization
import Testing

/// A server whose answers a test can switch between calls.
final class Switchboard: Sendable {
    private let state = Mutex<@Sendable (TestRequest) -> TestResponse>({ _ in .status(404) })
    func set(_ route: @escaping @Sendable (TestRequest) -> TestResponse) { state.withLock { $0 = route } }
    func respond(_ request: TestRequest) -> TestResponse { state.withLock { $0 }(request) }
}

/// The refresh pipeline against a real HTTP server on 127.0.0.1, a real SQLite file and cache folder.
struct PipelineFixture {
    let server: TestHTTPServer
    let board: Switchboard
    let pipeline: RefreshPipeline
    let store: AppDatabase
    let source: SourceDefinition

    static func make() async throws -> PipelineFixture {
        let board = Switchboard()
        let server = try TestHTTPServer { board.respond($0) }
        let directory = NSTemporaryDirectory() + "kiosque-refresh-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        let source = SourceDefinition(id: "mairie", url: server.url("/feed.xml"), title: "Mairie")
        var configuration = PortalConfiguration()
        configuration.catalog = Catalog(sources: [source], channels: [ChannelDefinition(id: "vie", title: "Vie", sources: ["mairie"])],
                                        bouquets: [BouquetDefinition(id: "b", title: "B", channels: ["vie"], isDefault: true)])
        let store = try AppDatabase.open(path: directory + "/kiosque.sqlite")
        _ = try await store.syncCatalog(configuration.catalog)
        let pipeline = Self.pipeline(configuration, store: store, directory: directory)
        return PipelineFixture(server: server, board: board, pipeline: pipeline, store: store, source: source)
    }

    /// A pipeline for `configuration` over `store`, its cache in `directory`, never through a proxy.
    static func pipeline(_ configuration: PortalConfiguration, store: AppDatabase, directory: String) -> RefreshPipeline {
        let live = LiveConfiguration(configuration, path: directory + "/channels.yml", store: store)
        var settings = RefreshPipeline.fetchSettings(for: configuration, environment: [:])
        settings.proxy = ""
        settings.timeout = 5
        return RefreshPipeline(configuration: live, engine: HTTPEngine(settings: settings),
                               cache: ResponseCache(directory: URL(fileURLWithPath: directory + "/cache")), store: store)
    }

    static func feed(_ titles: [String]) -> Data {
        let items = titles.enumerated().map { "<item><title>\($1)</title><link>https://mairie.example.org/\($0)</link><guid>g\($0)</guid><description>&lt;p&gt;Texte \($1)&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description></item>" }
        return Data("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Mairie</title><link>https://mairie.example.org/</link>\(items.joined())</channel></rss>".utf8)
    }

    func itemCount() async throws -> Int { try await store.counts()["items"] ?? -1 }
}

@Suite("Refresh pipeline")
struct PipelineTests {
    @Test func conditionalGetCostsNoParsingAndStoresOnce() async throws {
        let f = try await PipelineFixture.make()
        var router = TestRouter()
        router.conditional("/feed.xml", body: PipelineFixture.feed(["Conseil municipal", "Budget"]), contentType: "application/rss+xml",
                           etag: "\"v1\"", lastModified: "Tue, 10 Nov 2026 08:00:00 GMT")
        let handler = router.handler
        f.board.set(handler)
        let first = await f.pipeline.refresh(f.source)
        #expect(first.attempt.succeeded && first.attempt.newItems == 2 && first.attempt.httpStatus == 200)
        let second = await f.pipeline.refresh(f.source)
        #expect(second.attempt.notModified && second.attempt.httpStatus == 304 && second.attempt.newItems == 0)
        #expect(f.server.requests(path: "/feed.xml").last?.header("If-None-Match") == "\"v1\"")
        #expect(try await f.itemCount() == 2)
        let health = try #require(try await f.store.health(sourceID: "mairie"))
        #expect(health.consecutiveFailures == 0 && health.lastSuccessAt != nil)
        #expect(try #require(health.nextAttemptAt) > Date())
    }

    @Test func unchangedBodyWithoutValidatorsIsNotParsedAgain() async throws {
        let f = try await PipelineFixture.make()
        let body = PipelineFixture.feed(["Travaux"])
        f.board.set { _ in .ok(body, contentType: "application/rss+xml") }
        #expect(await f.pipeline.refresh(f.source).attempt.newItems == 1)
        let again = await f.pipeline.refresh(f.source).attempt
        #expect(again.notModified && again.succeeded)
    }

    @Test func storedContentIsSanitized() async throws {
        let f = try await PipelineFixture.make()
        f.board.set { _ in .ok(PipelineFixture.feed(["Alerte"]), contentType: "application/rss+xml") }
        _ = await f.pipeline.refresh(f.source)
        let results = try await f.store.search(query: "alerte", userID: nil)
        let id = try #require(results.items.first?.item.id)
        let item = try await f.store.item(id: id, userID: 0)
        #expect(item.contentHTML == "<p>Texte Alerte</p>")
        #expect(item.summary.summary == "Texte Alerte")
    }

    @Test func failureKeepsPreviousDataAndBacksOff() async throws {
        let f = try await PipelineFixture.make()
        f.board.set { _ in .ok(PipelineFixture.feed(["Un", "Deux"]), contentType: "application/rss+xml") }
        _ = await f.pipeline.refresh(f.source)
        f.board.set { _ in .status(503, headers: [("Retry-After", "7200")]) }
        let failed = await f.pipeline.refresh(f.source)
        #expect(failed.attempt.errorClass == .http5xx && failed.attempt.httpStatus == 503)
        #expect(failed.nextAttempt.timeIntervalSinceNow >= 7_100, "Retry-After is honoured")
        #expect(try await f.itemCount() == 2, "nothing already stored is lost")
        #expect(try await f.store.health(sourceID: "mairie")?.consecutiveFailures == 1)
        #expect(f.pipeline.cache.load(sourceID: "mairie") != nil, "the last good body stays in the cache")
        f.board.set { _ in .status(500) }
        _ = await f.pipeline.refresh(f.source)
        #expect(try await f.store.health(sourceID: "mairie")?.consecutiveFailures == 2)
    }

    @Test func htmlPageIsNotAFeedAndItsFeedsAreReported() async throws {
        let f = try await PipelineFixture.make()
        f.board.set { _ in .ok("<html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\"></head><body>x</body></html>",
                              contentType: "text/html") }
        let attempt = await f.pipeline.refresh(f.source).attempt
        #expect(attempt.errorClass == .notAFeed)
        #expect(attempt.discoveredFeeds == [f.server.url("/atom.xml")])
        let recorded = try #require(try await f.store.health(sourceID: "mairie")?.lastAttempt)
        #expect(recorded.discoveredFeeds == attempt.discoveredFeeds)
    }

    @Test func permanentRedirectIsReportedNotApplied() async throws {
        let f = try await PipelineFixture.make()
        let moved = f.server.url("/nouveau.xml")
        f.board.set { request in
            request.path == "/feed.xml" ? .redirect(301, to: moved) : .ok(PipelineFixture.feed(["A"]), contentType: "application/rss+xml")
        }
        let attempt = await f.pipeline.refresh(f.source).attempt
        #expect(attempt.succeeded && attempt.permanentRedirect == moved)
        #expect(attempt.newItems == 1)
    }

    @Test func dueSourcesFollowTheSchedule() async throws {
        let f = try await PipelineFixture.make()
        f.board.set { _ in .ok(PipelineFixture.feed(["A"]), contentType: "application/rss+xml") }
        #expect(await RefreshScheduler.dueSources([f.source], store: f.store, now: Date()).map(\.id) == ["mairie"])
        _ = await f.pipeline.refresh(f.source)
        #expect(await RefreshScheduler.dueSources([f.source], store: f.store, now: Date()).isEmpty)
        #expect(await RefreshScheduler.dueSources([f.source], store: f.store, now: Date().addingTimeInterval(3 * 3_600)).count == 1)
    }
}
