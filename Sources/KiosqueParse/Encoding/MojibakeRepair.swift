// Two encoding accidents that only show inside a field, after libxml2 has decoded the document:
// C1 control characters (U+0080–U+009F, from raw bytes or `&#146;`) that meant Windows-1252's
// punctuation, and UTF-8 text read once as Latin-1 / Windows-1252 and encoded again ("Ã©tÃ©").
// Both leave a 0xC2 byte in the field's UTF-8, so a field without one costs a single memchr, and
// one with only no-break spaces (C2 A0) a memchr per space and a check that stops at its first accent.
internal import Foundation

/// Repairs a captured field's UTF-8 bytes in place.
enum MojibakeRepair {
    /// Repairs `buffer[range]` when needed and returns the range the field then occupies.
    static func repair(_ buffer: inout [UInt8], _ range: Range<Int>) -> Range<Int> {
        let repaired: [UInt8]? = buffer.withUnsafeBufferPointer { all in
            let field = UnsafeBufferPointer(rebasing: all[range])
            guard let firstC2 = nextC2(field, from: 0) else { return nil }
            if let undoubled = undoubled(field) { return undoubled }
            // French text is full of no-break spaces (C2 A0): hop from one C2 to the next.
            var i: Int? = firstC2
            while let at = i, at + 1 < field.count, field[at + 1] >= 0xA0 { i = nextC2(field, from: at + 1) }
            guard let firstC1 = i, firstC1 + 1 < field.count else { return nil }
            return mappedC1(field, from: firstC1)
        }
        guard let repaired else { return range }
        buffer.replaceSubrange(range, with: repaired)
        return range.lowerBound..<(range.lowerBound + repaired.count)
    }

    /// Index of the next 0xC2 byte at or after `start` (memchr: vectorised).
    private static func nextC2(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < b.count, let base = b.baseAddress, let hit = memchr(base + start, 0xC2, b.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The field's text encoded back to the single bytes it was misread from, when that gives
    /// well-formed UTF-8 with at least one multi-byte character (feedparser's test, with
    /// Windows-1252's extra characters as well); nil otherwise, usually at the first non-ASCII
    /// character (real accented text breaks the UTF-8 pattern at once).
    static func undoubled(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // A first pass only checks, so that the common failure allocates nothing.
        guard singleBytes(b, into: nil) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        _ = singleBytes(b, into: &out)
        return out.withUnsafeBytes { Transcoder.isValidUTF8($0) } ? out : nil
    }

    /// Walks the field's characters as single bytes, appending them to `out` when given; false as
    /// soon as they cannot form UTF-8 with at least one multi-byte sequence.
    private static func singleBytes(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<[UInt8]>?) -> Bool {
        var pending = 0, sawMultiByte = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                guard pending == 0 else { return false }
                out?.pointee.append(c)
                i += 1
                continue
            }
            let length = Transcoder.sequenceLength(UnsafeRawBufferPointer(b), at: i)
            guard length > 0, let byte = singleByte(of: scalar(b, at: i, length: length)) else { return false }
            i += length
            if pending > 0 {
                guard byte & 0xC0 == 0x80 else { return false }
                pending -= 1
            } else {
                switch byte {
                case 0xC2...0xDF: pending = 1
                case 0xE0...0xEF: pending = 2
                case 0xF0...0xF4: pending = 3
                default: return false
                }
                sawMultiByte = true
            }
            out?.pointee.append(byte)
        }
        return pending == 0 && sawMultiByte
    }

    /// The field with every C1 character replaced by its Windows-1252 meaning (U+0092 → ’);
    /// `start` is the first one.
    static func mappedC1(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> [UInt8] {
        var out = Array(b[..<start])
        out.reserveCapacity(b.count + 8)
        var i = start
        while i < b.count {
            if b[i] == 0xC2, i + 1 < b.count, b[i + 1] >= 0x80, b[i + 1] < 0xA0 {
                Transcoder.appendScalar(HTMLEntities.cp1252High[Int(b[i + 1] - 0x80)], to: &out)
                i += 2
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func scalar(_ b: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> UInt32 {
        var v = UInt32(b[i]) & (0xFF >> (length + 1))
        for k in 1..<length { v = v << 6 | UInt32(b[i + k] & 0x3F) }
        return v
    }

    /// The Latin-1 / Windows-1252 byte that reads as `scalar`, if any.
    private static func singleByte(of scalar: UInt32) -> UInt8? {
        if scalar < 0x100 { return UInt8(scalar) }
        return HTMLEntities.cp1252High.firstIndex(of: scalar).map { UInt8(0x80 + $0) }
    }
}
