// Runs the SAX bridge over an XML feed: root element → format reader, and a second pass over
// repaired bytes when the first one met malformed XML.
internal import Foundation
internal import KiosqueModel

/// Reads RSS, RDF and Atom documents.
enum XMLFeedReader {
    /// The reader for a root element, or nil when the root is not a feed's.
    static func dispatch(_ root: XMLName, _ attributes: SAXAttributes, _ bridge: SAXBridge) -> SAXReader? {
        switch (root.ns, root.local) {
        case (.none, .rss):
            let version = bridge.attribute(.version, in: attributes)?.trimmingCharacters(in: .whitespaces) ?? "2.0"
            return RSSReader(format: version.hasPrefix("0.9") ? .rss09x : .rss20, isRDF: false)
        case (.rdf, .RDF):
            return RDFSupport.reader(for: root)
        case (.atom, .feed):
            return AtomReader(format: .atom10)
        case (.atom03, .feed):
            return AtomReader(format: .atom03)
        case (.atom, .entry):
            return AtomReader(format: .atom10)
        case (.none, .feed):
            let version = bridge.attribute(.version, in: attributes)
            return AtomReader(format: version == "0.3" ? .atom03 : .atom10)
        default:
            return nil
        }
    }

    /// Parses UTF-8 (or `libxmlEncoding`-encoded) bytes.
    /// `repairEncoding` is called before the second pass to fix bytes wrongly taken for UTF-8.
    static func read(_ bytes: UnsafeRawBufferPointer, libxmlEncoding: String?, documentURL: String?,
                     repairEncoding: (UnsafeRawBufferPointer) -> ([UInt8], String)?) -> Result<FeedDraft, FeedParseError> {
        let first = SAXBridge(documentURL: documentURL, dispatch: dispatch)
        first.stopOnFirstError = true
        first.parse(bytes, encoding: libxmlEncoding)
        var bridge = first
        var repaired = false
        var encodingWarning: String?
        if first.stoppedOnError {
            var fixed: [UInt8]
            if let (decoded, warning) = repairEncoding(bytes) {
                fixed = decoded.withUnsafeBytes { XMLRepair.repair($0) }
                encodingWarning = warning
            } else {
                fixed = XMLRepair.repair(bytes)
            }
            bridge = SAXBridge(documentURL: documentURL, dispatch: dispatch)
            fixed.withUnsafeBytes { bridge.parse($0, encoding: libxmlEncoding) }
            repaired = true
        }
        guard let reader = bridge.reader else {
            let reason = bridge.rejection ?? bridge.errorMessages.first.map { "not well-formed XML (\($0))" }
                ?? "no root element"
            return .failure(.notAFeed(reason: reason, advertisedFeeds: []))
        }
        var draft = reader.finish(bridge)
        if let encodingWarning { draft.warnings.insert(encodingWarning, at: 0) }
        if repaired || bridge.errorCount > 0 {
            draft.warnings.append(contentsOf: bridge.errorMessages)
            if bridge.errorCount > bridge.errorMessages.count {
                draft.warnings.append("\(bridge.errorCount - bridge.errorMessages.count) more XML errors")
            }
            if bridge.errorCount == 0 && encodingWarning == nil {
                // Where the document first went wrong, as the repair pass now reads it cleanly.
                if let trigger = first.errorMessages.first { draft.warnings.append(trigger) }
                draft.warnings.append("XML: repaired markup, entity references or control characters")
            }
        }
        if bridge.depthExceeded {
            draft.warnings.append("XML: nesting deeper than \(SAXBridge.maxDepth) elements; stopped reading there")
        }
        return .success(draft)
    }
}
