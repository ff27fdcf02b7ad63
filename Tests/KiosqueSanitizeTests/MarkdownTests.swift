import Foundation
import KiosqueSanitize
import Testing

/// Announcements are written in Markdown: every hostile fragment the sanitizer knows must stay
/// harmless when it arrives through Markdown (as raw HTML, inside links, images or code).
@Suite("Markdown path")
struct MarkdownTests {
    let renderer = MarkdownRenderer()

    @Test("formatting survives: headings, emphasis, lists, links, images")
    func formatting() {
        let html = renderer.render("""
            # Titre

            Un **texte** _important_ et un [lien](https://intranet.example/page).

            - un
            - deux

            ![Plan](https://intranet.example/plan.png)
            """).html
        #expect(html.contains("<strong>texte</strong>"))
        #expect(html.contains("<em>important</em>"))
        #expect(html.contains("<li>un</li>"))
        #expect(html.contains("href=\"https://intranet.example/page\""))
        #expect(html.contains("<img src=\"https://intranet.example/plan.png\""))
        #expect(SafetyCheck.violations(in: html) == [])
    }

    @Test("every attack vector, as raw HTML in Markdown, comes out unable to run script", arguments: AttackVectors.all)
    func rawHTML(_ vector: AttackVector) {
        for markdown in [vector.html, "Avant\n\n\(vector.html)\n\nAprès", "Texte \(vector.html) en ligne", "> \(vector.html)",
                         "- \(vector.html)"] {
            let html = renderer.render(markdown).html
            #expect(SafetyCheck.violations(in: html) == [], "markdown: \(markdown) → \(html)")
        }
    }

    @Test("hostile link and image targets lose their URL", arguments: [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "jav&#x09;ascript:alert(1)", "javascript&#58;alert(1)", "\"onmouseover=\"alert(1)", "x\" onerror=\"alert(1)",
    ])
    func hostileTargets(_ target: String) {
        for markdown in ["[clic](\(target))", "![img](\(target))", "[ref][1]\n\n[1]: \(target)", "<\(target)>"] {
            let html = renderer.render(markdown).html
            // The judge parses the output: no element keeps an event handler or a script URL
            // (a hostile target left as escaped text is harmless and may stay visible).
            #expect(SafetyCheck.violations(in: html) == [], "markdown: \(markdown) → \(html)")
            #expect(!html.lowercased().contains("href=\"javascript") && !html.lowercased().contains("src=\"javascript"), "\(html)")
        }
    }

    @Test("code blocks show markup as text")
    func codeIsEscaped() {
        let html = renderer.render("```\n<script>alert(1)</script>\n```\n\n`<img src=x onerror=alert(1)>`").html
        #expect(html.contains("&lt;script&gt;"))
        #expect(SafetyCheck.violations(in: html) == [])
    }

    @Test("the text used for search and summaries carries the words, not the markup")
    func text() {
        let text = renderer.render("# Note de service\n\nLa **cantine** ferme <script>alert(1)</script>").text
        #expect(text.contains("cantine"))
        #expect(!text.contains("<"))
        #expect(!text.contains("alert"))
    }
}
