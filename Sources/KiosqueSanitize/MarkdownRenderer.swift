public import Foundation
import Ink

/// Markdown written by agents (announcements) turned into safe HTML: Ink renders it, then the
/// very sanitizer that cleans fetched feeds takes out whatever Markdown let through (raw HTML,
/// `javascript:` links, event handlers on inline images). Nothing reaches a page unsanitized.
public struct MarkdownRenderer: Sendable {
    /// The sanitizer every rendering goes through.
    public let sanitizer: HTMLSanitizer

    /// Creates a renderer over `sanitizer`.
    public init(sanitizer: HTMLSanitizer = HTMLSanitizer()) {
        self.sanitizer = sanitizer
    }

    /// The sanitized HTML and its plain text for `markdown`; links resolve against `baseURL`.
    public func render(_ markdown: String, baseURL: URL? = nil) -> (html: String, text: String) {
        // Ink's parser is a small value holding no state between calls: one per rendering.
        let raw = MarkdownParser().html(from: markdown)
        return sanitizer.sanitizeAndExtract(raw, baseURL: baseURL)
    }
}
