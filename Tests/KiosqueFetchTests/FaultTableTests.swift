import Foundation
import KiosqueFetch
import KiosqueModel
import KiosqueTestServer
import Testing

/// One row of the issue's fault table: where the misbehaviour lives and how it must be classified.
struct FaultCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Builds the URL from the test server's base URL.
    let url: @Sendable (String) -> String
    let expected: FetchErrorClass
    var status: Int?
    var retryAfter: ClosedRange<Double>?

    var testDescription: String { name }

    static func path(_ fault: Fault, _ expected: FetchErrorClass, status: Int? = nil,
                     retryAfter: ClosedRange<Double>? = nil) -> FaultCase {
        FaultCase(name: fault.rawValue, url: { $0 + fault.rawValue }, expected: expected, status: status,
                  retryAfter: retryAfter)
    }

    static let all: [FaultCase] = [
        .path(.hang, .timeout),
        .path(.trickle, .timeout),
        .path(.reset, .connect),
        .path(.emptyReply, .connect),
        .path(.serverError, .http5xx, status: 500),
        .path(.unavailable, .http5xx, status: 503, retryAfter: 120...120),
        .path(.tooManyRequests, .rateLimited, status: 429, retryAfter: 80...91),
        .path(.notFound, .http4xx, status: 404),
        .path(.unauthorized, .credentials, status: 401),
        .path(.redirectLoop, .redirect),
        .path(.redirectChain, .redirect),
        .path(.redirectToFile, .redirect),
        .path(.redirectWithoutLocation, .redirect, status: 302),
        .path(.huge, .tooLarge),
        .path(.hugeChunked, .tooLarge),
        .path(.gzipBomb, .tooLarge),
        .path(.badGzip, .other),
        // Nothing listens on port 9 (discard) of loopback in the test environment.
        FaultCase(name: "connection refused", url: { _ in "http://127.0.0.1:9/feed.xml" }, expected: .connect),
        // A 70-character label cannot be encoded in a DNS query: the resolver fails locally, no packet leaves.
        FaultCase(name: "unresolvable name", url: { _ in "http://\(String(repeating: "a", count: 70)).invalid/feed.xml" },
                  expected: .dns),
        // TLS spoken to a plain-HTTP server: the handshake fails (the self-signed case is in TLSTests).
        FaultCase(name: "https to a plain HTTP server", url: { $0.replacingOccurrences(of: "http://", with: "https://") + "/feed.xml" },
                  expected: .tls),
    ]
}

@Suite("Fault table: each fault ends in time with its class, and never stalls another source")
struct FaultTableTests {
    @Test(arguments: FaultCase.all)
    func faultIsClassifiedWhileAnotherFetchSucceeds(_ fault: FaultCase) async throws {
        // The good source answers after 300 ms, so it is in flight while the fault unfolds.
        let server = try Support.server(goodLatency: 0.3)
        let engine = HTTPEngine(settings: Support.settings())
        let start = ContinuousClock.now
        async let faulty = engine.fetch(FetchRequest(sourceID: "faulty", url: fault.url(server.baseURL)))
        async let healthy = engine.fetch(FetchRequest(sourceID: "healthy", url: server.url("/feed.xml")))
        let (bad, good) = await (faulty, healthy)

        let failure = try #require(bad.failure, "expected a failure, got \(String(describing: bad.value?.status))")
        #expect(failure.errorClass == fault.expected, "\(failure)")
        #expect(!failure.message.isEmpty && !failure.message.contains("\n"))
        if let status = fault.status { #expect(failure.httpStatus == status) }
        let attempt = FetchAttempt(sourceID: "faulty", startedAt: Date(), result: bad)
        #expect(attempt.errorClass == fault.expected && attempt.errorMessage == failure.message && !attempt.succeeded)
        if let range = fault.retryAfter {
            let retryAfter = try #require(failure.retryAfter)
            #expect(range.contains(retryAfter))
        }
        #expect(good.value?.status == 200, "the healthy source must not be stalled: \(String(describing: good.failure))")
        // Not a speed check: a hang detector. Every fault must end near its 1.5 s limit, not run on; the
        // bound is loose because the whole test run shares two cores and a case may wait its turn there
        // for many seconds (17 s was seen), while a fetch without its limit would never end.
        #expect(Support.seconds(since: start) < 60)
    }

    @Test func htmlPageIsFetchedWithItsContentTypeForDiscovery() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings())
        let response = try #require(await engine.fetch(FetchRequest(sourceID: "html", url: server.url(Fault.htmlPage.rawValue))).value)
        #expect(response.contentType == "text/html")
        #expect(response.charset == "utf-8")
        #expect(String(decoding: response.body, as: UTF8.self).contains("application/atom+xml"))
    }

    @Test func wrongContentTypeStillDeliversTheBody() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings())
        let response = try #require(await engine.fetch(FetchRequest(sourceID: "octet", url: server.url(Fault.wrongContentType.rawValue))).value)
        #expect(response.contentType == "application/octet-stream")
        #expect(response.body == Data(TestDocuments.rss.utf8))
    }

    @Test func bodyCapAllowsExactlyMaxBytes() async throws {
        let server = try Support.server { router in
            router.on("/exact", respond: TestResponse(status: 200, body: .repeating(0x41, count: 4096), framing: .chunked))
        }
        let fits = HTTPEngine(settings: Support.settings(maxBytes: 4096))
        #expect(await fits.fetch(FetchRequest(sourceID: "s", url: server.url("/exact"))).value?.body.count == 4096)
        let tooSmall = HTTPEngine(settings: Support.settings(maxBytes: 4095))
        let failure = try #require(await tooSmall.fetch(FetchRequest(sourceID: "s", url: server.url("/exact"))).failure)
        #expect(failure.errorClass == .tooLarge)
        #expect(failure.message.contains("4095 bytes"))
    }
}
