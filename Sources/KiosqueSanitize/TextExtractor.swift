/// Plain text from feed HTML, for search and summaries.
public enum TextExtractor {
    private static let sanitizer = HTMLSanitizer()

    /// The text of an HTML fragment: entities decoded, scripts and styles left out, block
    /// elements on their own lines, whitespace collapsed, no empty lines.
    public static func text(fromHTML html: String) -> String {
        sanitizer.run(html, baseURL: nil, wantHTML: false, wantText: true).text
    }

    /// The first `maxLength` characters of `text` on one line, cut at a word boundary and ended
    /// with "…" when anything was cut (the ellipsis counts towards `maxLength`).
    public static func summary(of text: String, maxLength: Int) -> String {
        guard maxLength > 0 else { return "" }
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var line = words.joined(separator: " ")
        guard line.count > maxLength else { return line }
        guard maxLength > 1 else { return "…" }
        let limit = line.index(line.startIndex, offsetBy: maxLength - 1)
        var cut = limit
        if !line[limit].isWhitespace {
            // Back up to the last space before the limit, unless the first word alone is too long.
            if let space = line[..<limit].lastIndex(where: { $0.isWhitespace }) { cut = space }
        }
        line = String(line[..<cut])
        while let last = line.last, last.isWhitespace || Self.trailingPunctuation.contains(last) {
            line.removeLast()
        }
        return line + "…"
    }

    /// Punctuation that reads badly right before an ellipsis.
    private static let trailingPunctuation: Set<Character> = [",", ";", ":", "-", "–", "—", "(", "«", "\""]
}
