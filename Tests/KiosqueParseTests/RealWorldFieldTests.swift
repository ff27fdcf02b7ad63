// Field quirks of real feeds found by differential testing against Python's feedparser: which
// element gives an item its link, author, date and content when the usual one is missing.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Suite("Real-world fields") struct RealWorldFieldTests {
    @Test func itunesSummaryIsTheContentWithoutDescription() throws {
        let feed = try Fixture.parse("rss2-podcast-enclosure-itunes.xml")
        #expect(feed.items[0].contentHTML == "Le résumé de l'épisode.")
        #expect(feed.items[1].contentHTML == nil)
    }

    @Test func youTubeDescriptionIsTheContent() throws {
        let entry = try #require(try Fixture.parse("atom-youtube-media-group.xml").items.first)
        #expect(entry.contentHTML == "Séance du conseil municipal.")
    }

    @Test func linksFromIdsAndTextAuthorsFromEmail() throws {
        let feed = try Fixture.parse("atom-links-ids-authors.xml")
        #expect(feed.link == "https://liens.example.org/")
        #expect(feed.items.map(\.link) == ["https://liens.example.org/posts/1", "https://liens.example.org/posts/2",
                                           "https://liens.example.org/posts/3", nil])
        #expect(feed.items.map(\.author) == ["redaction@example.org", "Claire", nil, nil])
    }

    @Test func feedBurnerOrigLinkInAtom() throws {
        #expect(try Fixture.parse("atom-feedburner-origlink.xml").items.first?.link == "http://fb.example.com/real/1")
    }

    @Test func atom03IssuedIsThePublicationDate() throws {
        let feed = try Fixture.parse("atom03-issued-created.xml")
        #expect(Fixture.iso(feed.items[0].published) == "2004-02-28T09:00:00Z")
        #expect(Fixture.iso(feed.items[0].updated) == "2004-03-01T10:00:00Z")
        #expect(Fixture.iso(feed.items[1].published) == "2004-02-26T10:00:00Z")
    }

    @Test func jsonFeedIdIsThePermalinkWithoutURL() throws {
        let feed = try Fixture.parse("jsonfeed-id-permalink.json")
        #expect(feed.items.map(\.link) == ["https://ids.example.org/p/1", nil, "https://ids.example.org/articles/3"])
    }
}
