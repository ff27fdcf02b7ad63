// Namespaces, content, links, enclosures, authors, categories and hints: one test per quirk.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Suite("RSS fields") struct RSSFieldTests {
    @Test func contentEncodedKeepsHTMLAndSummaryIsPlain() throws {
        let item = try #require(try Fixture.parse("rss2-content-encoded.xml").items.first)
        #expect(item.contentHTML == "<p>Le budget <strong>2025</strong> a été voté à l'unanimité.</p>")
        #expect(item.summary == "Le budget a été voté.")
    }

    @Test func descriptionBecomesContentWhenAlone() throws {
        let item = try #require(try Fixture.parse("rss2-basic.xml").items.first)
        #expect(item.contentHTML == "La médiathèque sera fermée <b>samedi</b>.")
        #expect(item.summary == "La médiathèque sera fermée samedi.")
        #expect(item.categories == ["Culture", "Horaires"])
        #expect(Fixture.iso(item.published) == "2025-01-31T08:00:00Z")
    }

    @Test(arguments: [
        ("rss2-cdata-title.xml", "Travaux rue Victor-Hugo & quai"),
        ("rss2-html-in-title.xml", "Alerte canicule : plan activé"),
        ("rss2-double-escaped-entities.xml", "Rock & roll été ’25"),
        ("rss2-html-entities-undeclared.xml", "Législatives\u{A0}: l’été & après"),
        ("rss2-bare-ampersand.xml", "Tom & Jerry & Cie"),
        ("rss2-control-characters.xml", "Contr ôle caractères"),
    ])
    func titlesArePlainText(file: String, title: String) throws {
        #expect(try Fixture.parse(file).items.first?.title == title)
    }

    @Test func hashIDsWhenNoGuid() throws {
        let items = try Fixture.parse("rss2-no-guid-hash-id.xml").items
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0.id.hasPrefix("kiosque:fnv1a:") && $0.id.count == 30 })
        #expect(items[0].id != items[1].id)
    }

    @Test func guidPermalinkRules() throws {
        #expect(try Fixture.parse("rss2-guid-not-permalink.xml").items.first?.link == nil)
        #expect(try Fixture.parse("rss2-guid-permalink-no-link.xml").items.first?.link == "https://example.org/permalink/42")
        // A short permalink guid is an id, never a URL relative to the feed.
        #expect(try Fixture.parse("rss2-ttl.xml").items.first?.link == nil)
    }

    @Test func relativeLinksUseDocumentURLThenChannelLink() throws {
        let withURL = try #require(try Fixture.parse("rss2-relative-links.xml").items.first)
        #expect(withURL.link == "https://example.org/articles/relatif")
        #expect(withURL.enclosures.first?.url == "https://example.org/feeds/media/son.mp3")
        let withoutURL = try #require(try Fixture.parse("rss2-relative-links.xml", url: nil).items.first)
        #expect(withoutURL.link == "https://www.example.com/articles/relatif")
    }

    @Test func xmlBaseScopes() throws {
        let feed = try Fixture.parse("rss2-xml-base.xml")
        #expect(feed.link == "https://base.example.net/section/index.html")
        #expect(feed.items.map(\.link) == ["https://base.example.net/section/items/one.html", "https://base.example.net/two.html"])
    }

    @Test func podcastEnclosuresAndITunes() throws {
        let feed = try Fixture.parse("rss2-podcast-enclosure-itunes.xml")
        #expect(feed.icon == "https://example.org/podcast.jpg")
        #expect(feed.items[0].enclosures == [Enclosure(url: "https://cdn.example.org/ep12.mp3", type: "audio/mpeg", length: 31_415_926)])
        #expect(feed.items[0].author == "Camille Martin")
        #expect(feed.items[0].summary == "Le résumé de l'épisode.")
        #expect(feed.items[1].enclosures.first?.length == nil) // "not-a-number"
        #expect(feed.items[1].author == "Radio Ville") // the channel's itunes:author
    }

    @Test func mediaRSSContentIsEnclosureThumbnailIsNot() throws {
        let item = try #require(try Fixture.parse("rss2-media-rss.xml").items.first)
        #expect(item.enclosures.map(\.url) == ["https://cdn.example.org/photo1.jpg", "https://cdn.example.org/photo2.jpg",
                                              "https://cdn.example.org/video.mp4"])
        #expect(item.enclosures[0].length == 2048)
    }

    @Test func dublinCore() throws {
        let feed = try Fixture.parse("rss2-dublin-core.xml")
        #expect(feed.language == "fr")
        let item = try #require(feed.items.first)
        #expect(item.author == "Jeanne Dupont, Paul Durand")
        #expect(Fixture.iso(item.published) == "2025-01-15T09:30:00Z")
        #expect(item.categories == ["Urbanisme"])
    }

    @Test func undeclaredPrefixesStillMeanTheirNamespace() throws {
        let item = try #require(try Fixture.parse("rss2-undeclared-namespace-prefix.xml").items.first)
        #expect(item.author == "Marie Curie")
        #expect(item.contentHTML == "<p>Corps &amp; âme</p>")
    }

    @Test func authorEmailForm() throws {
        #expect(try Fixture.parse("rss2-author-email-name.xml").items.first?.author == "Jane Doe")
    }

    @Test(arguments: [("rss2-ttl.xml", 3600.0), ("rss2-sy-update-period.xml", 1800.0)])
    func refreshHints(file: String, seconds: Double) throws {
        #expect(try Fixture.parse(file).minimumRefreshInterval == seconds)
    }

    @Test func channelLinkBeatsAtomSelf() throws {
        #expect(try Fixture.parse("rss2-atom-self-link.xml").link == "https://example.org/")
    }

    @Test func feedburnerOrigLink() throws {
        #expect(try Fixture.parse("rss2-feedburner-origlink.xml").items.first?.link == "https://example.org/real-article")
    }

    @Test func textInputAndImageTitlesAreNotTheChannel() throws {
        let textInput = try Fixture.parse("rss2-textinput-ignored.xml")
        #expect(textInput.title == "Real Title")
        #expect(textInput.link == "https://example.org/")
        let image = try Fixture.parse("rss2-image-icon.xml")
        #expect(image.title == "Icon Feed")
        #expect(image.icon == "https://example.org/images/logo.png")
    }

    @Test func unescapedHTMLInDescriptionIsReserialized() throws {
        let item = try #require(try Fixture.parse("rss2-unescaped-html-description.xml").items.first)
        #expect(item.contentHTML == "<p>Premier <a href=\"https://example.org/x?a=1&amp;b=2\">lien</a>.</p><br><p>1 &lt; 2</p>")
        #expect(item.summary == "Premier lien. 1 < 2")
    }

    @Test func categoriesDeduplicated() throws {
        #expect(try Fixture.parse("rss2-duplicate-categories.xml").items.first?.categories == ["Sport", "Vie locale"])
    }

    @Test func rdfItemsAndImage() throws {
        let feed = try Fixture.parse("rdf-rss10-basic.xml")
        #expect(feed.icon == "https://rdf.example.org/logo.png")
        #expect(feed.language == "fr")
        #expect(Fixture.iso(feed.updated) == "2025-02-01T10:00:00Z")
        #expect(feed.items[0].contentHTML == "<p>Corps A</p>")
        #expect(feed.items[0].author == "Rédaction")
        #expect(Fixture.iso(feed.items[0].published) == "2025-02-01T08:00:00Z")
    }
}

