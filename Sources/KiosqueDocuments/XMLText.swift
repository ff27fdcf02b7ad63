import CLibXML2
import Foundation

/// The text of an office XML part (ODF content.xml, word/document.xml, sharedStrings, slides),
/// read with libxml2's SAX parser: NONET, no entity expansion, no DTD loading, errors recovered.
/// One instance per parse, used synchronously by that parse only.
final class XMLTextCollector {
    private var bytes: [UInt8] = []
    private let limit: Int
    private var skipDepth = 0
    private(set) var truncated = false

    /// Elements after which a line ends (paragraphs, headings, rows, shared strings).
    private static let lineEnds: Set<String> = ["p", "h", "tr", "table-row", "si", "list-item", "br", "line-break"]
    /// Elements that separate words (tabs, spaces, cells).
    private static let spaces: Set<String> = ["tab", "s", "tc", "table-cell", "c"]
    /// Subtrees that are not the document's visible text (field codes, deleted text, phonetic guides).
    private static let skipped: Set<String> = ["instrText", "delText", "tracked-changes", "rPh", "binData"]

    private init(limit: Int) { self.limit = limit }

    /// The text of `data`, at most `limit` UTF-8 bytes (then `truncated` is set).
    static func text(of data: Data, limit: Int) -> (text: String, truncated: Bool) {
        let collector = XMLTextCollector(limit: limit)
        collector.parse(data)
        return (String(decoding: collector.bytes, as: UTF8.self), collector.truncated)
    }

    private func parse(_ data: Data) {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { context, name, _, _, _, _, _, _, _ in
            guard let context, let name else { return }
            Unmanaged<XMLTextCollector>.fromOpaque(context).takeUnretainedValue().start(String(cString: name))
        }
        handler.endElementNs = { context, name, _, _ in
            guard let context, let name else { return }
            Unmanaged<XMLTextCollector>.fromOpaque(context).takeUnretainedValue().end(String(cString: name))
        }
        handler.characters = { context, characters, length in
            guard let context, let characters else { return }
            Unmanaged<XMLTextCollector>.fromOpaque(context).takeUnretainedValue()
                .append(UnsafeBufferPointer(start: characters, count: Int(length)))
        }
        handler.cdataBlock = handler.characters
        // Errors are recovered from; without a structured handler libxml2 would print them on stderr.
        handler.serror = { _, _ in }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let parser = xmlCreatePushParserCtxt(&handler, context, nil, 0, nil) else { return }
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        xmlCtxtUseOptions(parser, Int32(options))
        data.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: CChar.self).baseAddress else { return }
            var offset = 0
            let chunk = 65_536
            while offset < raw.count && !truncated {
                let count = min(chunk, raw.count - offset)
                if xmlParseChunk(parser, base + offset, Int32(count), 0) != 0 && parser.pointee.wellFormed == 0
                    && parser.pointee.recovery == 0 { break }
                offset += count
            }
            if !truncated { xmlParseChunk(parser, nil, 0, 1) }
        }
        // A DOCTYPE with an internal subset makes libxml2 build a document even in SAX mode.
        if let document = parser.pointee.myDoc { xmlFreeDoc(document) }
        xmlFreeParserCtxt(parser)
    }

    private func start(_ name: String) {
        if skipDepth > 0 || Self.skipped.contains(name) { skipDepth += 1; return }
        if Self.spaces.contains(name) { separate(0x20) }
    }

    private func end(_ name: String) {
        if skipDepth > 0 { skipDepth -= 1; return }
        if Self.lineEnds.contains(name) { separate(0x0A) }
    }

    private func separate(_ byte: UInt8) {
        guard let last = bytes.last else { return }
        if last == 0x0A || (last == 0x20 && byte == 0x20) { return }
        if last == 0x20 { bytes[bytes.count - 1] = byte; return }
        push([byte])
    }

    private func append(_ characters: UnsafeBufferPointer<UInt8>) {
        guard skipDepth == 0 else { return }
        push(characters)
    }

    private func push(_ more: some Collection<UInt8>) {
        guard !truncated else { return }
        if bytes.count + more.count > limit {
            // Cut on a character boundary: drop continuation bytes at the cut.
            var room = Array(more.prefix(limit - bytes.count))
            while let last = room.last, last & 0xC0 == 0x80 { room.removeLast() }
            if let last = room.last, last >= 0xC0 { room.removeLast() }
            bytes += room
            truncated = true
            return
        }
        bytes += more
    }
}
