// The long tail of real feeds, found by the differential against Python's feedparser
// (Benchmarks/feedparser_diff.py): Dublin Core dates and authors, Atom category terms, base64
// content, unusual namespaces, no-break spaces and titles that only look like markup.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

/// What one item of a quirk fixture must read as (nil fields are not checked).
struct ItemExpectation: Sendable, CustomTestStringConvertible {
    var fixture: String
    var index = 0
    var title: String?
    var author: String??
    var published: String?
    var updated: String?
    var categories: [String]?
    var contentHTML: String?
    var summary: String?
    var id: String?
    var link: String?
    /// Enclosure URLs, in order.
    var enclosures: [String]?

    var testDescription: String { "\(fixture) #\(index)" }
}

@Suite("Long-tail feeds") struct LongTailTests {
    static let items: [ItemExpectation] = [
        // An Atom category's value is its term; the label only names it (and stands in without a term).
        .init(fixture: "atom-category-term-label.xml", categories: ["voirie", "budget", "Label only"]),
        // Authors in every Dublin Core spelling; dc:author is not in the spec but is written.
        .init(fixture: "rss2-dc-creator-and-author.xml", index: 0, author: .some("Marie Curie")),
        .init(fixture: "rss2-dc-creator-and-author.xml", index: 1, author: .some("Pierre Curie")),
        .init(fixture: "rss2-dc-creator-and-author.xml", index: 2, author: .some("Irène Joliot-Curie")),
        .init(fixture: "rss2-dc-creator-and-author.xml", index: 3, author: .some(nil)),
        // Atom dated and signed in Dublin Core only.
        .init(fixture: "atom-dublin-core-dates.xml", index: 0, author: .some("Ada Lovelace"), published: "2025-02-01T09:00:00Z"),
        .init(fixture: "atom-dublin-core-dates.xml", index: 1, author: .some("Alan Turing"), published: "2025-02-02T10:00:00Z",
              updated: "2025-02-03T11:30:00Z"),
        .init(fixture: "rss2-dcterms-modified.xml", published: "2025-03-30T12:00:00Z", updated: "2025-03-31T12:00:00Z"),
        // Atom 0.3 base64 bodies, decoded by their type.
        .init(fixture: "atom03-content-base64.xml", contentHTML: "<p>Un <b>contenu</b> encodé &amp; complet.</p>",
              summary: "Résumé encodé"),
        // Base64 bytes of an unknown type are text, never markup.
        .init(fixture: "atom-base64-unknown-type.xml", title: "Titre <i>brut</i>",
              contentHTML: "&lt;script&gt;alert(1)&lt;/script&gt; été"),
        // No-break spaces stay (French typography); ASCII runs collapse.
        .init(fixture: "rss2-nbsp-in-title.xml", index: 0, title: "Travaux\u{A0}: rue Victor-Hugo",
              summary: "«\u{A0}Oui\u{A0}», dit-il. Fin."),
        .init(fixture: "rss2-nbsp-in-title.xml", index: 1, title: "Conseil municipal\u{A0}? Oui"),
        // Markup in titles: HTML is stripped, text that merely has angle brackets is kept.
        .init(fixture: "rss2-title-with-markup.xml", index: 0, title: "Alerte météo"),
        .init(fixture: "rss2-title-with-markup.xml", index: 1, title: "Budget 2025 & après"),
        .init(fixture: "rss2-title-with-markup.xml", index: 2, title: "Pourquoi std::vector<int> est rapide"),
        .init(fixture: "rss2-title-with-markup.xml", index: 3, title: "AT&T <rocks>"),
        .init(fixture: "rss2-title-with-markup.xml", index: 4, title: "Prix : 3 < 5 > 2"),
        // Namespaces nobody knows, or only feedparser's long memory does.
        .init(fixture: "atom-unusual-default-namespace.xml", title: "Entrée", author: .some("Rédaction"), categories: ["culture"]),
        .init(fixture: "rss2-unusual-default-namespace.xml", title: "Élément", categories: ["Histoire"]),
        .init(fixture: "atom-echo-draft-namespace.xml", title: "Première entrée", published: "2003-08-01T10:00:00Z",
              contentHTML: "<p>Texte</p>"),
        // A nested element of the same name (`<image><title>`) neither blanks nor replaces the entry's.
        .init(fixture: "atom-nested-same-name.xml", index: 0, title: "Titre de l'entrée", id: "urn:kiosque:nested:1"),
        .init(fixture: "atom-nested-same-name.xml", index: 1, title: "Seconde entrée", id: "urn:kiosque:nested:2"),
        // Atom's element names in RSS; a guid still wins over an <id>.
        .init(fixture: "rss2-atom-elements-in-rss.xml", index: 0, published: "2025-06-01T09:00:00Z", updated: "2025-06-02T10:30:00Z",
              summary: "Premier épisode", id: "urn:uuid:5f2b6c1e-0a4d-4e57-9d0c-5c1f0a2b3c4d",
              enclosures: ["https://mediatheque.example.org/balados/1.mp3"]),
        .init(fixture: "rss2-atom-elements-in-rss.xml", index: 1, id: "guid-2", enclosures: []),
        // Obsolete article bodies; content:encoded wins over them.
        .init(fixture: "rss2-fullitem-and-body.xml", index: 0, contentHTML: "<p>Le <b>texte</b> entier</p>"),
        .init(fixture: "rss2-fullitem-and-body.xml", index: 1,
              contentHTML: "<p>Un <a href=\"https://archives.example.org/lien\">lien</a></p>"),
        .init(fixture: "rss2-fullitem-and-body.xml", index: 2, contentHTML: "<p>Contenu</p>"),
        // <summary> and <description> both: the first summarises, the second is the content.
        .init(fixture: "rss2-summary-and-description.xml", index: 0, contentHTML: "<p>La description complète</p>",
              summary: "Le résumé"),
        .init(fixture: "rss2-summary-and-description.xml", index: 1, contentHTML: "<p>Le résumé plus long</p>",
              summary: "La description"),
        // media:title only stands in for a missing title.
        .init(fixture: "rss2-media-title-fallback.xml", index: 0, title: "Conseil municipal du 5 juin"),
        .init(fixture: "rss2-media-title-fallback.xml", index: 1, title: "Titre RSS"),
        .init(fixture: "rss2-media-title-fallback.xml", index: 2, title: "Titre RSS"),
        .init(fixture: "rss2-media-title-fallback.xml", index: 3, title: "Dans un groupe"),
        // C1 controls mean Windows-1252 punctuation; a no-break space is no C1 control.
        .init(fixture: "rss2-c1-controls-for-cp1252.xml", title: "L’été “chaud”", summary: "C’est fini… «\u{A0}oui\u{A0}»"),
        // UTF-8 encoded twice is decoded once more, only when the whole field reads back as UTF-8.
        .init(fixture: "rss2-double-encoded-utf8.xml", index: 0, title: "Été à la plage", summary: "L’été en «\u{A0}août\u{A0}»"),
        .init(fixture: "rss2-double-encoded-utf8.xml", index: 1, title: "Points …", summary: "Âge : 3 °C, «\u{A0}±\u{A0}»"),
        .init(fixture: "rss2-double-encoded-utf8.xml", index: 2, title: "Ã© mais aussi é", summary: "Café crème"),
        // A category is its own words, not those of the elements it wraps.
        .init(fixture: "rss2-category-wrapping-elements.xml", categories: ["Courrier du cœur", "Sport", "Vie locale"]),
        // Upper-case schemes come out lower-case in links; ids stay as written.
        .init(fixture: "atom-uppercase-url-scheme.xml", index: 0, id: "HTTP://majuscules.example.org/Billet",
              link: "http://majuscules.example.org/Billet"),
        .init(fixture: "atom-uppercase-url-scheme.xml", index: 1, link: "http://majuscules.example.org/Page?Q=1"),
        // A document mostly not UTF-8 is Windows-1252 throughout, coincidental sequences included.
        .init(fixture: "latin1-undeclared-coincidental-utf8.xml", title: "«\u{A0}FÊTE DE L'ÉTÉ\u{A0}»",
              summary: "Défilé, bal et feu d'artifice : été 2025, entrée libre."),
    ]

