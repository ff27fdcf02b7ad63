// Titles and summaries become plain text: tags stripped, entities decoded, whitespace collapsed.
// Works on bytes; the common case (no markup, tidy spaces) costs one scan.
internal import Foundation

/// Converts feed text fields to plain text.
enum PlainText {
    /// Plain text from an HTML fragment (or from text that may carry stray markup or entities).
    static func fromHTML(_ html: String) -> String? {
        var html = html
        return html.withUTF8 { fromHTML($0) }
    }

    /// Plain text from the UTF-8 bytes of an HTML fragment.
    static func fromHTML(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if !bytes.contains(where: { $0 == 0x3C || $0 == 0x26 }) { return collapse(bytes) }
        var out = CollapsingWriter(capacity: bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x3C, let next = tagEnd(bytes, from: i) {
                if let skipTo = skipRawText(bytes, tagStart: i, tagEnd: next) {
                    i = skipTo
                    continue
                }
                if isBlockTag(bytes, at: i) { out.space() }
                i = next
            } else if c == 0x26, let (scalar, next) = HTMLEntities.scalarOfReference(bytes, at: i) {
                if scalar == "\u{A0}" || scalar == " " { out.space() } else { out.scalar(scalar.value) }
                i = next
            } else {
                // Copy the run up to the next markup or entity in one go.
                var j = i + 1
                while j < bytes.count, bytes[j] != 0x3C, bytes[j] != 0x26 { j += 1 }
                out.text(UnsafeBufferPointer(rebasing: bytes[i..<j]))
                i = j
            }
        }
        return out.string
    }

    /// Plain text from text that is already plain: only whitespace is collapsed.
    static func fromText(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { collapse($0) }
    }

    /// Escapes plain text as HTML (used when a feed gives only text for a content field).
    static func escapeHTML(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            MarkupWriter.appendEscaped(bytes, to: &out, quotes: false)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Index just past the `>` closing a tag starting at `i`, if `<` starts a tag at all.
    private static func tagEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        guard i + 1 < b.count else { return nil }
        let n = b[i + 1]
        let isLetter = (n | 0x20) >= 0x61 && (n | 0x20) <= 0x7A
        guard isLetter || n == 0x2F || n == 0x21 || n == 0x3F else { return nil }
        if n == 0x21, i + 3 < b.count, b[i + 2] == 0x2D, b[i + 3] == 0x2D {
            // A comment ends at `-->`, not at the first `>`.
            var j = i + 4
            while j + 2 < b.count {
                if b[j] == 0x2D && b[j + 1] == 0x2D && b[j + 2] == 0x3E { return j + 3 }
                j += 1
            }
            return b.count
        }
        var j = i + 2
        var quote: UInt8 = 0
        while j < b.count {
            let c = b[j]
            if quote != 0 { if c == quote { quote = 0 } } else if c == 0x22 || c == 0x27 { quote = c } else if c == 0x3E { return j + 1 }
            j += 1
        }
        return b.count
    }

    /// For `<script>` and `<style>`, the index past their closing tag: their text is not prose.
    private static func skipRawText(_ b: UnsafeBufferPointer<UInt8>, tagStart: Int, tagEnd: Int) -> Int? {
        for name in rawTextNames where matchesName(b, at: tagStart + 1, name) {
            var j = tagEnd
            while j + name.count + 2 < b.count {
                if b[j] == 0x3C && b[j + 1] == 0x2F && matchesName(b, at: j + 2, name) {
                    return self.tagEnd(b, from: j) ?? b.count
                }
                j += 1
            }
            return b.count
        }
        return nil
    }

    private static let rawTextNames: [[UInt8]] = [Array("script".utf8), Array("style".utf8)]
    private static let blockNames: [[UInt8]] = ["br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                                                "h6", "tr", "td", "th", "table", "blockquote", "pre", "hr", "dd",
                                                "dt", "section", "article", "figure", "figcaption", "img"].map { Array($0.utf8) }

    /// Case-insensitive name match at `at`, followed by a non-name byte.
    private static func matchesName(_ b: UnsafeBufferPointer<UInt8>, at: Int, _ name: [UInt8]) -> Bool {
        guard at + name.count <= b.count else { return false }
        for k in 0..<name.count where (b[at + k] | 0x20) != name[k] { return false }
        guard at + name.count < b.count else { return true }
        let after = b[at + name.count]
        return !((after | 0x20) >= 0x61 && (after | 0x20) <= 0x7A) && !(after >= 0x30 && after <= 0x39)
    }

    private static func isBlockTag(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let start = i + 1 < b.count && b[i + 1] == 0x2F ? i + 2 : i + 1
        return blockNames.contains { matchesName(b, at: start, $0) }
    }

    /// A String from UTF-8 bytes: libxml2 hands out valid UTF-8, so validation normally succeeds
    /// on the fast path; anything else is repaired with U+FFFD.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Collapses runs of whitespace (ASCII and no-break space) to one space and trims; nil when empty.
    static func collapse(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var writer = CollapsingWriter(capacity: b.count)
        writer.text(b)
        return writer.string
    }

    /// Accumulates text with whitespace runs collapsed to one space and the ends trimmed.
    private struct CollapsingWriter {
        var out: [UInt8]
        var pendingSpace = false

        init(capacity: Int) {
            out = []
            out.reserveCapacity(capacity)
        }

        mutating func space() { pendingSpace = true }

        mutating func scalar(_ value: UInt32) {
            if pendingSpace && !out.isEmpty { out.append(0x20) }
            pendingSpace = false
            Transcoder.appendScalar(value, to: &out)
        }

        mutating func text(_ b: UnsafeBufferPointer<UInt8>) {
            var i = 0
            while i < b.count {
                let c = b[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C {
                    pendingSpace = true
                    i += 1
                } else if c == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 {
                    pendingSpace = true
                    i += 2
                } else {
                    // A word: everything up to the next whitespace byte (or a possible no-break space).
                    var j = i + 1
                    while j < b.count {
                        let d = b[j]
                        if d == 0x20 || d == 0x0A || d == 0x0D || d == 0x09 || d == 0x0C { break }
                        if d == 0xC2, j + 1 < b.count, b[j + 1] == 0xA0 { break }
                        j += 1
                    }
                    if pendingSpace && !out.isEmpty { out.append(0x20) }
                    pendingSpace = false
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                    i = j
                }
            }
        }

        var string: String? { out.isEmpty ? nil : out.withUnsafeBufferPointer { PlainText.string($0) } }
    }
}
