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
        // Every tag, reference and whitespace run shrinks or keeps its size (a reference takes at
        // least 4 bytes and decodes to at most 4), so the input length bounds the output.
        // Whether the text holds any HTML element: asked once, at the first tag that is none.
        var isHTML: Bool?
        return CollapsingWriter.string(capacity: bytes.count) { out in
            var i = 0
            while i < bytes.count {
                let c = bytes[i]
                if c == 0x3C, let next = tagEnd(bytes, from: i),
                   HTMLElements.isMarkup(bytes, at: i) || isHTML ?? { isHTML = HTMLElements.containsElement(bytes); return isHTML! }() {
                    if let skipTo = skipRawText(bytes, tagStart: i, tagEnd: next) {
                        i = skipTo
                        continue
                    }
                    if isBlockTag(bytes, at: i) { out.space() }
                    i = next
                } else if c == 0x26, let (scalar, next) = HTMLEntities.scalarOfReference(bytes, at: i) {
                    // `&nbsp;` stays a no-break space (French typography before `:` or `?`); `&#32;` is a space.
                    if scalar == " " { out.space() } else { out.scalar(scalar.value) }
                    i = next
                } else {
                    // Copy the run up to the next markup or entity in one go.
                    var j = i + 1
                    while j < bytes.count, bytes[j] != 0x3C, bytes[j] != 0x26 { j += 1 }
                    out.text(UnsafeBufferPointer(rebasing: bytes[i..<j]))
                    i = j
                }
            }
        }
    }

    /// Plain text from text that is already plain: only whitespace is collapsed.
    static func fromText(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { collapse($0) }
    }

    /// Escapes plain text as HTML (used when a feed gives only text for a content field).
    static func escapeHTML(_ text: String) -> String {
        var text = text
        return text.withUTF8 { escapeHTML($0) }
    }

    /// Escapes the UTF-8 bytes of plain text as HTML.
    static func escapeHTML(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        MarkupWriter.appendEscaped(bytes, to: &out, quotes: false)
        return String(decoding: out, as: UTF8.self)
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
    /// on the fast path; anything else is repaired with U+FFFD. (`String(decoding:)` is UTF-8's
    /// specialized path; the generic `String(validating:)` cost a metadata lookup per call.)
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Collapses runs of ASCII whitespace to one space and trims (no-break spaces too, at the ends
    /// only: inside the text they are kept, as feedparser keeps them); nil when empty.
    static func collapse(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        if isTidy(b) { return string(b) }
        return CollapsingWriter.string(capacity: b.count) { $0.text(b) }
    }

    /// Whether collapsing would leave `b` as it is: not empty, no whitespace (nor no-break space)
    /// at either end, no byte below 0x20 and no two spaces in a row. Checked eight bytes at a time;
    /// most titles and plain descriptions pass and are copied as they are.
    static func isTidy(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        guard n > 0, b[0] > 0x20, b[n - 1] > 0x20, let p = b.baseAddress else { return false }
        if (b[0] == 0xC2 && n > 1 && b[1] == 0xA0) || (n > 1 && b[n - 2] == 0xC2 && b[n - 1] == 0xA0) { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080, lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var previousSpace = false
        var i = 0
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            if (word &- ones &* 0x20) & ~word & highs != 0 { return false }
            // Exact per-byte flags (high bit) of the bytes equal to a space.
            let x = word ^ (ones &* 0x20)
            let spaces = ~(((x & lows) &+ lows) | x | lows)
            if spaces & (spaces << 8) != 0 || (previousSpace && spaces & 0x80 != 0) { return false }
            previousSpace = spaces >> 63 != 0
            i += 8
        }
        while i < n {
            let c = p[i]
            if c < 0x20 || (c == 0x20 && previousSpace) { return false }
            previousSpace = c == 0x20
            i += 1
        }
        return true
    }

    /// Writes text with whitespace runs collapsed to one space and the ends trimmed, straight into
    /// the storage of the String being built (no intermediate array, one UTF-8 validation).
    private struct CollapsingWriter {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var count = 0
        var pendingSpace = false

        /// The String written by `body` into at most `capacity` bytes; nil when nothing was written.
        static func string(capacity: Int, _ body: (inout CollapsingWriter) -> Void) -> String? {
            guard capacity > 0 else { return nil }
            let result = String(unsafeUninitializedCapacity: capacity) { buffer in
                var writer = CollapsingWriter(base: buffer.baseAddress!, capacity: buffer.count)
                body(&writer)
                writer.trimNoBreakSpaces()
                return writer.count
            }
            return result.isEmpty ? nil : result
        }

        mutating func space() { pendingSpace = true }

        /// Drops no-break spaces (and the spaces next to them) from both ends: `text` keeps every
        /// no-break space it copies, and only the ends can tell one is leading or trailing.
        mutating func trimNoBreakSpaces() {
            func nbsp(_ i: Int) -> Bool { base[i] == 0xC2 && base[i + 1] == 0xA0 }
            while count > 0 {
                if base[count - 1] == 0x20 { count -= 1 } else if count >= 2, nbsp(count - 2) { count -= 2 } else { break }
            }
            var start = 0
            while start < count {
                if base[start] == 0x20 { start += 1 } else if start + 1 < count, nbsp(start) { start += 2 } else { break }
            }
            guard start > 0 else { return }
            memmove(base, base + start, count - start)
            count -= start
        }

        /// Writes the pending separator before a word; false when the output would overflow
        /// (impossible by the size argument above, but never worth a memory error).
        @inline(__always)
        private mutating func startWord(_ length: Int) -> Bool {
            let separator = pendingSpace && count > 0 ? 1 : 0
            guard count + separator + length <= capacity else { return false }
            if separator == 1 { base[count] = 0x20; count += 1 }
            pendingSpace = false
            return true
        }

        mutating func scalar(_ value: UInt32) {
            let length = value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4
            guard startWord(length) else { return }
            switch length {
            case 1: base[count] = UInt8(value)
            case 2:
                base[count] = UInt8(0xC0 | value >> 6); base[count + 1] = UInt8(0x80 | value & 0x3F)
            case 3:
                base[count] = UInt8(0xE0 | value >> 12); base[count + 1] = UInt8(0x80 | (value >> 6) & 0x3F)
                base[count + 2] = UInt8(0x80 | value & 0x3F)
            default:
                base[count] = UInt8(0xF0 | value >> 18); base[count + 1] = UInt8(0x80 | (value >> 12) & 0x3F)
                base[count + 2] = UInt8(0x80 | (value >> 6) & 0x3F); base[count + 3] = UInt8(0x80 | value & 0x3F)
            }
            count += length
        }

        mutating func text(_ b: UnsafeBufferPointer<UInt8>) {
            let n = b.count
            guard n > 0 else { return }
            // Output never outgrows input (see `fromHTML`); the guard only keeps that promise
            // from turning into a memory error should the argument ever be wrong.
            guard count + (pendingSpace ? 1 : 0) + n <= capacity else { return checkedText(b) }
            let src = b.baseAddress!, out = base // locals: stores through `out` cannot alias them
            var o = count, pending = pendingSpace ? 1 : 0
            var i = 0
            // Branch-free per byte (word boundaries are too frequent to predict): a separator and
            // the byte are always stored, and the output index only advances past what counts.
            // Stores stay below `capacity`: the output so far plus a pending space never exceeds
            // the input consumed so far.
            let spaces: UInt64 = 1 << 0x09 | 1 << 0x0A | 1 << 0x0C | 1 << 0x0D | 1 << 0x20
            while i < n {
                let c = src[i]
                let space = Int(truncatingIfNeeded: (spaces >> UInt64(c & 63)) & 1) & (c < 64 ? 1 : 0)
                out[o] = 0x20
                o += pending & (o != 0 ? 1 : 0) & (1 - space)
                out[o] = c
                o += 1 - space
                pending = space
                i += 1
            }
            count = o
            pendingSpace = pending != 0
        }

        /// The same as `text`, word by word with a capacity check.
        private mutating func checkedText(_ b: UnsafeBufferPointer<UInt8>) {
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C {
                    pendingSpace = true
                    i += 1
                } else {
                    var j = i + 1
                    while j < n {
                        let d = b[j]
                        if d == 0x20 || d == 0x0A || d == 0x0D || d == 0x09 || d == 0x0C { break }
                        j += 1
                    }
                    guard startWord(j - i) else { return }
                    (base + count).update(from: b.baseAddress! + i, count: j - i)
                    count += j - i
                    i = j
                }
            }
        }
    }
}
