public import Foundation

/// Generated feeds for benchmarks: `/feeds/N.xml` is RSS 2.0 for even N and Atom for odd N, with an
/// ETag and Last-Modified per generation, 304 on a matching validator, and an artificial latency.
public final class FeedFarm: Sendable {
    /// Seconds every request waits before its answer (the remote sites' round trip).
    public let latency: TimeInterval
    /// Items in each generated feed.
    public let itemsPerFeed: Int
    /// The current generation with its dates already formatted: formatters are slow to build per request.
    private struct Generation {
        var number: Int
        var lastModified: String
        var atomStamp: String

        init(_ number: Int) {
            let modified = Date(timeIntervalSince1970: 1_750_000_000 + Double(number) * 3600)
            self.number = number
            lastModified = TestDocuments.httpDate(modified)
            atomStamp = ISO8601DateFormatter().string(from: modified)
        }
    }
    private let generation = Locked(Generation(1))

    /// A farm whose feeds each hold `itemsPerFeed` items and answer after `latency` seconds.
    public init(latency: TimeInterval = 0.05, itemsPerFeed: Int = 20) {
        self.latency = latency
        self.itemsPerFeed = itemsPerFeed
    }

    /// Starts a server on a free loopback port serving this farm (and the fault paths).
    public func start() throws -> TestHTTPServer {
        var router = TestRouter()
        router.installFaults()
        router.on(prefix: "/feeds/") { [self] request in respond(to: request) }
        return try TestHTTPServer(handler: router.handler)
    }

    /// The URL of feed `index` on `server`.
    public func url(_ index: Int, on server: TestHTTPServer) -> String {
        server.url("/feeds/\(index).xml")
    }

    /// Publishes a new item in every feed: new validators, so the next cycle downloads everything again.
    public func publish() {
        generation.withLock { $0 = Generation($0.number + 1) }
    }

    /// Answers one `/feeds/N.xml` request.
    public func respond(to request: TestRequest) -> TestResponse {
        let name = request.path.dropFirst("/feeds/".count)
        guard name.hasSuffix(".xml"), let index = Int(name.dropLast(4)), index >= 0 else {
            return TestResponse(status: 404, latency: latency)
        }
        let current = generation.withLock { $0 }
        let etag = "\"feed-\(index)-g\(current.number)\""
        let lastModified = current.lastModified
        let validators: [(name: String, value: String)] = [("ETag", etag), ("Last-Modified", lastModified)]
        let unchanged = request.header("If-None-Match").map { $0 == etag }
            ?? (request.header("If-Modified-Since") == lastModified)
        if unchanged {
            return TestResponse(status: 304, headers: validators, latency: latency)
        }
        let atom = index % 2 == 1
        let body = atom ? atomFeed(index, generation: current.number, updated: current.atomStamp)
                        : rssFeed(index, generation: current.number, updated: lastModified)
        let type = atom ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8"
        return TestResponse(status: 200, headers: [("Content-Type", type)] + validators,
                            body: .data(Data(body.utf8)), latency: latency)
    }

    private func rssFeed(_ index: Int, generation: Int, updated: String) -> String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Source \(index)</title>
            <link>http://127.0.0.1/sources/\(index)</link><description>Generated feed \(index)</description>
            <lastBuildDate>\(updated)</lastBuildDate>

            """
        for item in stride(from: generation + itemsPerFeed - 1, through: generation, by: -1) {
            text += """
                <item><title>Source \(index), news \(item)</title>
                <link>http://127.0.0.1/sources/\(index)/\(item)</link><guid>s\(index)-\(item)</guid>
                <description>&lt;p&gt;Compte rendu n°\(item) de la source \(index) : délibérations, travaux, \
                horaires et annonces de la semaine.&lt;/p&gt;</description></item>

                """
        }
        return text + "</channel></rss>\n"
    }

    private func atomFeed(_ index: Int, generation: Int, updated stamp: String) -> String {
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Source \(index)</title>
            <id>urn:kiosque:source:\(index)</id><updated>\(stamp)</updated>
            <link href="http://127.0.0.1/sources/\(index)"/>

            """
        for item in stride(from: generation + itemsPerFeed - 1, through: generation, by: -1) {
            text += """
                <entry><title>Source \(index), news \(item)</title><id>urn:kiosque:\(index):\(item)</id>
                <link href="http://127.0.0.1/sources/\(index)/\(item)"/><updated>\(stamp)</updated>
                <content type="html">&lt;p&gt;Compte rendu n°\(item) de la source \(index) : délibérations, \
                travaux, horaires et annonces de la semaine.&lt;/p&gt;</content></entry>

                """
        }
        return text + "</feed>\n"
    }
}
