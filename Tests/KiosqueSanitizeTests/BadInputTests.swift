import Foundation
import KiosqueSanitize
import Testing

@Suite("Bad input")
struct BadInputTests {
    let sanitizer = Fixture.sanitizer

    /// Sanitizes, then checks safety and idempotence; returns the output.
    @discardableResult
    func check(_ html: String) -> String {
        let output = sanitizer.sanitize(html, baseURL: Fixture.base)
        #expect(SafetyCheck.violations(in: output) == [])
        #expect(sanitizer.sanitize(output, baseURL: Fixture.base) == output)
        return output
    }

    @Test("unclosed tags are closed")
    func unclosed() {
        #expect(check("<p><b>gras<i>italique") == "<p><b>gras<i>italique</i></b></p>")
        #expect(check("<ul><li>a<li>b") == "<ul><li>a</li><li>b</li></ul>")
        #expect(check("<table><tr><td>a<td>b") == "<table><tr><td>a</td><td>b</td></tr></table>")
        #expect(check("<a href=\"https://x.example/\">lien") == "<a href=\"https://x.example/\" rel=\"noopener noreferrer\" target=\"_blank\">lien</a>")
        check("<img src=\"https://x.example/a.png")
        #expect(check("</p></div></b>texte") == "texte")
        #expect(check("<p>a</kiosque-root>b") == "<p>a</p><p>b</p>")
    }

    @Test("10,000 nested tables: bounded depth, no crash")
    func deepTables() {
        let html = String(repeating: "<table><tr><td>", count: 10_000) + "fond" + String(repeating: "</td></tr></table>", count: 10_000)
        let output = check(html)
        #expect(output.hasPrefix("<table><tr><td><table>"))
        let opened = output.components(separatedBy: "<table>").count - 1
        #expect(opened > 10 && opened <= SanitizerPolicy.standard.maxDepth)
    }

    @Test("100,000 nested inline elements and unwrapped divs")
    func deepInline() {
        check(String(repeating: "<b>", count: 100_000) + "x")
        check(String(repeating: "<span><div>", count: 50_000) + "x")
        check(String(repeating: "<blockquote>", count: 300) + "x" + String(repeating: "</blockquote>", count: 300))
    }

    @Test("megabytes of text without a tag")
    func hugeText() {
        let text = String(repeating: "Lorem ipsum dolor sit amet & consectetur < adipiscing > elit. ", count: 50_000)
        let output = check(text)
        #expect(output.count > text.count)
        #expect(output.hasPrefix("Lorem ipsum dolor sit amet &amp; consectetur &lt; adipiscing &gt; elit."))
        #expect(TextExtractor.text(fromHTML: text).count == text.count - 1)  // trailing space trimmed
    }

    @Test("invalid UTF-8 becomes replacement characters")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("<p>caf".utf8) + [0xE9, 0xFF, 0xC3] + Array("</p><p>\u{FFFE}ok</p>".utf8)
        let html = String(decoding: bytes, as: UTF8.self)
        let output = check(html)
        #expect(output.hasPrefix("<p>caf\u{FFFD}"))
        #expect(output.hasSuffix("<p>ok</p>"))
    }

    @Test("NUL and control characters")
    func controls() {
        #expect(check("<p>a\u{0}b</p>") == "<p>ab</p>")
        #expect(check("<a href=\"java\u{0}script:alert(1)\">x</a>") == "<a>x</a>")
        #expect(check("<p title=\"a\u{0}b\">c\u{1}d\u{B}e</p>") == "<p>cde</p>")
        check("\u{0}\u{0}\u{0}<\u{0}script>alert(1)</script>")
    }

    @Test("a prefixed tag read as an empty element keeps its content outside it (found by fuzzing)")
    func prefixedEmptyElement() {
        #expect(check("<p>a<mailto:img src=\"https://a.example/i.png\">b<p>c</p></mailto:img></p>")
            == "<p>a<img src=\"https://a.example/i.png\" loading=\"lazy\">bc</p>")
        #expect(check("<mailto:img>x<p>y</p>") == "x<p>y</p>")
    }

    @Test("odd but harmless inputs", arguments: [
        "", " ", "<", ">", "&", "&#", "&#x;", "<!", "<!--", "<?", "</", "<a", "<a href", "<a href=\"", "<p <p <p",
        "<<<<>>>>", "<div></div></div></div>", "<table><td><li><dt><p>x", "<p>\u{200B}\u{FEFF}</p>", "<br/><br><br />",
        "<html><body><p>x</p></body></html>", "<body><body><body>x", "<head><title>t</title></head>x",
        "<meta charset=\"iso-8859-1\"><p>é</p>", "<a><a><a>x</a></a></a>", "<p><p><p>x", "<li><li><ul><li>x",
        "<h1><h1><h1>x", "<pre><pre>x</pre></pre>", "<dd><dt><dd>x", "<tr><td>x</td></tr>", "<caption>x",
        String(repeating: "&amp;", count: 10_000), String(repeating: "<br>", count: 10_000),
        String(repeating: " ", count: 5_000) + "<b>x</b>", "<img src=\"" + String(repeating: "a", count: 100_000) + "\">",
    ])
    func oddInput(_ html: String) {
        check(html)
    }
}
