// Every format and its versions, detected by content: one row per fixture with the values
// a reader must get right (format, feed title and link, item count, first item).
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

struct FeedExpectation: CustomTestStringConvertible, Sendable {
    let file: String
    let format: FeedFormat
    let title: String?
    let link: String?
    let items: Int
    let firstID: String?
    let firstTitle: String?
    let firstLink: String?
    var testDescription: String { file }
}

private let feeds: [FeedExpectation] = [
    .init(file: "rss2-basic.xml", format: .rss20, title: "Mairie de Saint-Étienne — Actualités",
          link: "https://www.example.org/actualites", items: 2, firstID: "https://www.example.org/actualites/mediatheque",
          firstTitle: "Fermeture exceptionnelle de la médiathèque", firstLink: "https://www.example.org/actualites/mediatheque"),
    .init(file: "rss091-netscape-doctype.xml", format: .rss09x, title: "Old School", link: "http://old.example.org/",
          items: 1, firstID: nil, firstTitle: "First post", firstLink: "http://old.example.org/1"),
    .init(file: "rss092-enclosure.xml", format: .rss09x, title: "Zero Nine Two", link: "http://example.org/",
          items: 1, firstID: nil, firstTitle: "An item with only a description", firstLink: nil), // title from the text
    .init(file: "rss-no-version-attribute.xml", format: .rss20, title: "Versionless", link: "https://example.org/",
          items: 1, firstID: "a", firstTitle: "a", firstLink: nil),
    .init(file: "rdf-rss10-basic.xml", format: .rss10, title: "RDF Site", link: "https://rdf.example.org/",
          items: 2, firstID: "https://rdf.example.org/a", firstTitle: "Article A", firstLink: "https://rdf.example.org/a"),
    .init(file: "rdf-rss090-netscape.xml", format: .rss09x, title: "Ninety", link: "http://ninety.example.org/",
          items: 1, firstID: nil, firstTitle: "First", firstLink: "http://ninety.example.org/1"),
    .init(file: "atom-basic.xml", format: .atom10, title: "Atom Example", link: "https://atom.example.org/", items: 1,
          firstID: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", firstTitle: "Atom-Powered Robots Run Amok",
          firstLink: "https://atom.example.org/2025/01/31/robots"),
    .init(file: "atom03-purl-namespace.xml", format: .atom03, title: "Atom Zero Three", link: "https://old-atom.example.org/",
          items: 1, firstID: "tag:old-atom.example.org,2004:1", firstTitle: "Old entry", firstLink: "https://old-atom.example.org/1"),
    .init(file: "atom-no-namespace.xml", format: .atom10, title: "No NS", link: nil, items: 1, firstID: "n1",
          firstTitle: "e", firstLink: "https://nons.example.org/1"),
    .init(file: "atom-youtube-media-group.xml", format: .atom10, title: "Chaîne vidéo",
          link: "https://video.example.org/channel/abc", items: 1, firstID: "yt:video:xyz",
          firstTitle: "Vidéo de la séance", firstLink: "https://video.example.org/watch?v=xyz"),
    .init(file: "atom-source-element.xml", format: .atom10, title: "Planet", link: nil, items: 1, firstID: "p1",
          firstTitle: "Entry Title", firstLink: "https://planet.example.org/1"),
    .init(file: "jsonfeed-1.1.json", format: .jsonFeed1, title: "JSON Ville", link: "https://json.example.org/", items: 2,
          firstID: "1", firstTitle: "Premier & unique", firstLink: "https://json.example.org/1"),
    .init(file: "jsonfeed-1.0-author.json", format: .jsonFeed1, title: "JSON Un", link: "https://json1.example.org/", items: 1,
          firstID: "a", firstTitle: "Externe", firstLink: "https://elsewhere.example.com/a"),
    .init(file: "rss2-truncated.xml", format: .rss20, title: "Truncated", link: "https://example.org/", items: 2,
          firstID: "c", firstTitle: "Complet", firstLink: "https://example.org/c"),
    .init(file: "billion-laughs.xml", format: .rss20, title: "Laughs", link: "https://evil.example.org/", items: 1,
          firstID: "lol", firstTitle: "Item", firstLink: nil),
    .init(file: "xxe-file-etc-passwd.xml", format: .rss20, title: "XXE", link: "https://evil.example.org/", items: 1,
          firstID: "xxe", firstTitle: "Leak", firstLink: nil),
    .init(file: "xxe-parameter-entity.xml", format: .rss20, title: "PE", link: "https://evil.example.org/", items: 1,
          firstID: "pe", firstTitle: "PE item", firstLink: nil),
]

@Test("format detection and core fields", arguments: feeds)
func coreFields(_ expected: FeedExpectation) throws {
    let feed = try Fixture.parse(expected.file)
    #expect(feed.format == expected.format)
    #expect(feed.title == expected.title)
    #expect(feed.link == expected.link)
    #expect(feed.items.count == expected.items)
    let first = try #require(feed.items.first)
    if let id = expected.firstID { #expect(first.id == id) } else { #expect(first.id.hasPrefix("kiosque:fnv1a:")) }
    #expect(first.title == expected.firstTitle)
    #expect(first.link == expected.firstLink)
}

/// Detection is by content: the same bytes under a misleading name or none parse the same.
@Test func detectionIgnoresNames() throws {
    let atom = try Fixture.data("atom-basic.xml")
    let asRSS = try FeedParser.parse(atom, url: URL(string: "https://example.org/rss.xml"))
    let noURL = try FeedParser.parse(atom)
    #expect(asRSS.format == .atom10)
    #expect(noURL.format == .atom10)
}

/// Every fixture that is a feed encodes to JSON that Foundation can read back with the contract's keys.
@Test(arguments: feeds.map(\.file))
func contractKeys(_ file: String) throws {
    let json = FeedJSON.encode(try Fixture.parse(file))
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    #expect(Set(object.keys) == ["format", "title", "link", "subtitle", "language", "updated", "items", "warnings"])
    let items = try #require(object["items"] as? [[String: Any]])
    for item in items {
        #expect(Set(item.keys) == ["id", "title", "link", "published", "updated", "author", "summary",
                                   "content_html", "categories", "enclosures"])
    }
}