@Suite("Atom fields") struct AtomFieldTests {
    @Test func basicEntry() throws {
        let feed = try Fixture.parse("atom-basic.xml")
        #expect(feed.subtitle == "Des nouvelles")
        #expect(Fixture.iso(feed.updated) == "2025-01-31T18:30:02Z")
        let entry = try #require(feed.items.first)
        #expect(Fixture.iso(entry.published) == "2025-01-31T17:30:02Z")
        #expect(Fixture.iso(entry.updated) == "2025-01-31T19:00:00Z")
        #expect(entry.author == "Équipe Web")
        #expect(entry.summary == "Some text.")
        #expect(entry.contentHTML == "<p>Full <em>text</em>.</p>")
        #expect(entry.categories == ["robots", "sf"]) // terms; "Science-fiction" is the label
    }

    @Test func xmlBaseResolvesEveryRelativeReference() throws {
        let feed = try Fixture.parse("atom-xml-base-relative.xml")
        #expect(feed.link == "https://base.example.org/blog/")
        #expect(feed.icon == "https://base.example.org/favicon.ico")
        #expect(feed.items[0].link == "https://base.example.org/blog/2025/post.html")
        #expect(feed.items[0].enclosures == [Enclosure(url: "https://base.example.org/blog/media/audio.ogg", type: "audio/ogg", length: 4096)])
        #expect(feed.items[1].link == "https://base.example.org/about")
    }

