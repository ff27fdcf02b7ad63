public import Foundation

/// The misbehaviours of the fault table, each served at its own path by `TestRouter.installFaults()`.
public enum Fault: String, CaseIterable, Sendable {
    /// Reads the request, never answers.
    case hang = "/fault/hang"
    /// Sends a valid response one byte every 200 ms.
    case trickle = "/fault/trickle"
    /// Resets the TCP connection instead of answering.
    case reset = "/fault/reset"
    /// Closes the connection without a byte.
    case emptyReply = "/fault/empty"
    /// 500 Internal Server Error.
    case serverError = "/fault/500"
    /// 503 with `Retry-After: 120` (seconds form).
    case unavailable = "/fault/503"
    /// 429 with `Retry-After` as an HTTP-date 90 seconds ahead.
    case tooManyRequests = "/fault/429"
    /// 404 Not Found.
    case notFound = "/fault/404"
    /// 401 asking for Basic credentials.
    case unauthorized = "/fault/401"
    /// 302 to /fault/loop-b, which redirects back here.
    case redirectLoop = "/fault/loop-a"
    /// Seven 302 hops in a row, more than the fetcher's five.
    case redirectChain = "/fault/chain/0"
    /// 302 to a file:// URL, which a remote server must never be allowed to reach.
    case redirectToFile = "/fault/to-file"
    /// 302 without a Location header.
    case redirectWithoutLocation = "/fault/no-location"
    /// A 100 MB body announced by Content-Length.
    case huge = "/fault/huge"
    /// A 100 MB body in chunked encoding (no size known in advance).
    case hugeChunked = "/fault/huge-chunked"
    /// About 64 KB of gzip that inflates to 64 MB of zeros.
    case gzipBomb = "/fault/gzip-bomb"
    /// `Content-Encoding: gzip` over bytes that are not gzip.
    case badGzip = "/fault/bad-gzip"
    /// A valid RSS feed served as application/octet-stream.
    case wrongContentType = "/fault/wrong-type"
    /// An HTML page that advertises two feeds instead of being one.
    case htmlPage = "/fault/html"
}

/// Small, valid documents for routes and tests.
public enum TestDocuments {
    /// A minimal valid RSS 2.0 feed.
    public static let rss = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Mairie</title><link>http://127.0.0.1/</link>
        <description>Actualités</description>
        <item><title>Conseil municipal</title><link>http://127.0.0.1/1</link><guid>1</guid></item>
        </channel></rss>
        """

    /// An HTML page advertising an RSS and an Atom feed through `<link rel="alternate">`.
    public static let htmlWithFeedLinks = """
        <!DOCTYPE html><html><head><title>Mairie</title>
        <link rel="alternate" type="application/rss+xml" href="/feeds/rss.xml">
        <link rel="alternate" type="application/atom+xml" href="http://127.0.0.1/feeds/atom.xml">
        </head><body><p>Bienvenue</p></body></html>
        """

    /// An HTTP-date (IMF-fixdate), as servers write Last-Modified and Retry-After.
    public static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// Built once: compressing 64 MB takes a moment and every test can share the result.
private let sharedGzipBomb = Gzip.bomb(decodedSize: 64 << 20)

extension TestRouter {
    /// Registers every `Fault` path.
    public mutating func installFaults() {
        let feed = Data(TestDocuments.rss.utf8)
        // Compress the bomb now, not inside the first request, where the work would look like a slow server.
        let bomb = sharedGzipBomb
        on(Fault.hang.rawValue, respond: .hang)
        on(Fault.trickle.rawValue, respond: TestResponse(
            status: 200, headers: [("Content-Type", "application/rss+xml")], body: .data(feed),
            trickle: (chunkSize: 1, interval: 0.2)))
        on(Fault.reset.rawValue, respond: .reset)
        on(Fault.emptyReply.rawValue, respond: .closeSilently)
        on(Fault.serverError.rawValue, respond: .status(500))
        on(Fault.unavailable.rawValue, respond: .status(503, headers: [("Retry-After", "120")]))
        on(Fault.tooManyRequests.rawValue) { _ in
            .status(429, headers: [("Retry-After", TestDocuments.httpDate(Date().addingTimeInterval(90)))])
        }
        on(Fault.notFound.rawValue, respond: .status(404))
        on(Fault.unauthorized.rawValue, respond: .status(401, headers: [("WWW-Authenticate", "Basic realm=\"test\"")]))
        on(Fault.redirectLoop.rawValue, respond: .redirect(302, to: "/fault/loop-b"))
        on("/fault/loop-b", respond: .redirect(302, to: Fault.redirectLoop.rawValue))
        on(prefix: "/fault/chain/") { request in
            let hop = Int(request.path.dropFirst("/fault/chain/".count)) ?? 0
            return .redirect(302, to: "/fault/chain/\(hop + 1)")
        }
        on(Fault.redirectToFile.rawValue, respond: .redirect(302, to: "file:///etc/hostname"))
        on(Fault.redirectWithoutLocation.rawValue, respond: .status(302))
        on(Fault.huge.rawValue, respond: TestResponse(
            status: 200, headers: [("Content-Type", "application/rss+xml")], body: .repeating(0x20, count: 100 << 20)))
        on(Fault.hugeChunked.rawValue, respond: TestResponse(
            status: 200, headers: [("Content-Type", "application/rss+xml")],
            body: .repeating(0x20, count: 100 << 20), framing: .chunked))
        on(Fault.gzipBomb.rawValue, respond: .ok(bomb, contentType: "application/rss+xml", headers: [("Content-Encoding", "gzip")]))
        on(Fault.badGzip.rawValue, respond: .ok(Data("this is not gzip at all".utf8), contentType: "application/rss+xml",
                                                 headers: [("Content-Encoding", "gzip")]))
        on(Fault.wrongContentType.rawValue, respond: .ok(feed, contentType: "application/octet-stream"))
        on(Fault.htmlPage.rawValue, respond: .ok(TestDocuments.htmlWithFeedLinks, contentType: "text/html; charset=utf-8"))
    }
}
