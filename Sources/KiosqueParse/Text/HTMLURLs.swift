// Relative URLs inside HTML content made absolute against the content's own xml:base. The
// pipeline resolves what is left relative against the item's link, which is right unless the
// feed says otherwise with xml:base (Atom content carried from another site, a feed-wide base
// whose directory is not the article's): only then does the parser rewrite, so feeds without
// xml:base never pay for this scan, and content without such an attribute only for a memchr.

internal import Foundation

/// Rewrites `href`, `src` and `poster` attribute values of HTML start tags.
enum HTMLURLs {
    private static let names: [[UInt8]] = ["href", "src", "poster"].map { Array($0.utf8) }

    /// `html` with relative link and media URLs resolved against `base`.
    static func absolutize(_ html: String, base: String) -> String {
        var html = html
        guard html.withUTF8(mayHaveURLAttribute) else { return html }
        return html.withUTF8 { b in
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 256)
            var copied = 0
            var i = 0
            while i < b.count {
                guard b[i] == 0x3C, i + 1 < b.count, isLetter(b[i + 1]) else { i += 1; continue }
                // Inside a start tag: walk its attributes up to the closing `>`.
                var j = i + 1
                while j < b.count, !isSpace(b[j]), b[j] != 0x3E { j += 1 }
                while j < b.count, b[j] != 0x3E {
                    if isSpace(b[j]) || b[j] == 0x2F { j += 1; continue }
                    let nameStart = j
                    while j < b.count, !isSpace(b[j]), b[j] != 0x3D, b[j] != 0x3E { j += 1 }
                    let name = UnsafeBufferPointer(rebasing: b[nameStart..<j])
                    guard j < b.count, b[j] == 0x3D else { continue }
                    j += 1
                    guard j < b.count else { break }
                    let quote: UInt8? = b[j] == 0x22 || b[j] == 0x27 ? b[j] : nil
                    if quote != nil { j += 1 }
                    let valueStart = j
                    while j < b.count, quote.map({ b[j] != $0 }) ?? (!isSpace(b[j]) && b[j] != 0x3E) { j += 1 }
                    let valueEnd = j
                    let value = String(decoding: UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), as: UTF8.self)
                    if quote != nil, j < b.count { j += 1 }
                    guard names.contains(where: { equalFolded(name, $0) }),
                          let absolute = URLResolver.resolve(value, against: base), absolute != value else { continue }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<valueStart]))
                    for c in absolute.utf8 {
                        if c == quote || (quote == nil && c == 0x22) { out.append(contentsOf: "&quot;".utf8) } else { out.append(c) }
                    }
                    copied = valueEnd
                }
                i = j
            }
            guard copied > 0 else { return String(decoding: b, as: UTF8.self) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Whether some `=` follows `href`, `src` or `poster`: `=` is rare outside attributes, so this
    /// costs a memchr over most content, which has none of them.
    private static func mayHaveURLAttribute(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return false }
        var from = 0
        while from < b.count, let hit = memchr(base + from, 0x3D, b.count - from) {
            let i = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            for name in names where i >= name.count {
                if equalFolded(UnsafeBufferPointer(rebasing: b[(i - name.count)..<i]), name) { return true }
            }
            from = i + 1
        }
        return false
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C }

    private static func equalFolded(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 | 0x20 == $1 }
    }
}