    @Test(arguments: items)
    func itemFields(_ expected: ItemExpectation) throws {
        let feed = try Fixture.parse(expected.fixture)
        let item = try #require(feed.items.indices.contains(expected.index) ? feed.items[expected.index] : nil)
        if let title = expected.title { #expect(item.title == title) }
        if let author = expected.author { #expect(item.author == author) }
        if let published = expected.published { #expect(Fixture.iso(item.published) == published) }
        if let updated = expected.updated { #expect(Fixture.iso(item.updated) == updated) }
        if let categories = expected.categories { #expect(item.categories == categories) }
        if let content = expected.contentHTML { #expect(item.contentHTML == content) }
        if let summary = expected.summary { #expect(item.summary == summary) }
        if let id = expected.id { #expect(item.id == id) }
        if let link = expected.link { #expect(item.link == link) }
        if let enclosures = expected.enclosures { #expect(item.enclosures.map(\.url) == enclosures) }
    }

    @Test(arguments: [
        ("atom03-content-base64.xml", FeedFormat.atom03, "Base64 feed", nil as String?),
        ("atom-dublin-core-dates.xml", .atom10, "Dates DC", "2025-02-10T08:00:00Z"),
        ("rss2-dcterms-modified.xml", .rss20, "DC terms", "2025-04-01T06:00:00Z"),
        ("rss2-nbsp-in-title.xml", .rss20, "Actualités\u{A0}: la mairie", nil),
        ("atom-unusual-default-namespace.xml", .atom10, "Espace de noms inconnu", "2025-05-01T10:00:00Z"),
        ("rss2-unusual-default-namespace.xml", .rss20, "Vieil espace de noms", nil),
        ("atom-echo-draft-namespace.xml", .atom03, "Echo", "2003-08-01T10:00:00Z"),
        ("rss2-atom-elements-in-rss.xml", .rss20, "Balados de la médiathèque", "2025-06-03T07:00:00Z"),
        ("atom-base64-unknown-type.xml", .atom10, "Fichier <b>brut</b>", nil),
    ])
    func feedFields(fixture: String, format: FeedFormat, title: String, updated: String?) throws {
        let feed = try Fixture.parse(fixture)
        #expect(feed.format == format)
        #expect(feed.title == title)
        if let updated { #expect(Fixture.iso(feed.updated) == updated) }
        #expect(!feed.items.isEmpty)
    }

    @Test(arguments: ["&nbsp;Titre&nbsp;", " \u{A0} Titre \u{A0}", "&#160;&#160;Titre"])
    func noBreakSpacesAtTheEndsAreTrimmed(_ raw: String) throws {
        let feed = try parseInline("<rss version=\"2.0\"><channel><title>t</title><item><title>\(raw)</title><guid>g</guid></item></channel></rss>")
        #expect(feed.items.first?.title == "Titre")
    }
}
