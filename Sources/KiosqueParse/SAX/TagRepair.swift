// The markup half of the second chance for malformed documents (`XMLRepair` does the references).
// Feeds paste HTML into descriptions without escaping it, and libxml2's recovery then loses
// everything after the first HTML-only construct: an unclosed `<br>` swallows the rest of the
// feed as its children, an unquoted `url=http://…` or a bare `a < b` ends the parse. Here start
// tags are rewritten into XML (values quoted, HTML void elements closed) and a `<` that cannot
// start a tag becomes `&#60;`. Elements are balanced the way HTML parsers do it: an end tag closes
// the elements left open inside its element, an end tag with no open element is dropped, and an
// item or entry left open is closed by the next one. CDATA sections, comments and declarations
// are copied untouched.

/// Rewrites HTML-style markup into well-formed XML tags, for the repair pass only.
enum TagRepair {
    /// HTML elements that never have content; `link`, `source` and `base` are left out: RSS uses them.
    private static let voidNames: [[UInt8]] = ["br", "hr", "img", "input", "meta", "area", "col", "embed", "param",
                                               "track", "wbr"].map { Array($0.utf8) }

    static func repair(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + b.count / 64)
        let n = b.count
        // The qualified names of the open elements, outermost first.
        var open: [Slice<UnsafeBufferPointer<UInt8>>] = []
        var scratch: [UInt8] = [] // one start tag being rewritten, reused
        var i = 0
        while i < n {
            // Copy up to the next `<` in one go.
            var j = i
            while j < n, b[j] != 0x3C { j += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
            i = j
            guard i < n else { break }
            let next: UInt8 = i + 1 < n ? b[i + 1] : 0
            if next == 0x21 || next == 0x3F {
                // `<![CDATA[…]]>`, `<!--…-->`, `<!DOCTYPE …>`, `<?…?>`: copied as they are.
                let end = starts(b, at: i, "<![CDATA[") ? find(b, "]]>", from: i) : starts(b, at: i, "<!--") ? find(b, "-->", from: i)
                    : find(b, ">", from: i)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<end]))
                i = end
            } else if next == 0x2F {
                let end = find(b, ">", from: i)
                var j = i + 2
                while j < end, isNameByte(b[j]) { j += 1 }
                let name = b[(i + 2)..<j]
                // `</br>`, written for a line break, is one.
                if matchesName(b, at: i + 2, voidNames[0]), end == i + 5 {
                    out.append(contentsOf: "<br/>".utf8)
                } else if let index = open.lastIndex(where: { sameName($0, name) }) {
                    while open.count > index { writeEnd(open.removeLast(), into: &out) }
                }
                // else: nothing of that name is open, the end tag is dropped.
                i = end
            } else if isNameStart(next), let (end, name, leftOpen) = startTag(b, at: i, open: &open, scratch: &scratch, into: &out) {
                if leftOpen { open.append(name) }
                i = end
            } else if isNameStart(next) {
                out.append(0x3C)
                i += 1
            } else {
                out.append(contentsOf: "&#60;".utf8) // "a < b", "<3"
                i += 1
            }
        }
        return out
    }

    /// Items and entries do not nest: one left open is closed by the next.
    private static let unnested: [[UInt8]] = ["item", "entry"].map { Array($0.utf8) }

    private static func writeEnd(_ name: Slice<UnsafeBufferPointer<UInt8>>, into out: inout [UInt8]) {
        out.append(0x3C)
        out.append(0x2F)
        out.append(contentsOf: name)
        out.append(0x3E)
    }

    /// Writes the start tag at `i` as XML, after closing an item or entry it cannot nest in;
    /// returns the index after it, its name and whether it leaves an element open. Nil when it
    /// does not end before the next `<` (then it is left to libxml2's recovery as it is).
    private static func startTag(_ b: UnsafeBufferPointer<UInt8>, at i: Int, open: inout [Slice<UnsafeBufferPointer<UInt8>>],
                                 scratch tag: inout [UInt8], into out: inout [UInt8]) -> (Int, Slice<UnsafeBufferPointer<UInt8>>, Bool)? {
        let n = b.count
        var j = i + 1
        while j < n, isNameByte(b[j]) { j += 1 }
        let name = i + 1..<j
        tag.removeAll(keepingCapacity: true)
        tag.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
        var selfClosed = false
        while true {
            while j < n, isSpace(b[j]) { tag.append(b[j]); j += 1 }
            guard j < n, b[j] != 0x3C else { return nil }
            if b[j] == 0x3E { j += 1; break }
            if b[j] == 0x2F {
                j += 1
                if j < n, b[j] == 0x3E { selfClosed = true; j += 1; break }
                continue // a stray slash
            }
            let attributeStart = j
            while j < n, isNameByte(b[j]) || b[j] >= 0x80 { j += 1 }
            if j == attributeStart { j += 1; continue } // a stray character: dropped
            tag.append(contentsOf: UnsafeBufferPointer(rebasing: b[attributeStart..<j]))
            var k = j
            while k < n, isSpace(b[k]) { k += 1 }
            tag.append(contentsOf: "=\"".utf8)
            guard k < n, b[k] == 0x3D else {
                // `<input disabled>`: an HTML boolean attribute gets its own name as value.
                tag.append(contentsOf: UnsafeBufferPointer(rebasing: b[attributeStart..<j]))
                tag.append(0x22)
                continue
            }
            k += 1
            while k < n, isSpace(b[k]) { k += 1 }
            guard k < n else { return nil }
            if b[k] == 0x22 || b[k] == 0x27 {
                let quote = b[k]
                var e = k + 1
                while e < n, b[e] != quote { e += 1 }
                guard e < n else { return nil }
                if quote == 0x27 { tag.removeLast(); tag.append(0x27) }
                tag.append(contentsOf: UnsafeBufferPointer(rebasing: b[(k + 1)...e]))
                j = e + 1
            } else {
                var e = k
                while e < n, !isSpace(b[e]), b[e] != 0x3E, b[e] != 0x3C { e += 1 }
                for c in b[k..<e] {
                    if c == 0x22 { tag.append(contentsOf: "&#34;".utf8) } else { tag.append(c) }
                }
                tag.append(0x22)
                j = e
            }
        }
        let isVoid = voidNames.contains { $0.count == name.count && matchesName(b, at: name.lowerBound, $0) }
        // `<img …></img>` is closed already: only a void element left open is closed here.
        let closedLater = j + 2 < n && b[j] == 0x3C && b[j + 1] == 0x2F && matchesName(b, at: j + 2, Array(b[name]))
        let closed = selfClosed || (isVoid && !closedLater)
        tag.append(contentsOf: (closed ? "/>" : ">").utf8)
        let qualified = b[name]
        let local = qualified.lastIndex(of: 0x3A).map { qualified[($0 + 1)...] } ?? qualified
        if unnested.contains(where: { sameName($0[...], local) }), let index = open.lastIndex(where: { sameName($0, qualified) }) {
            while open.count > index { writeEnd(open.removeLast(), into: &out) }
        }
        out.append(contentsOf: tag)
        return (j, qualified, !closed)
    }

    /// Names equal but for ASCII case (`</Item>` closes `<item>`: the readers ignore case too).
    private static func sameName<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0 | 0x20 == $1 | 0x20 && isNameStart($0 | 0x20) && $0 < 0x80) }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    private static func isNameStart(_ c: UInt8) -> Bool {
        let l = c | 0x20
        return (l >= 0x61 && l <= 0x7A) || c == 0x5F || c >= 0x80
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x3A
    }

    /// Case-insensitive `name` at `at`, followed by a byte that cannot continue a name.
    private static func matchesName(_ b: UnsafeBufferPointer<UInt8>, at: Int, _ name: [UInt8]) -> Bool {
        guard at + name.count <= b.count else { return false }
        for k in 0..<name.count where (b[at + k] | 0x20) != (name[k] | 0x20) { return false }
        return at + name.count == b.count || !isNameByte(b[at + name.count])
    }

    private static func starts(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        for k in 0..<n where b[i + k] != s.utf8Start[k] { return false }
        return true
    }

    /// The index just past the first `s` at or after `from`, else the end.
    private static func find(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString, from: Int) -> Int {
        var i = from + 1
        while i < b.count {
            if b[i] == s.utf8Start[0], starts(b, at: i, s) { return i + s.utf8CodeUnitCount }
            i += 1
        }
        return b.count
    }
}
