// What a format reader collects before links, ids and authors are settled by `FeedAssembler`.
internal import Foundation
internal import KiosqueModel

/// A URL reference as written, with the xml:base in scope where it was read.
struct LinkRef {
    var raw: String
    var base: String?
}

/// Summary HTML kept as the captured bytes: most items carry a content element, so the summary's
/// HTML is only turned into a String (validated and copied) by the assembler when it is needed.
struct DeferredHTML {
    private var bytes: [UInt8] = []
    /// The bytes are plain text (an Atom `type="text"` construct), escaped when made HTML.
    private var isText = false
    /// The HTML as a String already, when it was known while reading.
    private var known: String?

    init(bytes: [UInt8], isText: Bool = false) {
        self.bytes = bytes
        self.isText = isText
    }

    /// HTML whose String is already at hand.
    init(string: String) { known = string }

    /// The HTML as a String.
    var string: String {
        if let known { return known }
        return bytes.withUnsafeBufferPointer { isText ? PlainText.escapeHTML($0) : PlainText.string($0) }
    }
}

/// One item as read, before link resolution and id fallback.
struct ItemDraft {
    var id: String?
    var title: String?
    var link: LinkRef?
    /// A permalink guid or rdf:about: the link when no better one was given.
    var fallbackLink: LinkRef?
    var published: Date?
    var updated: Date?
    var authors: [String] = []
    var summary: String?
    var contentHTML: String?
    /// HTML from `description`/`summary`, used as content when there is no content element.
    var summaryHTML: DeferredHTML?
    /// The xml:base declared around `contentHTML` / `summaryHTML`, when there was one.
    var contentBase: String?, summaryBase: String?
    var categories: [String] = []
    var enclosures: [(link: LinkRef, type: String?, length: Int64?)] = []
    /// `media:thumbnail` or JSON Feed `image`: the item's own picture.
    var image: LinkRef?

    /// Moves the finished item out, leaving an empty one (no copy of every field's reference).
    mutating func take() -> ItemDraft {
        var finished = ItemDraft()
        swap(&finished, &self)
        return finished
    }
}

/// A feed as read, before link resolution and id fallback.
struct FeedDraft {
    var format: FeedFormat
    var title: String?
    var link: LinkRef?
    var subtitle: String?
    var language: String?
    var updated: Date?
    var icon: LinkRef?
    var authors: [String] = []
    var items: [ItemDraft] = []
    var warnings: [String] = []
    var refreshInterval: TimeInterval?

    init(format: FeedFormat) { self.format = format }

    /// Parses a date field, recording a warning (never a guess) when it cannot be used.
    mutating func date(_ text: String, at place: @autoclosure () -> String) -> Date? {
        noted(FeedDates.read(text), text, at: place())
    }

    /// The same from UTF-8 bytes; a String is made only for a warning that quotes them.
    mutating func date(_ bytes: UnsafeBufferPointer<UInt8>, at place: @autoclosure () -> String) -> Date? {
        let reading = FeedDates.read(bytes)
        if case .date(let date) = reading { return date }
        return noted(reading, PlainText.string(bytes), at: place())
    }

    private mutating func noted(_ reading: FeedDates.Reading, _ text: String, at place: @autoclosure () -> String) -> Date? {
        switch reading {
        case .date(let date): return date
        case .impossible(let why):
            warnings.append("\(place()): dropped impossible date \"\(text.prefix(60))\" (\(why))")
        case .unrecognized:
            if URLResolver.trim(text) != nil {
                warnings.append("\(place()): dropped unrecognized date \"\(text.prefix(60))\"")
            }
        }
        return nil
    }
}
