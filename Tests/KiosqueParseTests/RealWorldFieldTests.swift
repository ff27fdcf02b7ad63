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

    @Test func jsonFeedVersionWrittenWithHTTP() throws {
        let feed = try FeedParser.parse(Data(#"{"version":"http://jsonfeed.org/version/1","items":[{"id":"1","content_text":"x"}]}"#.utf8))
        #expect(feed.format == .jsonFeed1)
        #expect(feed.items.map(\.id) == ["1"])
        #expect(!feed.warnings.contains { $0.hasPrefix("version") })
    }

    @Test func jsonFeedIdIsThePermalinkWithoutURL() throws {
        let feed = try Fixture.parse("jsonfeed-id-permalink.json")
        #expect(feed.items.map(\.link) == ["https://ids.example.org/p/1", nil, "https://ids.example.org/articles/3"])
    }

    @Test func atomEntryDocumentIsAOneItemFeed() throws {
        let feed = try Fixture.parse("atom-entry-document.xml")
        #expect(feed.format == .atom10)
        #expect(feed.items.map(\.title) == ["Single entry document"])
        #expect(feed.items.first?.link == "http://single.example.com/1")
    }

    @Test func atomUpdatedInRSSAndEmptyAtomHrefs() throws {
        let rss = try parseInline("""
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
            <item><title>i</title><guid>g</guid><atom:updated>2025-01-05T10:00:00+01:00</atom:updated></item></channel></rss>
            """)
        #expect(Fixture.iso(rss.items.first?.updated) == "2025-01-05T09:00:00Z")
        let atom = try parseInline("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>e</title><id>e</id>
            <link rel="alternate" href=""/><link rel="related" href="https://x.example.org/related"/></entry></feed>
            """)
        #expect(atom.items.first?.link == "https://x.example.org/related")
    }

    @Test(arguments: [
        ("jane@example.com (Jane Doe)", "Jane Doe"),
        ("Jane Doe (jane@example.com)", "Jane Doe"),
        ("Jane Doe &lt;jane@example.com&gt;", "Jane Doe"),
        ("\"Jane Doe\" &lt;jane@example.com&gt;", "Jane Doe"),
        ("&lt;jane@example.com&gt;", "jane@example.com"),
        ("jane@example.com", "jane@example.com"),
        ("(Jane Doe)", "(Jane Doe)"),
        ("&lt;a href=\"https://example.org/jane\"&gt;Jane Doe&lt;/a&gt;", "Jane Doe"),
    ])
    func authorForms(raw: String, name: String) throws {
        let feed = try parseInline("<rss version=\"2.0\"><channel><title>t</title><item><guid>g</guid><author>\(raw)</author></item></channel></rss>")
        #expect(feed.items.first?.author == name)
    }

    @Test func untitledItemsAreListedUnderTheStartOfTheirText() throws {
        let feed = try Fixture.parse("rss2-untitled-items.xml")
        #expect(feed.items.map(\.title) == [
            "La piscine rouvre lundi !",
            "Le conseil municipal se réunira le jeudi 16 janvier à 18 h 30 en salle des fêtes, ordre du jour…",
            nil,
        ])
        // The id of an untitled, guid-less item does not follow its text.
        let one = try parseInline("<rss version=\"2.0\"><channel><title>t</title><item><link>https://x.example/1</link><description>v1</description></item></channel></rss>")
        let two = try parseInline("<rss version=\"2.0\"><channel><title>t</title><item><link>https://x.example/1</link><description>v2</description></item></channel></rss>")
        #expect(one.items[0].title == "v1")
        #expect(one.items[0].id == two.items[0].id)
    }

    @Test func rssLinkWrittenAsAnHrefAttribute() throws {
        let feed = try Fixture.parse("rss2-link-href-attribute.xml")
        #expect(feed.link == "http://lh.example.com/")
        #expect(feed.items.map(\.link) == ["http://lh.example.com/1", "http://lh.example.com/2"])
    }

    @Test func xmlBaseGovernsRelativeURLsInContent() throws {
        let feed = try Fixture.parse("atom-xml-base-content.xml")
        #expect(feed.items[0].link == "https://blog.example.net/2025/01/billet.html")
        #expect(feed.items[0].contentHTML == "<p><a href=\"https://autre.example.com/articles/suite.html\">La suite</a> "
            + "<img src='https://autre.example.com/img/photo.jpg' alt=\"photo\"> <a href=\"https://ailleurs.example.org/x\">absolu</a> "
            + "<a href=\"https://autre.example.com/articles/#note\">note</a></p><pre>&lt;a href=\"brut.html\"&gt;</pre>")
        #expect(feed.items[1].link == "https://blog.example.net/2025/01/sans-base.html")
        #expect(feed.items[1].contentHTML == "<a href=\"https://blog.example.net/2025/01/voisin.html\">voisin</a>")
    }

    @Test func dublinCoreTitleAndDescriptionStandIn() throws {
        let feed = try Fixture.parse("rdf-dublin-core-title-description.xml")
        #expect(feed.title == "DC channel title")
        #expect(feed.items.map(\.title) == ["DC item title", "RSS title"])
        #expect(feed.items.map(\.contentHTML) == ["DC & description", "Real description"]) // HTML as decoded, like description
        #expect(feed.items[0].summary == "DC & description")
    }

    @Test func prefixedXHTMLContentIsWrittenAsHTML() throws {
        let entry = try #require(try Fixture.parse("atom-xhtml-prefixed.xml").items.first)
        #expect(entry.title == "Titre préfixé")
        #expect(entry.contentHTML == "<p>Un <b>paragraphe</b><br>et <a href=\"/lien\">un lien</a></p>")
    }

    @Test func itunesTitleAndSubtitleStandIn() throws {
        let feed = try Fixture.parse("rss2-podcast-itunes-only.xml")
        #expect(feed.items.map(\.title) == ["Épisode 3 : la crue", "Épisode 2"])
        #expect(feed.items.map(\.summary) == ["Quand la rivière déborde", "La description"])
    }
}
