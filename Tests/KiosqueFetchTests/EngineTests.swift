import Foundation
import KiosqueFetch
import KiosqueModel
import KiosqueTestServer
import Testing

@Suite("HTTP engine against a real loopback server")
struct EngineTests {
    @Test func conditionalGetReturns304WithoutBody() async throws {
        let feed = try Support.fixture("municipal-council-40-items.xml")
        let server = try Support.server { router in
            router.conditional("/cond.xml", body: feed, contentType: "application/rss+xml",
                               etag: "\"v1\"", lastModified: "Mon, 03 Mar 2025 18:30:00 GMT")
        }
        let engine = HTTPEngine(settings: Support.settings())
        let first = try #require(await engine.fetch(FetchRequest(sourceID: "c", url: server.url("/cond.xml"))).value)
        #expect(first.status == 200 && !first.notModified && first.body == feed)
        #expect(first.httpVersion == "1.1") // cleartext HTTP never upgrades to h2 (CURL_HTTP_VERSION_2TLS)
        #expect(first.etag == "\"v1\"")
        #expect(first.lastModified == "Mon, 03 Mar 2025 18:30:00 GMT")

        let again = FetchRequest(sourceID: "c", url: server.url("/cond.xml"), etag: first.etag, lastModified: first.lastModified)
        let second = try #require(await engine.fetch(again).value)
        #expect(second.status == 304 && second.notModified && second.body.isEmpty)
        #expect(second.etag == "\"v1\"")
        #expect(second.bytesDownloaded < first.bytesDownloaded / 10)
        let attempt = FetchAttempt(sourceID: "c", startedAt: Date(), result: .success(second))
        #expect(attempt.succeeded && attempt.notModified && attempt.httpStatus == 304)
        #expect(FetchOutcome(.success(second)) == .success)
        let sent = try #require(server.requests(path: "/cond.xml").last)
        #expect(sent.header("If-None-Match") == "\"v1\"")
        #expect(sent.header("If-Modified-Since") == "Mon, 03 Mar 2025 18:30:00 GMT")

        // A server that only knows dates still answers 304 on If-Modified-Since alone.
        let dateOnly = FetchRequest(sourceID: "c", url: server.url("/cond.xml"), lastModified: first.lastModified)
        #expect(await engine.fetch(dateOnly).value?.notModified == true)
    }

    @Test func gzipBodyIsDecodedAndCountedCompressed() async throws {
        let feed = try Support.fixture("municipal-council-40-items.xml")
        let server = try Support.server { router in
            router.on("/gz.xml") { request in
                let wantsGzip = request.header("Accept-Encoding")?.contains("gzip") == true
                return wantsGzip
                    ? .ok(Gzip.compress(feed), contentType: "application/rss+xml", headers: [("Content-Encoding", "gzip")])
                    : .ok(feed, contentType: "application/rss+xml")
            }
        }
        let engine = HTTPEngine(settings: Support.settings())
        let response = try #require(await engine.fetch(FetchRequest(sourceID: "g", url: server.url("/gz.xml"))).value)
        #expect(response.body == feed)
        #expect(response.headers["content-encoding"] == "gzip")
        #expect(response.bytesDownloaded < Int64(feed.count) / 3)
    }

    @Test func permanentRedirectIsReportedNotHidden() async throws {
        let server = try Support.server { router in
            router.on("/old", respond: .redirect(301, to: "/moved"))
            router.on("/moved", respond: .redirect(308, to: "/feed.xml"))
            router.on("/temporary", respond: .redirect(302, to: "/feed.xml"))
            router.on("/mixed", respond: .redirect(301, to: "/temporary"))
        }
        let engine = HTTPEngine(settings: Support.settings())
        let moved = try #require(await engine.fetch(FetchRequest(sourceID: "r", url: server.url("/old"))).value)
        #expect(moved.permanentRedirect == server.url("/feed.xml"))
        #expect(moved.finalURL == server.url("/feed.xml"))
        #expect(moved.status == 200)

        let temporary = try #require(await engine.fetch(FetchRequest(sourceID: "r", url: server.url("/temporary"))).value)
        #expect(temporary.permanentRedirect == nil)
        #expect(temporary.finalURL == server.url("/feed.xml"))

        // Only the permanent part of a chain is advice for IT: 301 to /temporary, which then moves on.
        let mixed = try #require(await engine.fetch(FetchRequest(sourceID: "r", url: server.url("/mixed"))).value)
        #expect(mixed.permanentRedirect == server.url("/temporary"))
    }

