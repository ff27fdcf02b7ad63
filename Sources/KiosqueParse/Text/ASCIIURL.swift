// The common case of URL resolution — a printable-ASCII reference against a printable-ASCII base —
// done on bytes. In such strings every Character is one byte, so these are exactly the steps of
// `URLResolver`'s split/merge/removeDots without Character-level String work (most of the
// assembler's time went there).

/// RFC 3986 section 5.2 on printable-ASCII bytes.
enum ASCIIURL {
    /// Whether both strings hold only printable ASCII (no spaces, controls or non-ASCII bytes).
    static func applies(_ reference: String, _ base: String) -> Bool {
        isPrintable(reference) && isPrintable(base)
    }

    private static func isPrintable(_ s: String) -> Bool { !s.utf8.contains { $0 <= 0x20 || $0 >= 0x7F } }

    /// `reference` (relative, no scheme) made absolute against `base`; nil when the base is not
    /// hierarchical (`scheme://…`), where the caller keeps the reference as it is.
    static func resolve(_ reference: String, against base: String) -> String? {
        let b = Array(base.utf8), r = Array(reference.utf8)
        guard let parts = split(b) else { return nil }
        let origin = b[..<parts.pathStart]
        let path = b[parts.pathStart..<parts.queryStart]
        let query = b[parts.queryStart..<parts.end]
        var out: [UInt8] = []
        out.reserveCapacity(b.count + r.count)
        if r.starts(with: [0x2F, 0x2F]) { // "//": network-path reference
            out.append(contentsOf: origin.prefix { $0 != 0x3A })
            out.append(0x3A)
            out.append(contentsOf: r)
        } else if r.first == 0x2F { // "/"
            out.append(contentsOf: origin)
            appendRemovingDots(r[...], to: &out)
        } else if r.first == 0x3F || r.first == 0x23 { // "?" or "#"
            out.append(contentsOf: origin)
            if path.isEmpty { out.append(0x2F) } else { out.append(contentsOf: path) }
            if r.first == 0x23 { out.append(contentsOf: query) }
            out.append(contentsOf: r)
        } else {
            out.append(contentsOf: origin)
            var merged: [UInt8]
            if path.isEmpty {
                merged = [0x2F]
            } else {
                let slash = path.lastIndex(of: 0x2F) ?? path.startIndex
                merged = Array(path[...slash])
            }
            merged.append(contentsOf: r)
            appendRemovingDots(merged[...], to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Where the path, the query and the fragment of a `scheme://authority…` base start.
    private static func split(_ b: [UInt8]) -> (pathStart: Int, queryStart: Int, end: Int)? {
        guard let colon = schemeEnd(b), colon > 0, b.count > colon + 2,
              b[colon + 1] == 0x2F, b[colon + 2] == 0x2F else { return nil }
        var pathStart = colon + 3
        while pathStart < b.count, b[pathStart] != 0x2F, b[pathStart] != 0x3F, b[pathStart] != 0x23 { pathStart += 1 }
        var end = pathStart
        while end < b.count, b[end] != 0x23 { end += 1 }
        var queryStart = pathStart
        while queryStart < end, b[queryStart] != 0x3F { queryStart += 1 }
        return (pathStart, queryStart, end)
    }

    /// Index of the `:` ending a URI scheme, if the bytes start with one.
    private static func schemeEnd(_ b: [UInt8]) -> Int? {
        for (i, c) in b.enumerated() {
            if c == 0x3A { return i }
            let l = c | 0x20
            let ok = (l >= 0x61 && l <= 0x7A) || (i > 0 && ((c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E))
            if !ok { return nil }
        }
        return nil
    }

    /// RFC 3986 5.2.4 on the path part; the query and fragment are copied as they are.
    private static func appendRemovingDots(_ s: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let cut = s.firstIndex { $0 == 0x3F || $0 == 0x23 } ?? s.endIndex
        let path = s[..<cut]
        var hasDotSegment = path.first == 0x2E
        if !hasDotSegment {
            var i = path.startIndex
            while i + 1 < cut {
                if path[i] == 0x2F && path[i + 1] == 0x2E { hasDotSegment = true; break }
                i += 1
            }
        }
        guard hasDotSegment else {
            out.append(contentsOf: s)
            return
        }
        let segments = path.split(separator: 0x2F, omittingEmptySubsequences: false)
        var output: [ArraySlice<UInt8>] = []
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            if segment.elementsEqual([0x2E]) {
                if last { output.append([]) }
            } else if segment.elementsEqual([0x2E, 0x2E]) {
                if output.count > 1 { output.removeLast() }
                if last { output.append([]) }
            } else {
                output.append(segment)
            }
        }
        for (i, segment) in output.enumerated() {
            if i > 0 { out.append(0x2F) }
            out.append(contentsOf: segment)
        }
        out.append(contentsOf: s[cut...])
    }
}
