import Foundation
@testable import KiosqueSanitize
import Testing

/// A safe fragment and exactly what the sanitizer must make of it.
struct LayoutCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let expected: String
    var testDescription: String { name }
}

@Suite("Layout is preserved")
struct LayoutTests {
    static let cases: [LayoutCase] = [
        LayoutCase(name: "paragraphs and phrasing", input: "<p>Le <b>conseil</b> a <em>voté</em> <i>x</i><u>y</u><s>z</s></p>",
                   expected: "<p>Le <b>conseil</b> a <em>voté</em> <i>x</i><u>y</u><s>z</s></p>"),
        LayoutCase(name: "headings demoted two levels, capped at h6",
                   input: "<h1>A</h1><h2>B</h2><h3>C</h3><h4>D</h4><h5>E</h5><h6>F</h6>",
                   expected: "<h3 data-level=\"1\">A</h3><h4 data-level=\"2\">B</h4><h5 data-level=\"3\">C</h5>"
                       + "<h6 data-level=\"4\">D</h6><h6 data-level=\"5\">E</h6><h6 data-level=\"6\">F</h6>"),
        LayoutCase(name: "a forged level mark cannot keep an h1 on top", input: "<h1 data-level=\"1\">A</h1>",
                   expected: "<h3 data-level=\"1\">A</h3>"),
        LayoutCase(name: "relative link resolved, opened safely",
                   input: "<a href=\"../agenda/?a=1&amp;b=2#c\" class=\"x\">Agenda</a>",
                   expected: "<a href=\"https://news.example.org/2024/agenda/?a=1&amp;b=2#c\" rel=\"noopener noreferrer\" target=\"_blank\">Agenda</a>"),
        LayoutCase(name: "mailto kept", input: "<a href=\"mailto:mairie@example.fr\">écrire</a>",
                   expected: "<a href=\"mailto:mairie@example.fr\" rel=\"noopener noreferrer\" target=\"_blank\">écrire</a>"),
        LayoutCase(name: "protocol-relative image, numeric sizes, lazy",
                   input: "<img src=\"//cdn.example.org/a.jpg\" width=\"640px\" height=\"480\" alt=\"Vue\" style=\"float:left\">",
                   expected: "<img src=\"https://cdn.example.org/a.jpg\" width=\"640\" height=\"480\" alt=\"Vue\" loading=\"lazy\">"),
        LayoutCase(name: "percent sizes dropped", input: "<img src=\"https://cdn.example.org/a.jpg\" width=\"100%\">",
                   expected: "<img src=\"https://cdn.example.org/a.jpg\" loading=\"lazy\">"),
        LayoutCase(name: "lazy-load placeholder replaced by data-src",
                   input: "<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" data-src=\"/w/photo.jpg\" alt=\"\">",
                   expected: "<img src=\"https://news.example.org/w/photo.jpg\" alt=\"\" loading=\"lazy\">"),
        LayoutCase(name: "tracking pixels removed", input: "<p>a<img src=\"https://a.example/p.gif\" width=\"1\" height=\"1\">"
                   + "<img src=\"https://pixel.wp.com/g.gif\"><img src=\"https://x.feeds.feedburner.com/~r/a\"></p>",
                   expected: "<p>a</p>"),
        LayoutCase(name: "srcset filtered per URL",
                   input: "<img srcset=\"a-300.jpg 300w, javascript:alert(1) 600w, https://c.example/a,b.jpg 2x, b.jpg 1.5x\" sizes=\"100vw\">",
                   expected: "<img srcset=\"https://news.example.org/2024/05/a-300.jpg 300w, https://c.example/a,b.jpg 2x, "
                       + "https://news.example.org/2024/05/b.jpg 1.5x\" sizes=\"100vw\" loading=\"lazy\">"),
        LayoutCase(name: "srcset URL left ending in a comma is escaped (found by fuzzing)",
                   input: "<img srcset=\"https://a.example/x,\u{1} 2x\">",
                   expected: "<img srcset=\"https://a.example/x%2C 2x\" loading=\"lazy\">"),
        LayoutCase(name: "lists", input: "<ol start=\"3\" reversed type=\"i\"><li value=\"7\">a</li><li>b</li></ol><ul><li>c</li></ul>",
                   expected: "<ol start=\"3\" reversed type=\"i\"><li value=\"7\">a</li><li>b</li></ol><ul><li>c</li></ul>"),
        LayoutCase(name: "definition list and quote",
                   input: "<dl><dt>T</dt><dd>D</dd></dl><blockquote cite=\"https://src.example/\"><p>Q</p></blockquote><q>q</q>",
                   expected: "<dl><dt>T</dt><dd>D</dd></dl><blockquote cite=\"https://src.example/\"><p>Q</p></blockquote><q>q</q>"),
        LayoutCase(name: "table with spans", input: "<table border=1><caption>H</caption><thead><tr><th scope=\"col\" colspan=\"2\">A</th></tr></thead>"
                   + "<tbody><tr><td rowspan=\"2\">1</td><td>2</td></tr></tbody></table>",
                   expected: "<table><caption>H</caption><thead><tr><th scope=\"col\" colspan=\"2\">A</th></tr></thead>"
                       + "<tbody><tr><td rowspan=\"2\">1</td><td>2</td></tr></tbody></table>"),
        LayoutCase(name: "figure", input: "<figure class=\"wp\"><img src=\"https://a.example/i.jpg\"><figcaption>Légende</figcaption></figure>",
                   expected: "<figure><img src=\"https://a.example/i.jpg\" loading=\"lazy\"><figcaption>Légende</figcaption></figure>"),
        LayoutCase(name: "video always has controls", input: "<video src=\"v.mp4\" autoplay muted poster=\"p.jpg\"><source src=\"v.webm\" type=\"video/webm\">Pas de vidéo</video>",
                   expected: "<video src=\"https://news.example.org/2024/05/v.mp4\" poster=\"https://news.example.org/2024/05/p.jpg\" controls>"
                       + "<source src=\"https://news.example.org/2024/05/v.webm\" type=\"video/webm\">Pas de vidéo</video>"),
        LayoutCase(name: "youtube embed kept in a sandbox",
                   input: "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube-nocookie.com/embed/abc?rel=0\" frameborder=\"0\" allowfullscreen></iframe>",
                   expected: "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube-nocookie.com/embed/abc?rel=0\" allowfullscreen "
                       + "sandbox=\"allow-scripts allow-same-origin allow-popups allow-presentation\" loading=\"lazy\"></iframe>"),
        LayoutCase(name: "sections become divs, spans and fonts unwrap",
                   input: "<section><p><span class=\"x\">a</span> <font color=red>b</font></p></section>",
                   expected: "<div><p>a b</p></div>"),
        LayoutCase(name: "scripts, styles, comments and forms gone, text kept",
                   input: "<p>a<script>x()</script><style>p{}</style><!-- c -->b</p><form action=\"/s\"><label>L</label><input name=q></form>",
                   expected: "<p>ab</p>L"),
        LayoutCase(name: "entities decoded once, text escaped", input: "<p>&lt;b&gt; &amp;amp; &eacute;&nbsp;&#8217;</p>",
                   expected: "<p>&lt;b&gt; &amp;amp; é\u{A0}’</p>"),
        LayoutCase(name: "pre keeps its whitespace", input: "<pre>\n  a\n\tb  </pre>", expected: "<pre>\n  a\n\tb  </pre>"),
        LayoutCase(name: "code, time, abbr", input: "<p><code>x&lt;y</code> <time datetime=\"2024-05-01\">1er mai</time> <abbr title=\"Conseil\">CM</abbr></p>",
                   expected: "<p><code>x&lt;y</code> <time datetime=\"2024-05-01\">1er mai</time> <abbr title=\"Conseil\">CM</abbr></p>"),
        LayoutCase(name: "block inside a paragraph after unwrapping does not nest",
                   input: "<p>a<span><div>b</div></span>c</p>", expected: "<p>abc</p>"),
        LayoutCase(name: "noscript dropped: lazy-load plugins duplicate the image there",
                   input: "<p>a<noscript><img src=\"https://a.example/i.jpg\"></noscript></p>", expected: "<p>a</p>"),
        LayoutCase(name: "picture sources and the image all kept",
                   input: "<picture><source srcset=\"https://a.example/i.webp\" type=\"image/webp\"><source srcset=\"https://a.example/i.avif\">"
                       + "<img src=\"https://a.example/i.jpg\" alt=\"i\"></picture>",
                   expected: "<picture><source srcset=\"https://a.example/i.webp\" type=\"image/webp\"><source srcset=\"https://a.example/i.avif\">"
                       + "<img src=\"https://a.example/i.jpg\" alt=\"i\" loading=\"lazy\"></picture>"),
        LayoutCase(name: "a source without a usable URL keeps what follows it",
                   input: "<picture><source srcset=\"javascript:x\"><img src=\"https://a.example/i.jpg\"></picture>"
                       + "<video src=\"https://a.example/v.mp4\"><source type=\"video/mp4\">Pas de vidéo</video><keygen><p>suite</p>",
                   expected: "<picture><img src=\"https://a.example/i.jpg\" loading=\"lazy\"></picture>"
                       + "<video src=\"https://a.example/v.mp4\" controls>Pas de vidéo</video><p>suite</p>"),
        LayoutCase(name: "word break opportunity keeps the text after it", input: "<p>anti<wbr>constitutionnellement</p>",
                   expected: "<p>anti<wbr>constitutionnellement</p>"),
        LayoutCase(name: "CRLF normalised", input: "<p>a\r\nb\rc</p>", expected: "<p>a\nb\nc</p>"),
        LayoutCase(name: "top-level text is not wrapped", input: "Bonjour <b>à</b> tous", expected: "Bonjour <b>à</b> tous"),
        LayoutCase(name: "relative link without base dropped", input: "<a href=\"/x\">x</a>", expected: "<a>x</a>"),
    ]

