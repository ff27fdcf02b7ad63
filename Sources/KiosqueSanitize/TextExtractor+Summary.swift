/// The byte-level half of `TextExtractor.summary`: whitespace collapsed straight on UTF-8, reading
/// only as far as the summary needs (profiles of a fetch cycle showed the former split-and-join of
/// whole articles by `Character.isWhitespace` at 16 % of all CPU).
extension TextExtractor {
    /// The first `maxLength` characters of `text` on one line, cut at a word boundary and ended
    /// with "…" when anything was cut (the ellipsis counts towards `maxLength`).
    public static func summary(of text: String, maxLength: Int) -> String {
        guard maxLength > 0 else { return "" }
        let (prefix, complete) = text.utf8.withContiguousStorageIfAvailable {
            collapsedPrefix(of: $0, characters: maxLength + 1)
        } ?? Array(text.utf8).withUnsafeBufferPointer { collapsedPrefix(of: $0, characters: maxLength + 1) }
        guard !complete else { return prefix }
        return cut(prefix, maxLength: maxLength)
    }

    /// The text with whitespace runs made single spaces and trimmed at both ends, stopping as soon
    /// as it holds `characters` characters (`complete` is then false: the whole text is longer).
    /// Scalars are counted while scanning and characters (grapheme clusters) only on the short
    /// prefix, as there can never be more characters than scalars.
    static func collapsedPrefix(of bytes: UnsafeBufferPointer<UInt8>, characters: Int) -> (text: String, complete: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, characters * 4 + 8))
        var scalars = 0, target = characters
        var pendingSpace = false
        // A mark right after whitespace belongs to the whitespace's character, which split-by-
        // `Character.isWhitespace` would have dropped with it.
        var afterWhitespace = false
        var i = 0
        while i < bytes.count {
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let end = min(i + length, bytes.count)
            defer { i = end }
            if UTF8Whitespace.isWhitespace(bytes, at: i, length: length) {
                pendingSpace = !out.isEmpty
                afterWhitespace = true
                continue
            }
            if afterWhitespace && length > 1 && extendsPrevious(bytes, from: i, to: end) { continue }
            afterWhitespace = false
            if pendingSpace {
                out.append(0x20)
                scalars += 1
                pendingSpace = false
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
            scalars += 1
            if scalars >= target {
                let prefix = String(decoding: out, as: UTF8.self)
                let count = prefix.count
                if count >= characters { return (prefix, false) }
                target = scalars + characters - count  // combining marks, emoji sequences: read further
            }
        }
        return (String(decoding: out, as: UTF8.self), true)
    }

    /// Whether the scalar in `bytes[from..<to]` joins the character before it (a combining mark,
    /// a zero-width joiner, a spacing mark): only asked for non-ASCII scalars after whitespace.
    private static func extendsPrevious(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        let decoded = String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
        guard let scalar = decoded.unicodeScalars.first else { return false }
        let properties = scalar.properties
        return properties.isGraphemeExtend || scalar.value == 0x200D || properties.generalCategory == .spacingMark
    }

    /// Cuts a collapsed prefix longer than `maxLength` characters at the last word boundary.
    private static func cut(_ line: String, maxLength: Int) -> String {
        guard maxLength > 1 else { return "…" }
        let limit = line.index(line.startIndex, offsetBy: maxLength - 1)
        var cut = limit
        if line[limit] != " " {
            // Back up to the last space before the limit, unless the first word alone is too long.
            if let space = line[..<limit].lastIndex(of: " ") { cut = space }
        }
        var kept = line[..<cut]
        while let last = kept.last, last == " " || trailingPunctuation.contains(last) {
            kept.removeLast()
        }
        return kept + "…"
    }

    /// Punctuation that reads badly right before an ellipsis.
    private static let trailingPunctuation: Set<Character> = [",", ";", ":", "-", "–", "—", "(", "«", "\""]
}

/// Unicode's White_Space characters recognised on their UTF-8 bytes (no scalar decoding, no
/// property tables): what `Character.isWhitespace` answers for a character starting with them.
enum UTF8Whitespace {
    /// Whether the scalar of `length` bytes at `i` is White_Space.
    @inline(__always)
    static func isWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> Bool {
        let b0 = bytes[i]
        switch length {
        case 1:
            return b0 == 0x20 || (b0 >= 0x09 && b0 <= 0x0D)
        case 2:
            // U+0085 NEL, U+00A0 NO-BREAK SPACE
            return b0 == 0xC2 && i + 1 < bytes.count && (bytes[i + 1] == 0x85 || bytes[i + 1] == 0xA0)
        case 3:
            guard i + 2 < bytes.count else { return false }
            let b1 = bytes[i + 1], b2 = bytes[i + 2]
            switch b0 {
            case 0xE1: return b1 == 0x9A && b2 == 0x80  // U+1680 OGHAM SPACE MARK
            case 0xE2:
                // U+2000…U+200A, U+2028, U+2029, U+202F; U+205F
                if b1 == 0x80 { return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF }
                return b1 == 0x81 && b2 == 0x9F
            case 0xE3: return b1 == 0x80 && b2 == 0x80  // U+3000 IDEOGRAPHIC SPACE
            default: return false
            }
        default:
            return false
        }
    }
}