    @Test func redirectLoopIsNamed() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings())
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "l", url: server.url(Fault.redirectLoop.rawValue))).failure)
        #expect(failure.errorClass == .redirect)
        #expect(failure.message.contains("loop"))
        #expect(server.requests(path: "/fault/loop-b").count == 1)
    }

    @Test func perHostLimitIsHonoured() async throws {
        let server = try Support.server { router in
            var slow = TestResponse.ok(TestDocuments.rss)
            slow.latency = 0.2
            router.on("/slow.xml", respond: slow)
        }
        let engine = HTTPEngine(settings: Support.settings(concurrency: 8, perHost: 2))
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<6 {
                group.addTask { await engine.fetch(FetchRequest(sourceID: "s\(index)", url: server.url("/slow.xml"))).value != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 6))
        #expect(server.stats.maxInFlight == 2)
    }

    @Test func globalConcurrencyIsHonouredAcrossHosts() async throws {
        let counter = InFlightCounter()
        let handler: @Sendable (TestRequest) -> TestResponse = { _ in
            counter.enter()
            Thread.sleep(forTimeInterval: 0.2)
            counter.leave()
            return .ok(TestDocuments.rss)
        }
        let servers = try (0..<3).map { _ in try TestHTTPServer(handler: handler) }
        let engine = HTTPEngine(settings: Support.settings(concurrency: 3, perHost: 3))
        await withTaskGroup(of: Void.self) { group in
            for (index, server) in servers.enumerated() {
                for path in 0..<3 {
                    group.addTask { _ = await engine.fetch(FetchRequest(sourceID: "h\(index)-\(path)", url: server.url("/\(path)"))) }
                }
            }
        }
        #expect(counter.maximum == 3)
    }

    @Test func connectionsAreReused() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings())
        for index in 0..<5 {
            #expect(await engine.fetch(FetchRequest(sourceID: "r\(index)", url: server.url("/feed.xml"))).value?.status == 200)
        }
        #expect(server.stats.connectionsAccepted == 1)
        #expect(server.stats.requestsReceived == 5)
    }

    @Test func cancellingTheTaskAbortsAHangingTransfer() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings(timeout: 60))
        let task = Task { await engine.fetch(FetchRequest(sourceID: "h", url: server.url(Fault.hang.rawValue))) }
        while server.requests(path: Fault.hang.rawValue).isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        let failure = try #require(await task.value.failure)
        #expect(failure.errorClass == .other)
        #expect(failure.message.contains("cancelled"))
    }

    @Test func shutdownEndsQueuedFetches() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings(timeout: 60))
        let task = Task { await engine.fetch(FetchRequest(sourceID: "h", url: server.url(Fault.hang.rawValue))) }
        while server.requests(path: Fault.hang.rawValue).isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        engine.shutdown()
        #expect(await task.value.failure?.message.contains("shut down") == true)
        #expect(await engine.fetch(FetchRequest(sourceID: "late", url: server.url("/feed.xml"))).failure?.errorClass == .other)
    }

    @Test func fileURLsAreRead() async throws {
        let directory = try Support.temporaryDirectory()
        let file = directory.appendingPathComponent("demo.xml")
        try Data(TestDocuments.rss.utf8).write(to: file)
        let engine = HTTPEngine(settings: Support.settings())
        let response = try #require(await engine.fetch(FetchRequest(sourceID: "f", url: file.absoluteString)).value)
        #expect(response.status == 200)
        #expect(response.body == Data(TestDocuments.rss.utf8))
        let missing = await engine.fetch(FetchRequest(sourceID: "f", url: directory.appendingPathComponent("none.xml").absoluteString))
        #expect(missing.failure?.errorClass == .other)
    }

    @Test(arguments: ["ftp://127.0.0.1/feed.xml", "gopher://127.0.0.1/", "not a url", "//127.0.0.1/feed.xml"])
    func otherSchemesAreRefusedBeforeAnyTransfer(_ url: String) async throws {
        let engine = HTTPEngine(settings: Support.settings())
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "x", url: url)).failure)
        #expect(failure.errorClass == .other)
        #expect(failure.message.contains("source x"))
    }

    @Test func userAgentAndAcceptAreSent() async throws {
        let server = try Support.server()
        var settings = Support.settings()
        settings.userAgent = "Kiosque-Test/1.0"
        let engine = HTTPEngine(settings: settings)
        _ = await engine.fetch(FetchRequest(sourceID: "u", url: server.url("/feed.xml")))
        let request = try #require(server.requests(path: "/feed.xml").first)
        #expect(request.header("User-Agent") == "Kiosque-Test/1.0")
        #expect(request.header("Accept")?.hasPrefix("application/rss+xml") == true)
        #expect(request.header("Accept-Encoding")?.contains("gzip") == true)
    }
}

/// Counts requests in progress across several servers.
final class InFlightCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var peak = 0

    func enter() {
        lock.lock()
        current += 1
        peak = max(peak, current)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        current -= 1
        lock.unlock()
    }

    var maximum: Int {
        lock.lock()
        defer { lock.unlock() }
        return peak
    }
}

@Suite("Timeouts")
struct TimeoutTests {
    @Test func totalTimeoutEndsAHangEvenWithoutALowSpeedLimit() async throws {
        let server = try Support.server()
        var settings = Support.settings(timeout: 1)
        settings.lowSpeedTime = 600
        let engine = HTTPEngine(settings: settings)
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "h", url: server.url(Fault.hang.rawValue))).failure)
        #expect(failure.errorClass == .timeout)
        #expect(failure.message.contains("1 s"))
        #expect(failure.duration > 0)
    }

    @Test func timeLimitCoversEveryRedirectHop() async throws {
        let server = try Support.server { router in
            var slowRedirect = TestResponse.redirect(302, to: "/slow-2")
            slowRedirect.latency = 0.6
            router.on("/slow-1", respond: slowRedirect)
            var slowFeed = TestResponse.ok(TestDocuments.rss)
            slowFeed.latency = 0.6
            router.on("/slow-2", respond: slowFeed)
        }
        var settings = Support.settings(timeout: 1)
        settings.lowSpeedTime = 600
        let engine = HTTPEngine(settings: settings)
        // Each hop fits in 1 s, both together do not.
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "r", url: server.url("/slow-1"))).failure)
        #expect(failure.errorClass == .timeout)
    }
}