    @Test("exact safe output", arguments: cases)
    func exactOutput(_ testCase: LayoutCase) {
        let base: URL? = testCase.name.contains("without base") ? nil : Fixture.base
        let output = Fixture.sanitizer.sanitize(testCase.input, baseURL: base)
        #expect(output == testCase.expected)
        #expect(Fixture.sanitizer.sanitize(output, baseURL: base) == output, "not idempotent")
        #expect(SafetyCheck.violations(in: output) == [])
    }

    @Test("a real WordPress article keeps its structure and is idempotent")
    func wordpressFixture() throws {
        let html = try Fixture.text("wordpress-lazyload-article.html")
        let (output, text) = Fixture.sanitizer.sanitizeAndExtract(html, baseURL: Fixture.base)
        #expect(SafetyCheck.violations(in: output) == [])
        #expect(Fixture.sanitizer.sanitize(output, baseURL: Fixture.base) == output)
        #expect(output.contains("<h4 data-level=\"2\">Les principaux investissements</h4>"))
        #expect(output.contains("src=\"https://news.example.org/wp-content/uploads/2024/05/ecole.jpg\""))
        #expect(output.contains("src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?feature=oembed\" allowfullscreen sandbox="))
        #expect(output.components(separatedBy: "ecole.jpg").count == 2, "the noscript duplicate is gone")
        #expect(!output.contains("feedburner"))
        #expect(text.hasPrefix("Le conseil municipal a adopté mardi soir le budget primitif 2024."))
        #expect(!text.contains("dataLayer"))
    }

    @Test("a custom policy's iframe hosts replace the standard ones")
    func customIframeHosts() {
        var policy = SanitizerPolicy.standard
        policy.iframeHosts = ["video.intranet.example"]
        let sanitizer = HTMLSanitizer(policy: policy)
        let youtube = "<iframe src=\"https://www.youtube-nocookie.com/embed/a\"></iframe>"
        let own = "<iframe src=\"https://video.intranet.example/v/1\"></iframe>"
        #expect(sanitizer.sanitize(youtube, baseURL: nil) == "")
        #expect(sanitizer.sanitize(own, baseURL: nil).hasPrefix("<iframe src=\"https://video.intranet.example/v/1\" sandbox="))
    }
}
