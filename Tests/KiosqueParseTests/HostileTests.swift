// Hostile and not-a-feed inputs: rejected with a one-line reason, or read without expanding
// anything, fetching anything, or going deeper than the bound.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Suite("Hostile inputs") struct HostileTests {
    @Test func billionLaughsIsNeverExpanded() throws {
        let feed = try Fixture.parse("billion-laughs.xml")
        let json = String(decoding: FeedJSON.encode(feed), as: UTF8.self)
        #expect(!json.contains("lollol"))
        #expect(json.utf8.count < 4096)
        #expect(feed.warnings.contains { $0.contains("lol9") })
    }

    @Test(arguments: ["xxe-file-etc-passwd.xml", "xxe-parameter-entity.xml"])
    func externalEntitiesAreNeverRead(file: String) throws {
        let feed = try Fixture.parse(file)
        let json = String(decoding: FeedJSON.encode(feed), as: UTF8.self)
        #expect(!json.contains("root:"))
        #expect(!json.contains("/bin/"))
        #expect(feed.items.count == 1)
    }

    @Test func tenThousandDeepNestingIsBounded() throws {
        let depth = 10_000
        let xml = "<rss version=\"2.0\"><channel><title>Deep</title><item><title>ok</title><guid>d</guid></item>"
            + String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth) + "</channel></rss>"
        let feed = try parseInline(xml)
        #expect(feed.title == "Deep")
        #expect(feed.items.map(\.title) == ["ok"])
        #expect(feed.warnings.contains { $0.contains("nesting") || $0.contains("depth") })
        // The same nesting as the root is not a feed at all.
        #expect(throws: FeedParseError.self) {
            try parseInline(String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth))
        }
    }

    @Test func tenMegabytesOfJunkAreRejected() throws {
        var generator = SplitMix64(seed: 7)
        var bytes = [UInt8](repeating: 0, count: 10 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: generator.next()) }
        #expect(throws: FeedParseError.notAFeed(reason: "binary data", advertisedFeeds: [])) {
            try FeedParser.parse(Data(bytes))
        }
    }

    @Test func tenMegabytesOfMarkupSoupStillFinish() throws {
        var generator = SplitMix64(seed: 11)
        let alphabet = Array("<>&;/=\"' abcdefgh<![CDATA[]]>&amp;&#x;".utf8)
        var bytes = Array("<rss version=\"2.0\"><channel><title>Soup</title>".utf8)
        bytes.reserveCapacity(10 << 20)
        while bytes.count < 10 << 20 { bytes.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
        let feed = try FeedParser.parse(Data(bytes))
        #expect(feed.title == "Soup")
        #expect(!feed.warnings.isEmpty)
    }

    @Test func binaryIsNotAFeed() throws {
        #expect(try Fixture.failure("binary-png.bin") == .notAFeed(reason: "binary data", advertisedFeeds: []))
    }

    @Test func htmlPageAdvertisesItsFeeds() throws {
        let error = try #require(try Fixture.failure("html-page-with-alternate-links.html"))
        let expected = ["https://example.org/feed.xml", "https://www.example.org/agenda.atom", "https://example.org/feeds/feed.json"]
        #expect(error == .notAFeed(reason: "an HTML page", advertisedFeeds: expected))
        #expect(error.message == "not a feed: an HTML page; the page advertises " + expected.joined(separator: ", "))
        let direct = FeedDiscovery.advertisedFeeds(inHTML: try Fixture.data("html-page-with-alternate-links.html"),
                                                   baseURL: URL(string: "https://www.example.org/accueil/"))
        #expect(direct == ["https://www.example.org/feed.xml", "https://www.example.org/agenda.atom",
                           "https://www.example.org/accueil/feed.json"])
    }

    @Test func xhtmlPageIsHTMLToo() throws {
        #expect(try Fixture.failure("xhtml-page-xml-declaration.html")
            == .notAFeed(reason: "an HTML page", advertisedFeeds: ["https://xhtml.example.org/atom.xml"]))
    }

    @Test(arguments: [
        ("html-error-page.html", FeedParseError.notAFeed(reason: "an HTML page", advertisedFeeds: [])),
        ("empty.xml", .empty),
        ("whitespace-only.xml", .empty),
        ("svg-not-a-feed.xml", .notAFeed(reason: "root element <svg> is not rss, feed or rdf:RDF", advertisedFeeds: [])),
        ("plain-text-error.txt", .notAFeed(reason: "plain text, neither XML nor JSON", advertisedFeeds: [])),
    ])
    func notFeeds(file: String, expected: FeedParseError) throws {
        let error = try #require(try Fixture.failure(file))
        #expect(error == expected)
        #expect(!error.message.contains("\n"))
    }

    @Test func sizeCap() throws {
        let data = try Fixture.data("rss2-basic.xml")
        #expect(throws: FeedParseError.tooLarge(limit: 100)) { try FeedParser.parse(data, maxBytes: 100) }
        let big = Data(count: FeedParser.defaultMaxBytes + 1)
        #expect(throws: FeedParseError.tooLarge(limit: 16 << 20)) { try FeedParser.parse(big) }
    }
}

/// A tiny deterministic generator, so hostile inputs are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Found by the fuzzer: a malformed declaration with a garbage encoding label made the first pass
/// stop inside an error callback, and libxml2's xmlStopParser freed a buffer still in use.
@Test func fuzzGarbageEncodingLabelFailsCleanly() throws {
    let error = try #require(try Fixture.failure("fuzz-garbage-encoding-label.xml"))
    guard case .notAFeed(let reason, _) = error else { Issue.record("expected notAFeed, got \(error)"); return }
    #expect(!reason.isEmpty && !error.message.contains("\n"))
}
