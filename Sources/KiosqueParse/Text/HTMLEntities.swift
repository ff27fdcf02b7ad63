// HTML character references: numeric ones, and the HTML 4 names libxml2 already knows
// (htmlEntityLookup), so no table of our own is needed.
internal import CLibXML2
internal import Foundation

/// Decodes one HTML character reference at a time.
enum HTMLEntities {
    /// Windows-1252 meanings of code points 0x80–0x9F: feeds write `&#146;` and mean `’`.
    static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// Decodes the reference starting at `i` (which holds `&`): its UTF-8 bytes and the index after `;`.
    static func decode(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> ([UInt8], Int)? {
        guard let (scalar, next) = scalarOfReference(b, at: i) else { return nil }
        return (Array(String(Character(scalar)).utf8), next)
    }

    /// The code point named by the reference at `i` and the index after it.
    static func scalarOfReference(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
        var j = i + 1
        guard j < b.count else { return nil }
        if b[j] == 0x23 { // numeric
            j += 1
            let hex = j < b.count && (b[j] | 0x20) == 0x78
            if hex { j += 1 }
            var value: UInt32 = 0
            let digitsStart = j
            while j < b.count, j - digitsStart < 8, let d = digit(b[j], hex: hex) {
                value = value * (hex ? 16 : 10) + d
                j += 1
            }
            guard j > digitsStart, j < b.count, b[j] == 0x3B else { return nil }
            if value >= 0x80 && value <= 0x9F { value = cp1252High[Int(value - 0x80)] }
            return (Unicode.Scalar(value) ?? "\u{FFFD}", j + 1)
        }
        let nameStart = j
        while j < b.count, j - nameStart < 10, isAlnum(b[j]) { j += 1 }
        guard j > nameStart else { return nil }
        let name = UnsafeBufferPointer(rebasing: b[nameStart..<j])
        if j < b.count, b[j] == 0x3B {
            guard let value = namedValue(name) else { return nil }
            return (value, j + 1)
        }
        // HTML's legacy references without their semicolon ("Caf&eacute au lait", "&nbsp"): the
        // Latin-1 names only, when the name is not followed by more of a word or by `=` (a query
        // string's "&sect=2" stays as it is).
        guard j == b.count || (!isAlnum(b[j]) && b[j] != 0x3D), let value = namedValue(name), value.value < 0x100 else { return nil }
        return (value, j)
    }

    /// The code point of an HTML 4 entity name (plus XML's `apos`).
    static func namedValue(_ name: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        if name.count == 4 && name.elementsEqual("apos".utf8) { return "'" }
        var cName = Array(name)
        cName.append(0)
        guard let entity = htmlEntityLookup(cName) else { return nil }
        return Unicode.Scalar(entity.pointee.value)
    }

    private static func digit(_ c: UInt8, hex: Bool) -> UInt32? {
        if c >= 0x30 && c <= 0x39 { return UInt32(c - 0x30) }
        let l = c | 0x20
        if hex && l >= 0x61 && l <= 0x66 { return UInt32(l - 0x61 + 10) }
        return nil
    }

    static func isAlnum(_ c: UInt8) -> Bool {
        let l = c | 0x20
        return (l >= 0x61 && l <= 0x7A) || (c >= 0x30 && c <= 0x39)
    }
}
