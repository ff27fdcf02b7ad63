public import Foundation
public import KiosqueModel
import KiosqueSanitize

/// Turns parsed items into what the store keeps: sanitized HTML, its plain text, and a plain summary.
/// This is the one place where feed HTML is made safe, so the store never holds raw feed markup.
public struct ItemPreparer: Sendable {
    private let sanitizer: HTMLSanitizer
    private let summaryLength: Int

    /// `iframeHosts` are the video hosts from channels.yml (`content.iframe_hosts`).
    public init(iframeHosts: [String], summaryLength: Int) {
        var policy = SanitizerPolicy.standard
        policy.iframeHosts = iframeHosts
        self.sanitizer = HTMLSanitizer(policy: policy)
        self.summaryLength = summaryLength
    }

    /// Prepares every item of a feed; relative URLs resolve against the item's link, else the feed's.
    public func prepare(_ feed: ParsedFeed, documentURL: URL?) -> [PreparedItem] {
        feed.items.map { prepare($0, feedLink: feed.link, documentURL: documentURL) }
    }

    /// Prepares one item.
    public func prepare(_ item: ParsedItem, feedLink: String? = nil, documentURL: URL? = nil) -> PreparedItem {
        var prepared = item
        let base = item.link.flatMap(URL.init(string:)) ?? feedLink.flatMap(URL.init(string:)) ?? documentURL
        var text = ""
        if let html = item.contentHTML, !html.isEmpty {
            let (safeHTML, extracted) = sanitizer.sanitizeAndExtract(html, baseURL: base)
            prepared.contentHTML = safeHTML.isEmpty ? nil : safeHTML
            text = extracted
        }
        // The parser's summary is already plain text; when a feed gives none, derive it from the content.
        let summarySource = item.summary.flatMap { $0.isEmpty ? nil : $0 } ?? text
        prepared.summary = summarySource.isEmpty ? nil : TextExtractor.summary(of: summarySource, maxLength: summaryLength)
        if text.isEmpty { text = item.summary ?? "" }
        return PreparedItem(item: prepared, contentText: text)
    }
}
