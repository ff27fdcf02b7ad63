// Why bytes could not be read as a feed.

/// A fatal parse failure: the input is not a feed, too large, or empty.
public enum FeedParseError: Error, Sendable, Equatable {
    /// Not a feed (HTML page, error page, binary, unknown XML); `advertisedFeeds` lists the feed
    /// URLs an HTML page announces with `<link rel="alternate">`, for discovery.
    case notAFeed(reason: String, advertisedFeeds: [String])
    /// The input is larger than the size cap, in bytes.
    case tooLarge(limit: Int)
    /// The input holds nothing but whitespace.
    case empty

    /// A one-line reason, fit for stderr or a source's health page.
    public var message: String {
        // Reasons quote the input (libxml2 messages, advertised URLs): keep them on one line.
        let text = fullMessage.map { $0.isNewline ? " " : $0 }
        return String(text)
    }

    private var fullMessage: String {
        switch self {
        case .notAFeed(let reason, let feeds):
            if feeds.isEmpty { return "not a feed: \(reason)" }
            return "not a feed: \(reason); the page advertises \(feeds.joined(separator: ", "))"
        case .tooLarge(let limit):
            return "not read: input larger than the \(limit)-byte limit"
        case .empty:
            return "not a feed: the input is empty"
        }
    }
}
