import Foundation
import KiosqueSanitize
import Testing

/// Summaries read only as far as they need, on UTF-8 bytes: same output as splitting the whole
/// text by `Character.isWhitespace` and re-joining it (the definition, kept here as the oracle).
@Suite("Summaries on long and multibyte text")
struct SummaryTests {
    /// The former implementation: the definition of a summary, slow on long articles.
    static func reference(_ text: String, _ maxLength: Int) -> String {
        guard maxLength > 0 else { return "" }
        var line = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard line.count > maxLength else { return line }
        guard maxLength > 1 else { return "…" }
        let limit = line.index(line.startIndex, offsetBy: maxLength - 1)
        var cut = limit
        if !line[limit].isWhitespace, let space = line[..<limit].lastIndex(where: { $0.isWhitespace }) { cut = space }
        line = String(line[..<cut])
        let punctuation: Set<Character> = [",", ";", ":", "-", "–", "—", "(", "«", "\""]
        while let last = line.last, last.isWhitespace || punctuation.contains(last) { line.removeLast() }
        return line + "…"
    }

    @Test("whitespace runs of every kind become one space", arguments: [
        ("a\u{00A0}\u{00A0}b\u{3000}c\r\n\td", 50, "a b c d"),
        ("\u{2009}\u{202F}début\u{2028}\u{2029}fin\u{85}\u{1680}", 50, "début fin"),
        ("mot\u{000B}\u{000C}mot", 50, "mot mot"),
        ("a \u{0301}b", 50, "a b"),  // a mark after a space belongs to the space's character
        ("e\u{0301}té  \t\n  été", 50, "e\u{0301}té été"),
        ("zéro\u{200B}largeur", 50, "zéro\u{200B}largeur"),  // U+200B is not White_Space
        ("   ", 5, ""),
    ])
    func whitespace(_ text: String, _ maxLength: Int, _ expected: String) {
        #expect(TextExtractor.summary(of: text, maxLength: maxLength) == expected)
    }

    @Test("a cut never splits a multibyte character or a grapheme", arguments: [
        ("été été été", 6, "été…"),
        ("ééééééééé", 5, "éééé…"),
        ("👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧 famille", 3, "👩‍👩‍👧👩‍👩‍👧…"),
        ("🇫🇷🇫🇷🇫🇷🇫🇷", 3, "🇫🇷🇫🇷…"),
        ("e\u{0301}e\u{0301}e\u{0301}e\u{0301}", 3, "e\u{0301}e\u{0301}…"),
        ("日本語の文章はスペースなしで続く", 8, "日本語の文章は…"),
        ("Budget 2027 : 1,2 M€ pour l’école", 20, "Budget 2027 : 1,2…"),
    ])
    func multibyteCut(_ text: String, _ maxLength: Int, _ expected: String) {
        let summary = TextExtractor.summary(of: text, maxLength: maxLength)
        #expect(summary == expected)
        #expect(summary == Self.reference(text, maxLength))
        #expect(summary.count <= maxLength)
    }

    @Test func sameAsTheDefinitionOnMixedText() {
        // Words of ASCII, accents, combining marks, emoji sequences and flags, separated by runs of
        // every kind of whitespace, cut at every length around them.
        let words = ["le", "conseil", "été", "e\u{0301}lu", "👩‍👩‍👧", "🇫🇷", "«", "budget,", "l’école", "—", "日本", "x"]
        let spaces = [" ", "  ", "\n", "\r\n", "\t", "\u{00A0}", "\u{202F}", "\u{3000}", " \u{0301}", "\u{2009}\n"]
        var seed: UInt64 = 13
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<300 {
            var text = next(3) == 0 ? spaces[next(spaces.count)] : ""
            for _ in 0..<(1 + next(40)) { text += words[next(words.count)] + spaces[next(spaces.count)] }
            let maxLength = 1 + next(70)
            #expect(TextExtractor.summary(of: text, maxLength: maxLength) == Self.reference(text, maxLength),
                    "\(maxLength): \(text.debugDescription)")
        }
    }

    @Test func aLongArticleIsReadOnlyAsFarAsTheSummaryNeeds() {
        // 40 MB of text: splitting and re-joining it all took seconds; the summary needs 280 characters.
        let paragraph = String(repeating: "Le conseil municipal a voté le budget de l’école\u{00A0}: 1,2 M€. ", count: 20) + "\n\n"
        let article = String(repeating: paragraph, count: 30_000)
        let start = ContinuousClock.now
        let summary = TextExtractor.summary(of: article, maxLength: 280)
        let elapsed = start.duration(to: .now)
        #expect(summary.count <= 280 && summary.hasSuffix("…") && summary.hasPrefix("Le conseil municipal"))
        #expect(summary == Self.reference(String(article.prefix(2_000)), 280))
        #expect(elapsed < .milliseconds(200), "took \(elapsed)")
    }
}
