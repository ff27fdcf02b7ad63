import KiosqueStoreContract
import Testing

/// The scanner cuts ASCII without decoding it (the bulk of any text); its words must be exactly
/// those the scalar-by-scalar rule (`WordScanner.wordScalar`) gives, offsets included.
@Suite("Word scanner")
struct WordScannerTests {
    /// The words by the plain rule: every scalar through `wordScalar`.
    static func reference(_ text: String) -> [([UInt32], Int, Int, Bool)] {
        var words: [([UInt32], Int, Int, Bool)] = []
        var word: [UInt32] = [], start = -1, offset = 0
        for scalar in text.unicodeScalars {
            let length = String(scalar).utf8.count
            if let lower = WordScanner.wordScalar(scalar.value) {
                if start < 0 { start = offset }
                word.append(lower)
            } else if start >= 0 {
                words.append((word, start, offset, WordScanner.isApostrophe(scalar.value) && WordScanner.isElision(word)))
                word = []
                start = -1
            }
            offset += length
        }
        if start >= 0 { words.append((word, start, offset, false)) }
        return words
    }

    static func scanned(_ text: String) -> [([UInt32], Int, Int, Bool)] {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = WordScanner(bytes), word: [UInt32] = [], words: [([UInt32], Int, Int, Bool)] = []
            while let hit = scanner.next(into: &word) { words.append((word, hit.start, hit.end, hit.elided)) }
            return words
        }
    }

    @Test(arguments: [
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }.flatMap { [$0, "é"] }),
        "L'Élu d’Angers qu'IL a VU: 2025-06-15, n°12 @Mairie [budget] {x} `code` ~tilde ŒUVRE Straße ΑΘΗΝΑ",
        "aZ09 ÀÉÎÕÜ\u{0301}ß\u{00D7}\u{00F7} 東京 ｆｕｌｌ", "", "'", "l'", "jusqu'au bout",
    ])
    func asciiFastPathCutsAsTheScalarRuleDoes(_ text: String) {
        let (mine, theirs) = (Self.scanned(text), Self.reference(text))
        #expect(mine.count == theirs.count)
        for (a, b) in zip(mine, theirs) {
            #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3, "\(a) vs \(b)")
        }
    }
}
