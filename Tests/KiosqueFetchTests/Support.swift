import Foundation
import KiosqueFetch
import KiosqueModel
import KiosqueTestServer
import Testing

/// Shared helpers: short timeouts so fault tests end quickly, a server with the fault table installed.
enum Support {
    /// Test settings: 1.5 s per fetch, a 1 MB cap, and no proxy from the environment (hermetic tests).
    static func settings(timeout: TimeInterval = 1.5, maxBytes: Int = 1 << 20, concurrency: Int = 8,
                         perHost: Int = 4) -> FetchSettings {
        FetchSettings(timeout: timeout, connectTimeout: 1, maxBytes: maxBytes, concurrency: concurrency,
                      perHost: perHost, proxy: "", lowSpeedTime: 1)
    }

    /// The bytes of a file in Fixtures/.
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }

    /// A server answering the fault paths, `/feed.xml` (a small valid feed, after `goodLatency`), and `extra` routes.
    static func server(goodLatency: TimeInterval = 0, _ extra: (inout TestRouter) -> Void = { _ in }) throws -> TestHTTPServer {
        var router = TestRouter()
        router.installFaults()
        var good = TestResponse.ok(TestDocuments.rss)
        good.latency = goodLatency
        router.on("/feed.xml", respond: good)
        extra(&router)
        return try TestHTTPServer(handler: router.handler)
    }

    /// A fresh empty directory under the system's temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let duration = start.duration(to: .now)
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension Result {
    /// The success value, or nil.
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    /// The failure, or nil.
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