    @Test func alternateChoice() throws {
        let feed = try Fixture.parse("atom-alternate-choice.xml")
        #expect(feed.link == "https://links.example.org/")
        #expect(feed.items.map(\.link) == ["https://links.example.org/1", "https://links.example.org/2"])
    }

    @Test func textConstructs() throws {
        let html = try Fixture.parse("atom-title-html.xml")
        #expect(html.title == "Le Journal & Cie")
        #expect(html.items.map(\.title) == ["Breaking\u{A0}news été", "AT&T <rocks>"])
        let xhtml = try #require(try Fixture.parse("atom-content-xhtml.xml").items.first)
        #expect(xhtml.title == "Le titre & plus")
        #expect(xhtml.contentHTML == "<p>Code : <code>&lt;div&gt;</code></p><img src=\"a.png\" alt=\"A &quot;quote&quot;\"><br>")
        let text = try #require(try Fixture.parse("atom-content-text.xml").items.first)
        #expect(text.contentHTML == "5 &lt; 6 &amp; &lt;script&gt;")
    }

    @Test func summaryOnlyFillsContent() throws {
        let entry = try #require(try Fixture.parse("atom-summary-only.xml").items.first)
        #expect(entry.summary == "Le résumé")
        #expect(entry.contentHTML == "<p>Le <b>résumé</b></p>")
    }

    @Test func authorsInheritedFromFeed() throws {
        let feed = try Fixture.parse("atom-author-inheritance.xml")
        #expect(feed.items.map(\.author) == ["Feed Author", "Alice, Bob"])
    }

    @Test func iconPreferredOverLogoAndLanguageFromXMLLang() throws {
        #expect(try Fixture.parse("atom-icon-and-logo.xml").icon == "https://icons.example.org/favicon.ico")
        #expect(try Fixture.parse("atom-xml-lang.xml").language == "fr-CA")
    }

    @Test func atom03() throws {
        let feed = try Fixture.parse("atom03-purl-namespace.xml")
        #expect(feed.subtitle == "Old Atom")
        #expect(Fixture.iso(feed.updated) == "2004-12-13T18:30:02Z")
        #expect(Fixture.iso(feed.items[0].published) == "2004-12-13T12:29:29Z")
        #expect(feed.items[0].contentHTML == "<p>Escaped <i>HTML</i></p>")
    }

    @Test func sourceMetadataIsNotTheEntrys() throws {
        let entry = try #require(try Fixture.parse("atom-source-element.xml").items.first)
        #expect(entry.title == "Entry Title")
        #expect(entry.author == nil)
    }

    @Test func youTubeMediaGroup() throws {
        let entry = try #require(try Fixture.parse("atom-youtube-media-group.xml").items.first)
        #expect(entry.summary == "Séance du conseil municipal.")
        #expect(entry.enclosures.map(\.url) == ["https://video.example.org/v/xyz"])
    }
}

@Suite("JSON Feed fields") struct JSONFeedFieldTests {
    @Test func version11() throws {
        let feed = try Fixture.parse("jsonfeed-1.1.json")
        #expect(feed.icon == "https://json.example.org/icon.png")
        #expect(feed.language == "fr")
        #expect(feed.subtitle == "Un flux JSON")
        let first = feed.items[0]
        #expect(Fixture.iso(first.published) == "2025-01-31T07:00:00Z")
        #expect(first.categories == ["mairie", "info"])
        #expect(first.enclosures == [Enclosure(url: "https://json.example.org/a.pdf", type: "application/pdf", length: 12345)])
        #expect(first.author == "Service communication")
        let second = feed.items[1]
        #expect(second.id == "2")
        #expect(second.link == "https://example.org/2")
        #expect(second.contentHTML == "Texte &lt;brut&gt; &amp; simple")
        #expect(second.author == "Léa")
    }

    @Test func version10AuthorAndFavicon() throws {
        let feed = try Fixture.parse("jsonfeed-1.0-author.json")
        #expect(feed.icon == "https://json1.example.org/favicon.ico")
        #expect(feed.items[0].author == "Auteur Unique")
        #expect(feed.items[0].published == nil)
        #expect(feed.warnings.contains { $0.contains("date_published") && $0.contains("impossible") })
    }

    @Test(arguments: ["json-not-a-feed.json", "json-malformed.json"])
    func jsonThatIsNotAFeed(file: String) throws {
        let error = try #require(try Fixture.failure(file))
        guard case .notAFeed = error else { Issue.record("expected notAFeed, got \(error)"); return }
    }
}
