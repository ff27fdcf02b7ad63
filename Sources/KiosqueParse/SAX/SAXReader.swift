// The contract between the libxml2 bridge and the per-format readers.
internal import KiosqueModel

/// A per-format reader fed by `SAXBridge`: it sees only elements outside captured values.
/// A base class rather than a protocol so that the bridge can call it on every event through an
/// unretained reference (no retain/release pair per event); subclasses override the three calls.
class SAXReader {
    /// What has been read so far. Written on nearly every element by the reader alone, never
    /// while another access to it is open (warning places read counters, not `draft`).
    @exclusivity(unchecked) final var draft: FeedDraft

    init(format: FeedFormat) { draft = FeedDraft(format: format) }

    /// An element opened; call `bridge.capture(_:)` here to receive its content in `end`.
    func start(_ name: XMLName, _ attributes: SAXAttributes, _ bridge: SAXBridge) {}
    /// An element closed; `bridge.captured` holds its content if it was captured.
    func end(_ name: XMLName, _ bridge: SAXBridge) {}
    /// The document ended (or parsing stopped): build the result.
    func finish(_ bridge: SAXBridge) -> FeedDraft { draft }
}

/// How the content of a captured element is collected.
enum CaptureMode {
    /// Character data only; nested tags are dropped (ids, dates, URLs).
    case text
    /// The element's own character data: once it has some, nested elements are dropped with their
    /// text (an RSS `<category>` that wraps an `<image>` is its words, not the image's URL and
    /// title); before it has any, nested text counts (`<category><b>Sport</b></category>`).
    case ownText
    /// Escaped HTML as text, nested elements re-serialized (RSS description, titles).
    case markup
    /// Inline XHTML: every child re-serialized and text re-escaped (Atom type="xhtml").
    case xhtml
}

/// The attributes of one SAX2 start tag: libxml2's array of 5 pointers per attribute.
struct SAXAttributes {
    let pointer: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    let count: Int
}
