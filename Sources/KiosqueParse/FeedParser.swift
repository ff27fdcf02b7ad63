// The one entry point: size cap, encoding, sniffing, then the format's reader.
public import Foundation
public import KiosqueModel

/// Parses feed bytes (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) into a `ParsedFeed`.
public enum FeedParser {
    /// The default input size cap: 16 MB.
    public static let defaultMaxBytes = 16 << 20

    /// Parses `data`, detecting the format by content; `url` resolves relative links and
    /// `httpCharset` is the Content-Type charset, when the bytes came over HTTP.
    public static func parse(_ data: Data, url: URL? = nil, httpCharset: String? = nil,
                             maxBytes: Int = defaultMaxBytes) throws(FeedParseError) -> ParsedFeed {
        guard data.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        let result = data.withUnsafeBytes { raw in
            parse(raw, documentURL: url?.absoluteString, httpCharset: httpCharset)
        }
        return try result.get()
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, documentURL: String?, httpCharset: String?) -> Result<ParsedFeed, FeedParseError> {
        let (encoding, encodingWarnings) = EncodingDetector.decide(raw, httpCharset: httpCharset)
        switch encoding {
        case .utf8(let bom):
            return parseUTF8(UnsafeRawBufferPointer(rebasing: raw[bom...]), libxmlEncoding: nil,
                             documentURL: documentURL, httpCharset: httpCharset, warnings: encodingWarnings)
        case .converted(let bytes):
            return bytes.withUnsafeBytes {
                parseUTF8($0, libxmlEncoding: nil, documentURL: documentURL, httpCharset: httpCharset, warnings: encodingWarnings)
            }
        case .libxml(let name):
            // Sniff on the bytes as they are: the markup of single-byte charsets is ASCII.
            return parseUTF8(raw, libxmlEncoding: name, documentURL: documentURL, httpCharset: httpCharset, warnings: encodingWarnings)
        }
    }

    private static func parseUTF8(_ bytes: UnsafeRawBufferPointer, libxmlEncoding: String?, documentURL: String?,
                                  httpCharset: String?, warnings: [String]) -> Result<ParsedFeed, FeedParseError> {
        var bytes = bytes
        // Blank lines before the XML declaration (a template's, a script's) make it an error that
        // would cost a second, repairing pass: they are skipped as feedparser does.
        var blank = 0
        while blank < bytes.count, bytes[blank] == 0x20 || bytes[blank] == 0x0A || bytes[blank] == 0x0D || bytes[blank] == 0x09 { blank += 1 }
        if blank > 0, bytes.count - blank >= 5, bytes[blank..<(blank + 5)].elementsEqual("<?xml".utf8) {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[blank...])
        }
        let kind = FormatSniffer.sniff(bytes)
        let result = parseUTF8(bytes, kind: kind, libxmlEncoding: libxmlEncoding, documentURL: documentURL,
                               httpCharset: httpCharset, warnings: warnings)
        // A server-side warning printed before the feed ("<b>Warning</b>: … on line 12", "Deprecated: …"):
        // read the feed that follows, as browsers and feedparser do.
        guard case .failure(.notAFeed) = result, kind == .xml || kind == .text,
              let start = FormatSniffer.embeddedFeedStart(bytes) else { return result }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        let retry = parseUTF8(rest, kind: FormatSniffer.sniff(rest), libxmlEncoding: libxmlEncoding, documentURL: documentURL,
                              httpCharset: httpCharset, warnings: warnings + ["skipped \(start) bytes of text before the feed"])
        // Only a feed with something in it: a fragment found in garbage is no better than the refusal.
        if case .success(let feed) = retry, !feed.items.isEmpty || feed.title != nil || feed.link != nil { return retry }
        return result
    }

    private static func parseUTF8(_ bytes: UnsafeRawBufferPointer, kind: SniffedKind, libxmlEncoding: String?, documentURL: String?,
                                  httpCharset: String?, warnings: [String]) -> Result<ParsedFeed, FeedParseError> {
        let draft: Result<FeedDraft, FeedParseError>
        switch kind {
        case .empty:
            return .failure(.empty)
        case .binary:
            return .failure(.notAFeed(reason: "binary data", advertisedFeeds: []))
        case .text:
            return .failure(.notAFeed(reason: "plain text, neither XML nor JSON", advertisedFeeds: []))
        case .html:
            let feeds = FeedDiscovery.advertisedFeeds(in: bytes, baseURL: documentURL)
            return .failure(.notAFeed(reason: "an HTML page", advertisedFeeds: feeds))
        case .json:
            if let (repaired, warning) = EncodingDetector.repairedUTF8(bytes, httpCharset: httpCharset) {
                draft = JSONFeedReader.read(Data(repaired)).map { var d = $0; d.warnings.insert(warning, at: 0); return d }
            } else {
                draft = JSONFeedReader.read(Data(bytes))
            }
        case .xml:
            let repair: (UnsafeRawBufferPointer) -> ([UInt8], String)? = { libxmlEncoding == nil ? EncodingDetector.repairedUTF8($0, httpCharset: httpCharset) : nil }
            draft = XMLFeedReader.read(bytes, libxmlEncoding: libxmlEncoding, documentURL: documentURL, repairEncoding: repair)
        }
        return draft.map { draft in
            var draft = draft
            draft.warnings.insert(contentsOf: warnings, at: 0)
            return FeedAssembler.assemble(draft, documentURL: documentURL)
        }
    }
}
