// Malformed XML: keep what can be read, say what went wrong. Plus id stability and the contract.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Suite("Recovery and stability") struct RecoveryTests {
    @Test func mismatchedTagsKeepEveryItemAndEntity() throws {
        let feed = try Fixture.parse("rss2-malformed-mismatched-tags.xml")
        #expect(feed.items.map(\.title) == ["Premier", "Second & dernier"])
        #expect(feed.items[0].summary == "Texte gras fin")
        #expect(feed.warnings.contains { $0.hasPrefix("XML line 13:") })
    }

    @Test func bareAmpersandsAreKept() throws {
        let item = try #require(try Fixture.parse("rss2-bare-ampersand.xml").items.first)
        #expect(item.link == "https://example.org/tom?x=1&y=2")
        #expect(item.summary == "Sécurité & santé au travail")
    }

    @Test func truncatedFeedKeepsTheCutItem() throws {
        let feed = try Fixture.parse("rss2-truncated.xml")
        #expect(feed.items.map(\.id) == ["c", "d"])
        #expect(!feed.warnings.isEmpty)
    }

    @Test func htmlEntitiesInLinksAndContent() throws {
        let item = try #require(try Fixture.parse("rss2-html-entities-undeclared.xml").items.first)
        #expect(item.link == "https://example.org/legislatives?a=1&b=2")
        #expect(item.contentHTML == "<p>Café …</p>")
    }

    @Test(arguments: ["rss2-no-guid-hash-id.xml", "rss091-netscape-doctype.xml", "rss092-enclosure.xml", "rdf-rss090-netscape.xml"])
    func idsAreStableAcrossParses(file: String) throws {
        let first = try Fixture.parse(file).items.map(\.id)
        let second = try Fixture.parse(file).items.map(\.id)
        #expect(first == second)
        #expect(Set(first).count == first.count)
    }

    /// The id of a guid-less item depends on its link and title, not on where it sits in the feed.
    @Test func hashIDsSurviveReordering() throws {
        let a = "<item><title>A</title><link>https://x.example/a</link></item>"
        let b = "<item><title>B</title><link>https://x.example/b</link></item>"
        let wrap = { (items: String) in "<rss version=\"2.0\"><channel><title>t</title>\(items)</channel></rss>" }
        let one = try parseInline(wrap(a + b)).items
        let two = try parseInline(wrap(b + a)).items
        #expect(one[0].id == two[1].id)
        #expect(one[1].id == two[0].id)
    }

    @Test func jsonContractIsExactAndStable() throws {
        let feed = try Fixture.parse("rss2-podcast-enclosure-itunes.xml")
        let once = FeedJSON.encode(feed)
        #expect(once == FeedJSON.encode(try Fixture.parse("rss2-podcast-enclosure-itunes.xml")))
        let text = String(decoding: once, as: UTF8.self)
        #expect(text.hasPrefix("{\"format\":\"rss2.0\",\"title\":\"Example News\",\"link\":\"https://example.org/\",\"subtitle\":\"Example channel\",\"language\":null,\"updated\":null,\"items\":[{\"id\":\"ep12\""))
        #expect(text.contains("\"enclosures\":[{\"url\":\"https://cdn.example.org/ep12.mp3\",\"type\":\"audio/mpeg\",\"length\":31415926}]"))
        #expect(text.hasSuffix("\"warnings\":[]}"))
    }

    @Test func jsonDatesAreUTCSeconds() throws {
        let text = String(decoding: FeedJSON.encode(try Fixture.parse("atom-basic.xml")), as: UTF8.self)
        #expect(text.contains("\"published\":\"2025-01-31T17:30:02Z\""))
        #expect(text.contains("\"updated\":\"2025-01-31T18:30:02Z\""))
    }

    @Test func jsonEscapesControlCharactersAndQuotes() throws {
        let feed = ParsedFeed(format: .atom10, title: "a \"b\" \\ c\n\u{1}", warnings: ["w"])
        let text = String(decoding: FeedJSON.encode(feed), as: UTF8.self)
        #expect(text.contains(#""title":"a \"b\" \\ c\n\u0001""#))
        let back = try #require(try JSONSerialization.jsonObject(with: FeedJSON.encode(feed)) as? [String: Any])
        #expect(back["title"] as? String == "a \"b\" \\ c\n\u{1}")
    }
}
