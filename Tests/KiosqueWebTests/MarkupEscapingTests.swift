@testable import KiosqueWeb
import Testing

@Suite("Markup escaping")
struct MarkupEscapingTests {
    @Test func escapesWhatMustBeAndReturnsTheRestAsIs() {
        #expect(htmlEscape("Délibération n° 12 — budget") == "Délibération n° 12 — budget")
        #expect(htmlEscape(#"<a href="x">Tom & 'Jerry'</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(markupEscape("a\u{1}b\tc\u{FFFE}d'", xml: true) == "ab\tcd&apos;")
        #expect(markupEscape("a\u{1}b", xml: false) == "a\u{1}b")
        #expect(markupEscape("sans souci ￿", xml: true) == "sans souci ")
    }
}
