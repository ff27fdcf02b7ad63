/// Plain text from feed HTML, for search and summaries.
public enum TextExtractor {
    private static let sanitizer = HTMLSanitizer()

    /// The text of an HTML fragment: entities decoded, scripts and styles left out, block
    /// elements on their own lines, whitespace collapsed, no empty lines.
    public static func text(fromHTML html: String) -> String {
        sanitizer.run(html, baseURL: nil, wantHTML: false, wantText: true).text
    }
}
