// Re-serializes elements met inside captured content (inline XHTML, unescaped HTML in RSS)
// back into HTML text for the sanitizer.
internal import Foundation

/// Writes start/end tags and escaped text into a byte buffer.
enum MarkupWriter {
    /// HTML void elements: written as `<br>` and never closed, so `<br/>` does not become two breaks.
    private static let voidNames: [[UInt8]] = ["br", "img", "hr", "input", "meta", "link", "area", "base",
                                               "col", "embed", "source", "track", "wbr", "param"].map { Array($0.utf8) }

    /// Appends `text` with `&`, `<`, `>` (and `"` when `quotes`) escaped.
    static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], quotes: Bool) {
        var runStart = 0
        for i in 0..<text.count {
            let replacement: StaticString
            switch text[i] {
            case 0x26: replacement = "&amp;"
            case 0x3C: replacement = "&lt;"
            case 0x3E: replacement = "&gt;"
            case 0x22 where quotes: replacement = "&quot;"
            default: continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i]))
            out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            runStart = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
    }

    private static func appendName(_ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?, to out: inout [UInt8]) {
        if let prefix {
            out.append(contentsOf: UnsafeBufferPointer(start: prefix, count: strlen(UnsafeRawPointer(prefix).assumingMemoryBound(to: CChar.self))))
            out.append(0x3A)
        }
        out.append(contentsOf: UnsafeBufferPointer(start: local, count: strlen(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self))))
    }

    /// Writes `<name attr="value"…>`; returns true for a void element (no end tag to write).
    static func writeStart(_ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?,
                           _ attributes: SAXAttributes, to out: inout [UInt8]) -> Bool {
        out.append(0x3C)
        appendName(local, prefix, to: &out)
        if let array = attributes.pointer {
            for i in 0..<attributes.count {
                guard let name = array[i * 5], let start = array[i * 5 + 3], let end = array[i * 5 + 4] else { continue }
                out.append(0x20)
                appendName(name, array[i * 5 + 1], to: &out)
                out.append(contentsOf: [0x3D, 0x22])
                let value = SAXBridge.unescapeAmp(UnsafeBufferPointer(start: start, count: end - start))
                value.withUnsafeBufferPointer { appendEscaped($0, to: &out, quotes: true) }
                out.append(0x22)
            }
        }
        out.append(0x3E)
        let length = strlen(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self))
        return prefix == nil && voidNames.contains { $0.count == length && memcmp($0, local, length) == 0 }
    }

    /// Writes `</name>`.
    static func writeEnd(_ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?, to out: inout [UInt8]) {
        out.append(contentsOf: [0x3C, 0x2F])
        appendName(local, prefix, to: &out)
        out.append(0x3E)
    }
}
