import KiosqueSanitize
import Testing

@Suite("Text extraction and summaries")
struct TextExtractionTests {
    @Test("plain text from HTML", arguments: [
        ("<p>Un</p><p>Deux</p>", "Un\nDeux"),
        ("<p>a <b>gras</b>   et\n\t<i>italique</i></p>", "a gras et italique"),
        ("Ligne<br>suivante<br/><br>fin", "Ligne\nsuivante\nfin"),
        ("<h1>Titre</h1>Texte", "Titre\nTexte"),
        ("<ul><li>un</li><li>deux</li></ul>", "un\ndeux"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("&eacute;t&eacute; &amp; hiver&nbsp;&#8217;", "été & hiver ’"),
        ("<p>a<script>var x = '<p>';</script><style>p { color: red }</style>b</p>", "ab"),
        ("<p>x<!-- hidden --></p><noscript>y</noscript>", "x"),
        ("<div><section>A</section><span>B</span> C</div>", "A\nB C"),
        ("<iframe src=\"https://www.youtube-nocookie.com/embed/a\">fallback</iframe>z", "z"),
        ("  \n <p>  </p> ", ""),
        ("<pre>  code\n  bloc </pre>", "code bloc"),
        ("<p>1 &lt; 2</p>", "1 < 2"),
        ("", ""),
    ])
    func text(_ html: String, _ expected: String) {
        #expect(TextExtractor.text(fromHTML: html) == expected)
    }

    @Test("sanitizeAndExtract gives the same text as TextExtractor")
    func sameText() throws {
        let html = try Fixture.text("wordpress-lazyload-article.html")
        let both = Fixture.sanitizer.sanitizeAndExtract(html, baseURL: Fixture.base)
        #expect(both.text == TextExtractor.text(fromHTML: html))
        #expect(both.text.contains("Rénovation de l’école : 1,2 M€\nVoirie"))
    }

    @Test("summaries cut on a word boundary with an ellipsis", arguments: [
        ("Le conseil municipal a voté le budget", 100, "Le conseil municipal a voté le budget"),
        ("Le conseil municipal a voté le budget", 20, "Le conseil…"),
        ("Le conseil municipal a voté le budget", 21, "Le conseil municipal…"),
        ("Le conseil municipal a voté le budget", 22, "Le conseil municipal…"),
        ("Le conseil municipal a voté le budget", 24, "Le conseil municipal a…"),
        ("Bonjour, monde entier", 10, "Bonjour…"),
        ("Anticonstitutionnellement", 10, "Anticonst…"),
        ("Un\ndeux\n\ntrois", 50, "Un deux trois"),
        ("  espaces   partout  ", 50, "espaces partout"),
        ("été à Noël", 6, "été à…"),
        ("abc", 0, ""),
        ("abcdef", 1, "…"),
        ("", 10, ""),
    ])
    func summary(_ text: String, _ maxLength: Int, _ expected: String) {
        let summary = TextExtractor.summary(of: text, maxLength: maxLength)
        #expect(summary == expected)
        #expect(summary.count <= max(maxLength, 0))
    }
}
