import Foundation
import KiosqueMedia
import KiosqueModel
import Testing

@Suite("Image addresses rewritten to /media")
struct MediaRewriterTests {
    let signer = MediaSigner(key: Data(repeating: 7, count: 32))

    private func local(_ url: String) -> String { "/media/\(signer.id(for: url))" }

    @Test("img src and srcset, picture source srcset and video poster point at /media; the rest is untouched")
    func everyForm() {
        let rewriter = MediaRewriter(signer: signer)
        let html = """
            <p>Texte &lt;img src="x"&gt;</p><img src="https://a.example/1.jpg?x=1&amp;y=2" alt="Un chat" width="10" height="10" loading="lazy">\
            <picture><source srcset="https://a.example/2.webp 1x, https://a.example/2@2x.webp 2x" type="image/webp">\
            <img src="https://a.example/2.jpg" srcset="https://a.example/2.jpg 480w, https://a.example/2b.jpg 960w" alt=""></picture>\
            <video controls poster="https://a.example/p.jpg"><source src="https://a.example/v.mp4" type="video/mp4"></video>\
            <a href="https://a.example/1.jpg">lien</a><img src="data:image/png;base64,AAAA" alt="d">
            """
        let out = rewriter.rewrite(html: html)
        #expect(out.contains("<img src=\"\(local("https://a.example/1.jpg?x=1&y=2"))\" alt=\"Un chat\" width=\"10\" height=\"10\" loading=\"lazy\">"))
        #expect(out.contains("srcset=\"\(local("https://a.example/2.webp")) 1x, \(local("https://a.example/2@2x.webp")) 2x\""))
        #expect(out.contains("srcset=\"\(local("https://a.example/2.jpg")) 480w, \(local("https://a.example/2b.jpg")) 960w\""))
        #expect(out.contains("poster=\"\(local("https://a.example/p.jpg"))\""))
        #expect(out.contains("<source src=\"https://a.example/v.mp4\""), "video sources are not images")
        #expect(out.contains("<a href=\"https://a.example/1.jpg\">"), "links are not images")
        #expect(out.contains("src=\"data:image/png;base64,AAAA\""))
        #expect(out.contains("<p>Texte &lt;img src=\"x\"&gt;</p>"))
        #expect(!out.contains("src=\"https://a.example/1.jpg"))
    }

    @Test("Ids verify back to their address; thumbnails ask for the small size")
    func roundTrip() throws {
        let url = "https://a.example/é.jpg?q=1"
        let address = try #require(MediaRewriter(signer: signer).address(for: url, thumbnail: true))
        #expect(address.hasSuffix("?taille=vignette"))
        let id = String(address.dropFirst("/media/".count).prefix { $0 != "?" })
        #expect(signer.verify(id)?.url == url)
    }

    @Test("A refused picture shows its alt text instead of a broken image; a decorative one disappears")
    func altOnFailure() {
        let refused = signer.mac("https://a.example/bad.jpg")
        let rewriter = MediaRewriter(signer: signer, isRefused: { $0 == refused })
        let out = rewriter.rewrite(html: "<p><img src=\"https://a.example/bad.jpg\" alt=\"Plan &amp; accès\"> "
                                   + "<img src=\"https://a.example/bad.jpg\" alt=\"\"><img src=\"https://a.example/ok.jpg\" alt=\"ok\"></p>")
        #expect(out == "<p><span class=\"media-alt\">Plan &amp; accès</span> <img src=\"\(local("https://a.example/ok.jpg"))\" alt=\"ok\"></p>")
    }

    @Test("The first content picture and its alt text")
    func firstImage() {
        let html = "<p>x</p><img src=\"data:x\" alt=\"no\"><img src=\"https://a.example/1.jpg?a=1&amp;b=2\" alt=\"Le &quot;maire&quot;\">"
        #expect(MediaRewriter.firstImage(in: html) == ItemPicture(url: "https://a.example/1.jpg?a=1&b=2", alt: "Le \"maire\""))
        #expect(MediaRewriter.firstImage(in: "<p>rien</p>") == nil)
    }
}
