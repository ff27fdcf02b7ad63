import Foundation
import KiosqueModel
import KiosqueParse
import Testing

/// An item's own picture (issue 16): RSS `media:thumbnail`, JSON Feed `image`, and which picture an item row shows.
@Suite("Item pictures")
struct ItemImageTests {
    @Test("media:thumbnail gives the item's picture, resolved against the feed; media:content stays an enclosure")
    func mediaThumbnail() throws {
        let xml = """
            <?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
            <link>https://ville.example/</link><item><title>A</title><link>https://ville.example/a</link>
            <media:thumbnail url="/img/a-small.jpg" width="120" height="80"/>
            <media:content url="https://cdn.example/a.jpg" medium="image"/></item></channel></rss>
            """
        let feed = try FeedParser.parse(Data(xml.utf8), url: URL(string: "https://ville.example/rss"))
        let item = try #require(feed.items.first)
        #expect(item.image == "https://ville.example/img/a-small.jpg")
        #expect(item.enclosures.map(\.url) == ["https://cdn.example/a.jpg"])
        #expect(ItemPicture.of(item) == ItemPicture(url: "https://ville.example/img/a-small.jpg", alt: ""))
    }

    @Test("JSON Feed image (else banner_image) gives the item's picture")
    func jsonFeedImage() throws {
        let json = """
            {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
              {"id": "1", "url": "https://ville.example/1", "title": "Un", "content_text": "x", "image": "https://ville.example/1.png"},
              {"id": "2", "url": "https://ville.example/2", "title": "Deux", "content_text": "y", "banner_image": "https://ville.example/2.png"},
              {"id": "3", "url": "https://ville.example/3", "title": "Trois", "content_text": "z",
               "attachments": [{"url": "https://ville.example/3.webp", "mime_type": "image/webp"}]}]}
            """
        let items = try FeedParser.parse(Data(json.utf8)).items
        #expect(items.map(\.image) == ["https://ville.example/1.png", "https://ville.example/2.png", nil])
        #expect(ItemPicture.of(items[2])?.url == "https://ville.example/3.webp")
    }

    @Test("The content's first image wins, with its alt text; SVG and non-image enclosures are no picture")
    func precedence() {
        let withContent = ParsedItem(id: "x", contentHTML: "<p><img src=\"https://a.example/c.jpg\" alt=\"Le marché\"></p>",
                                     enclosures: [Enclosure(url: "https://a.example/e.jpg", type: "image/jpeg")],
                                     image: "https://a.example/t.jpg")
        #expect(ItemPicture.of(withContent) == ItemPicture(url: "https://a.example/c.jpg", alt: "Le marché"))
        let none = ParsedItem(id: "y", enclosures: [Enclosure(url: "https://a.example/p.mp3", type: "audio/mpeg"),
                                                    Enclosure(url: "https://a.example/s.svg", type: "image/svg+xml")])
        #expect(ItemPicture.of(none) == nil)
        #expect(ItemPicture.of(ParsedItem(id: "z", enclosures: [Enclosure(url: "https://a.example/photo.JPG?x=1")]))?.url
                == "https://a.example/photo.JPG?x=1")
    }

    @Test("In sanitized HTML: the first <img> with a web address, after accented text, past a relative one; none in text or at the very end")
    func firstImageInHTML() {
        let html = "<p>Élus « réunis » à l'été — <i>vote</i></p><img src=\"/local.png\" alt=\"x\"><img src=\"https://a.example/b.jpg\" alt=\"Fête &amp; marché\">"
        #expect(ItemPicture.first(inHTML: html) == ItemPicture(url: "https://a.example/b.jpg", alt: "Fête & marché"))
        #expect(ItemPicture.first(inHTML: "<p>Pas d'image ici, seulement du texte é à ç</p>") == nil)
        #expect(ItemPicture.first(inHTML: "<p>fin</p><im") == nil)
        #expect(ItemPicture.first(inHTML: "<img src=\"https://a.example/c.jpg\"") == nil)
        #expect(ItemPicture.first(inHTML: "") == nil)
    }
}
