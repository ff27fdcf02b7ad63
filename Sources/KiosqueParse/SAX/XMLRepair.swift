// The second chance for malformed documents. Once libxml2 has met an error it silently drops
// every named entity reference (even &amp;), so a malformed feed is re-read from bytes where
// references are numeric: `&amp;` → `&#38;`, `&eacute;` → `&#233;`, a bare `&` → `&#38;`,
// and control characters XML forbids become spaces. A reference to an entity neither XML nor
// HTML defines is kept as literal text (`&#38;foo;`, as feedparser shows it) rather than dropped,
// unless the document declares entities of its own (those references are left for libxml2 to
// drop): nothing here ever expands a DTD entity.

/// Rewrites markup (`TagRepair`), entity references and forbidden characters so recovery keeps the text.
enum XMLRepair {
    static func repair(_ b: UnsafeRawBufferPointer) -> [UInt8] {
        TagRepair.repair(b.bindMemory(to: UInt8.self)).withUnsafeBufferPointer { repairReferences($0) }
    }

    private static func repairReferences(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        let keepUnknown = !declaresEntities(bytes)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x26 {
                i = rewriteReference(bytes, at: i, keepUnknown: keepUnknown, into: &out)
            } else if c == 0x3C, let end = cdataEnd(bytes, at: i) {
                // CDATA text is literal: a URL's `&` in there must stay as it is.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
                i = end
            } else if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
                out.append(0x20)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// The index after the CDATA section starting at `i`, if one starts there.
    private static func cdataEnd(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let open: StaticString = "<![CDATA["
        let n = open.utf8CodeUnitCount
        guard i + n <= b.count else { return nil }
        for k in 0..<n where b[i + k] != open.utf8Start[k] { return nil }
        var j = i + n
        while j + 2 < b.count {
            if b[j] == 0x5D && b[j + 1] == 0x5D && b[j + 2] == 0x3E { return j + 3 }
            j += 1
        }
        return b.count
    }

    /// Writes the reference at `i` in numeric form when it is a known one; returns the next index.
    private static func rewriteReference(_ b: UnsafeBufferPointer<UInt8>, at i: Int, keepUnknown: Bool,
                                         into out: inout [UInt8]) -> Int {
        var j = i + 1
        if j < b.count, b[j] == 0x23 {
            // Numeric already: keep when well formed, else escape the ampersand.
            j += 1
            let hex = j < b.count && (b[j] | 0x20) == 0x78
            if hex { j += 1 }
            let start = j
            while j < b.count, HTMLEntities.isAlnum(b[j]), j - start < 8 { j += 1 }
            if j > start, j < b.count, b[j] == 0x3B {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...j]))
                return j + 1
            }
            appendNumeric(0x26, into: &out)
            return i + 1
        }
        let nameStart = j
        while j < b.count, j - nameStart < 32, HTMLEntities.isAlnum(b[j]) || b[j] == 0x2D || b[j] == 0x2E || b[j] == 0x5F { j += 1 }
        guard j > nameStart, j < b.count, b[j] == 0x3B else {
            appendNumeric(0x26, into: &out) // a bare ampersand, as in "Tom & Jerry"
            return i + 1
        }
        let name = UnsafeBufferPointer(rebasing: b[nameStart..<j])
        if let scalar = xmlPredefined(name) ?? HTMLEntities.namedValue(name) {
            appendNumeric(scalar.value, into: &out)
            return j + 1
        }
        guard keepUnknown else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...j]))
            return j + 1
        }
        appendNumeric(0x26, into: &out)
        return i + 1
    }

    /// Whether the document has an `<!ENTITY` declaration (in its DOCTYPE's internal subset).
    private static func declaresEntities(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let marker: StaticString = "<!ENTITY"
        let n = marker.utf8CodeUnitCount
        guard b.count >= n else { return false }
        outer: for i in 0...(b.count - n) where b[i] == 0x3C {
            for k in 1..<n where b[i + k] != marker.utf8Start[k] { continue outer }
            return true
        }
        return false
    }

    private static func xmlPredefined(_ name: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        switch name.count {
        case 2 where name[1] == 0x74 && name[0] == 0x6C: return "<"
        case 2 where name[1] == 0x74 && name[0] == 0x67: return ">"
        case 3 where name.elementsEqual("amp".utf8): return "&"
        case 4 where name.elementsEqual("quot".utf8): return "\""
        case 4 where name.elementsEqual("apos".utf8): return "'"
        default: return nil
        }
    }

    private static func appendNumeric(_ value: UInt32, into out: inout [UInt8]) {
        out.append(0x26)
        out.append(0x23)
        out.append(contentsOf: String(value).utf8)
        out.append(0x3B)
    }
}
