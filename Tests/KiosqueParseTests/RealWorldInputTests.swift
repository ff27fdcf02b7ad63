// Input quirks of real feeds found by differential testing against Python's feedparser:
// element-name case, stray namespaces, junk before the document, entities, byte order marks.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Suite("Real-world input") struct RealWorldInputTests {
    @Test func elementNamesAreReadWhateverTheirCase() throws {
        let feed = try Fixture.parse("rss2-element-name-case.xml")
        #expect(feed.title == "Casse des balises")
        #expect(feed.link == "https://casse.example.org/")
        #expect(feed.items.map(\.title) == ["Titre en majuscule", "pubDate en minuscules"])
        #expect(feed.items.map(\.link) == ["https://casse.example.org/1", "https://casse.example.org/2"])
        #expect(feed.items.map { Fixture.iso($0.published) } == ["2025-01-13T10:00:00Z", "2025-01-14T10:00:00Z"])
        #expect(feed.items[0].id == "casse-1")
        #expect(feed.items[0].summary == "Description un")
    }

    @Test func userLandDefaultNamespaceIsPlainRSS() throws {
        let feed = try Fixture.parse("rss2-userland-namespace.xml")
        #expect(feed.format == .rss20)
        #expect(feed.title == "Espace de noms UserLand")
        let item = try #require(feed.items.first)
        #expect(item.link == "https://userland.example.org/1")
        #expect(Fixture.iso(item.published) == "2025-01-13T10:00:00Z")
        #expect(item.author == "Dave")
    }

    @Test func serverWarningBeforeTheFeedIsSkipped() throws {
        let feed = try Fixture.parse("rss2-php-warning-before-feed.xml")
        #expect(feed.title == "Avertissement PHP")
        #expect(feed.items.map(\.title) == ["Article après le bruit"])
        #expect(feed.warnings.contains { $0.hasPrefix("skipped") && $0.contains("before the feed") })
        // The same with a warning in plain text (no markup at all before the declaration).
        let text = try parseInline("Deprecated: Function create_function() is deprecated in /srv/feed.php on line 3\n"
            + "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>i</title><guid>g</guid></item></channel></rss>")
        #expect(text.items.map(\.title) == ["i"])
        // An SVG or other XML that merely mentions a feed-like name is still no feed.
        #expect(throws: FeedParseError.self) { try parseInline("<svg><text>see <feedback></feedback></text></svg>") }
    }

    @Test func unknownEntitiesStayAsText() throws {
        let item = try #require(try Fixture.parse("rss2-unknown-entity.xml").items.first)
        #expect(item.title == "Café &copyleft; & fin")
        #expect(item.summary == "Résumé &foo; compris")
    }

    @Test func repeatedByteOrderMarks() throws {
        let feed = try Fixture.parse("utf8-double-bom.xml")
        #expect(feed.title == "Double BOM")
        #expect(feed.items.first?.title == "Café double")
    }

    @Test func unescapedHTMLMarkupIsRepairedNotSwallowed() throws {
        let feed = try Fixture.parse("rss2-html-markup-unescaped.xml")
        #expect(feed.items.map(\.title) == ["Paragraphe ouvert", "Prix < 10 € et > 5 €", "Attribut booléen", "Dernier"])
        #expect(feed.items[0].contentHTML == "<p>Ligne un<br>ligne deux<img src=\"photo.jpg\" alt=\"photo\"></p><hr>")
        #expect(feed.items[1].enclosures == [Enclosure(url: "https://brut.example.org/son.mp3", type: "audio/mpeg", length: 42)])
        #expect(feed.items[2].contentHTML == "<p>CDATA <br> reste tel quel</p><video controls=\"controls\" src=\"v.mp4\"></video>")
        #expect(feed.items[3].contentHTML == "Ligne<br>suivante, <img src=\"a.png\"> fermée")
        #expect(feed.warnings.contains("XML: repaired markup, entity references or control characters"))
    }

    @Test func unbalancedTagsAreClosedWhereHTMLWouldCloseThem() throws {
        let feed = try Fixture.parse("rss2-unbalanced-tags.xml")
        #expect(feed.items.map(\.title) == ["Un", "Deux", "Trois", "Quatre", "Cinq"])
        #expect(feed.items.map(\.link) == (1...5).map { "https://balises.example.org/\($0)" })
        #expect(feed.items[2].contentHTML == "<b><i>gras italique</i></b> texte")
        #expect(feed.items[3].contentHTML == "<p>paragraphe ouvert <p>second</p></p>")
        // End tags whose case differs from the start tag's still close it.
        let cased = try parseInline("<rss version=\"2.0\"><channel><title>t</title><Item><title>A</title></item>"
            + "<Item><title>B</title></ITEM><item><title>C</title></channel></rss>")
        #expect(cased.items.map(\.title) == ["A", "B", "C"])
    }

    @Test func misspeltNamespaceURIsStillMeanTheirPrefix() throws {
        let item = try #require(try Fixture.parse("rss2-misspelt-namespace-uris.xml").items.first)
        #expect(item.contentHTML == "<p>Full content</p>")
        #expect(item.author == "Jean")
        #expect(Fixture.iso(item.published) == "2025-01-05T10:00:00Z")
        #expect(item.enclosures.map(\.url) == ["http://wn.example.com/a.jpg"])
    }

    @Test(arguments: ["https://www.w3.org/2005/Atom", "http://www.w3.org/2005/Atom/", "http://www.w3.org/2005/atom"])
    func misspeltAtomDefaultNamespaces(uri: String) throws {
        let feed = try parseInline("<feed xmlns=\"\(uri)\"><title>t</title><entry><title>e</title><id>urn:e</id></entry></feed>")
        #expect(feed.format == .atom10)
        #expect(feed.items.map(\.title) == ["e"])
    }

    @Test func rss10NamespaceWithoutItsFinalSlash() throws {
        let feed = try parseInline("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0">
            <channel rdf:about="https://r.example.org/"><title>t</title></channel>
            <item rdf:about="https://r.example.org/1"><title>i</title><link>https://r.example.org/1</link></item></rdf:RDF>
            """)
        #expect(feed.title == "t")
        #expect(feed.items.map(\.link) == ["https://r.example.org/1"])
    }

    @Test func blankLinesBeforeTheDeclarationNeedNoRepair() throws {
        let feed = try Fixture.parse("rss2-blank-lines-before-declaration.xml")
        #expect(feed.items.map(\.title) == ["Café & croissant"])
        #expect(feed.warnings.isEmpty)
    }

    @Test func legacyEntitiesWithoutSemicolon() throws {
        let feed = try parseInline("<rss version=\"2.0\"><channel><title>t</title><item><guid>g</guid>"
            + "<title>Caf&amp;eacute au lait&amp;nbsp;! &amp;copy 2025</title>"
            + "<description>R&amp;D, Q&amp;A, ?a=1&amp;sect=2, &amp;eacutex</description></item></channel></rss>")
        #expect(feed.items.first?.title == "Café au lait\u{A0}! © 2025")
        #expect(feed.items.first?.summary == "R&D, Q&A, ?a=1&sect=2, &eacutex")
    }
}
