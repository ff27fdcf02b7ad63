// Byte-level decoding helpers: UTF-8 validation, Windows-1252, UTF-16/32, and the repair of
// "UTF-8 declared, Latin-1 written" documents.
internal import Foundation

/// Converts bytes in the encodings feeds actually use into UTF-8.
enum Transcoder {
    /// Whether `b` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
    static func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool { firstInvalidUTF8(b) == nil }

    /// Index of the first byte that does not start a well-formed UTF-8 sequence.
    static func firstInvalidUTF8(_ b: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        var i = start
        let n = b.count
        while i < n {
            // Skip ASCII eight bytes at a time: most of a feed is markup.
            while i + 8 <= n, b.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { return nil }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let length = sequenceLength(b, at: i)
            if length == 0 { return i }
            i += length
        }
        return nil
    }

    /// Length of the well-formed UTF-8 sequence starting at `i` (0 if there is none).
    static func sequenceLength(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        let c = b[i]
        let n = b.count
        func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1) && b[i + 1] >= 0xA0 && cont(2) ? 3 : 0
        case 0xED: return cont(1) && b[i + 1] < 0xA0 && cont(2) ? 3 : 0
        case 0xE1...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xF0: return cont(1) && b[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1) && b[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// Appends the UTF-8 form of a Windows-1252 byte (ISO-8859-1 read the way browsers read it).
    @inline(__always)
    static func appendCP1252(_ c: UInt8, to out: inout [UInt8]) {
        if c < 0x80 { out.append(c); return }
        let scalar = c < 0xA0 ? HTMLEntities.cp1252High[Int(c - 0x80)] : UInt32(c)
        appendScalar(scalar, to: &out)
    }

    @inline(__always)
    static func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800: out.append(contentsOf: [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)])
        case ..<0x10000:
            out.append(contentsOf: [UInt8(0xE0 | v >> 12), UInt8(0x80 | (v >> 6) & 0x3F), UInt8(0x80 | v & 0x3F)])
        default:
            out.append(contentsOf: [UInt8(0xF0 | v >> 18), UInt8(0x80 | (v >> 12) & 0x3F),
                                    UInt8(0x80 | (v >> 6) & 0x3F), UInt8(0x80 | v & 0x3F)])
        }
    }

    /// Windows-1252 bytes to UTF-8.
    static func fromCP1252(_ b: UnsafeRawBufferPointer) -> [UInt8] {
        let n = b.count
        guard n > 0, let src = b.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
        // Sized first (a byte takes at most 3 bytes in UTF-8, counted eight bytes at a time, plus
        // slack for the 4-byte stores below), then written branch-free from a 256-entry table.
        var nonASCII = 0, k = 0
        while k + 8 <= n {
            nonASCII += (UnsafeRawPointer(src + k).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080).nonzeroBitCount
            k += 8
        }
        while k < n { if src[k] >= 0x80 { nonASCII += 1 }; k += 1 }
        let table = cp1252Table
        return [UInt8](unsafeUninitializedCapacity: n + 2 * nonASCII + 4) { buffer, count in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!)
            var o = 0
            table.withUnsafeBufferPointer { table in
                for i in 0..<n {
                    let entry = table[Int(src[i])]
                    out.storeBytes(of: (entry & 0x00FF_FFFF).littleEndian, toByteOffset: o, as: UInt32.self)
                    o += Int(entry >> 24)
                }
            }
            count = o
        }
    }

    /// Per Windows-1252 byte: its UTF-8 bytes in the low three bytes (little-endian, first byte
    /// lowest) and their number in the top byte.
    private static let cp1252Table: [UInt32] = (0..<256).map { c in
        let v = c < 0x80 ? UInt32(c) : c < 0xA0 ? HTMLEntities.cp1252High[c - 0x80] : UInt32(c)
        var bytes: [UInt8] = []
        appendScalar(v, to: &bytes)
        var entry = UInt32(bytes.count) << 24
        for (index, byte) in bytes.enumerated() { entry |= UInt32(byte) << (8 * UInt32(index)) }
        return entry
    }

    /// Keeps well-formed UTF-8 sequences and reads every other byte as Windows-1252:
    /// repairs feeds that declare UTF-8 but were written (partly) in Latin-1.
    static func repairUTF8(_ b: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + b.count / 16)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { out.append(c); i += 1; continue }
            let length = sequenceLength(b, at: i)
            if length == 0 {
                appendCP1252(c, to: &out)
                i += 1
            } else {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + length)]))
                i += length
            }
        }
        return out
    }

    /// How many well-formed multi-byte UTF-8 sequences and how many other non-ASCII bytes `b` holds.
    static func countNonASCII(_ b: UnsafeRawBufferPointer) -> (sequences: Int, strays: Int) {
        var sequences = 0, strays = 0
        var i = 0
        while i < b.count {
            if b[i] < 0x80 { i += 1; continue }
            let length = sequenceLength(b, at: i)
            if length == 0 { strays += 1; i += 1 } else { sequences += 1; i += length }
        }
        return (sequences, strays)
    }

    /// UTF-16 (either byte order) to UTF-8; unpaired surrogates become U+FFFD.
    static func fromUTF16(_ b: UnsafeRawBufferPointer, bigEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(b.count / 2)
        var i = 0
        while i + 1 < b.count {
            units.append(bigEndian ? UInt16(b[i]) << 8 | UInt16(b[i + 1]) : UInt16(b[i + 1]) << 8 | UInt16(b[i]))
            i += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// UTF-32 (either byte order) to UTF-8.
    static func fromUTF32(_ b: UnsafeRawBufferPointer, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i + 3 < b.count {
            let v = bigEndian
                ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                : UInt32(b[i + 3]) << 24 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i])
            appendScalar(Unicode.Scalar(v) != nil ? v : 0xFFFD, to: &out)
            i += 4
        }
        return out
    }
}
