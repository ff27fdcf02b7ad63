/// Splits UTF-8 text into words of lowercase Unicode scalars, remembering byte offsets.
///
/// One scanner serves the FTS5 tokenizer, the channel keyword filters and the query parser,
/// so that a word is cut the same way when indexed, filtered and searched.
public struct WordScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The next word as lowercase scalars in `word`, with its byte range; nil at the end.
    /// `elided` tells whether the word is a French elision ("l'", "qu'") to be skipped.
    public mutating func next(into word: inout [UInt32]) -> (start: Int, end: Int, elided: Bool)? {
        word.removeAll(keepingCapacity: true)
        var start = -1
        while position < bytes.count {
            let here = position
            let byte = bytes[here]
            if byte < 0x80 {
                // ASCII, most of any French text, without decoding: what `wordScalar` answers for
                // it (digits stay, `| 0x20` lowers a letter and leaves a digit as it is).
                let lower = byte | 0x20
                if byte &- 0x30 < 10 || lower &- 0x61 < 26 {
                    if start < 0 { start = here }
                    word.append(UInt32(lower))
                } else if start >= 0 {
                    return (start, here, byte == 0x27 && Self.isElision(word))
                }
                position += 1
                continue
            }
            let (scalar, length) = decode(at: position)
            if let lower = Self.wordScalar(scalar) {
                if start < 0 { start = here }
                word.append(lower)
                position += length
            } else if start >= 0 {
                let elided = Self.isApostrophe(scalar) && Self.isElision(word)
                return (start, here, elided)
            } else {
                position += length
            }
        }
        return start >= 0 ? (start, position, false) : nil
    }

    /// Decodes one scalar; invalid UTF-8 becomes U+FFFD of length 1, so bad input never stalls.
    private func decode(at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        func cont(_ k: Int) -> UInt32? {
            guard i + k < bytes.count, bytes[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[i + k] & 0x3F)
        }
        if b0 & 0xE0 == 0xC0, let c1 = cont(1) { return (((b0 & 0x1F) << 6) | c1, 2) }
        if b0 & 0xF0 == 0xE0, let c1 = cont(1), let c2 = cont(2) { return (((b0 & 0x0F) << 12) | (c1 << 6) | c2, 3) }
        if b0 & 0xF8 == 0xF0, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            return (((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4)
        }
        return (0xFFFD, 1)
    }

    /// The lowercase form of a scalar that belongs to a word, or nil for a separator.
    public static func wordScalar(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39, 0x61...0x7A: return c
        case 0x41...0x5A: return c + 0x20
        case 0xC0...0xDE where c != 0xD7: return c + 0x20
        case 0xDF...0xFF where c != 0xF7: return c
        case 0x152, 0x178: return c == 0x152 ? 0x153 : 0xFF
        case 0x80...0xBF: return nil
        default:
            guard c > 0xFF, let s = Unicode.Scalar(c) else { return nil }
            let p = s.properties
            guard p.isAlphabetic || p.numericType != nil else { return nil }
            if p.changesWhenLowercased, let l = p.lowercaseMapping.unicodeScalars.first { return l.value }
            return c
        }
    }

    public static func isApostrophe(_ c: UInt32) -> Bool { c == 0x27 || c == 0x2019 }

    /// French elided articles and conjunctions, which carry no meaning for search.
    private static let elisions: Set<[UInt32]> = Set(["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu",
                                                      "lorsqu", "puisqu", "quoiqu"].map { $0.unicodeScalars.map(\.value) })
    public static func isElision(_ word: [UInt32]) -> Bool { word.count <= 6 && elisions.contains(word) }
}

/// Case and diacritic folding to plain ASCII-like lowercase, as UTF-8 bytes.
public enum TextFolding {
    /// Appends the folded UTF-8 of lowercase `word` to `out` ("é" → "e", "œ" → "oe").
    public static func appendFolded(_ word: [UInt32], to out: inout [UInt8]) {
        for c in word {
            if c < 0x80 { out.append(UInt8(c)); continue }
            if c <= 0xFF, let base = latin1[Int(c - 0x80)] {
                out.append(contentsOf: base)
                continue
            }
            switch c {
            case 0x153: out.append(contentsOf: [0x6F, 0x65])
            default:
                let folded = String(Character(Unicode.Scalar(c) ?? "?"))
                    .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
                out.append(contentsOf: folded.utf8)
            }
        }
    }

    /// Folds a whole string into space-separated words: " conseil municipal ".
    public static func foldedWords(_ text: String, stem: Bool = false) -> String {
        var out: [UInt8] = [0x20]
        var text = text
        text.withUTF8 { buffer in
            var scanner = WordScanner(buffer)
            var word: [UInt32] = []
            while let hit = scanner.next(into: &word) {
                if hit.elided { continue }
                if stem { FrenchStemmer.stem(&word) }
                appendFolded(word, to: &out)
                out.append(0x20)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Latin-1 supplement (U+0080–U+00FF) after lowercasing: ASCII bases, nil when unmapped.
    private static let latin1: [[UInt8]?] = {
        var table = [[UInt8]?](repeating: nil, count: 128)
        let groups: [(String, String)] = [("àáâãäå", "a"), ("æ", "ae"), ("ç", "c"), ("èéêë", "e"), ("ìíîï", "i"),
                                          ("ð", "d"), ("ñ", "n"), ("òóôõöø", "o"), ("ùúûü", "u"), ("ýÿ", "y"),
                                          ("þ", "th"), ("ß", "ss")]
        for (letters, base) in groups {
            for s in letters.unicodeScalars { table[Int(s.value) - 0x80] = Array(base.utf8) }
        }
        return table
    }()
}
