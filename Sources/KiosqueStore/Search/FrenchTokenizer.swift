import Foundation
import GRDB

/// The FTS5 tokenizer of the item index: words folded for case and diacritics, French-stemmed.
///
/// Tokens are reported with their byte offsets in the original text so that FTS5's
/// `snippet()` highlights the words as written. Elided articles ("l'", "d'") are dropped;
/// words with digits are kept whole, unstemmed ("2025", "covid19").
final class FrenchTokenizer: FTS5CustomTokenizer {
    static let name = "kiosque_french"

    private var cache = StemCache()
    private var word: [UInt32] = []

    init(db: Database, arguments: [String]) throws {}

    func tokenize(context: UnsafeMutableRawPointer?, tokenization: FTS5Tokenization,
                  pText: UnsafePointer<CChar>?, nText: CInt, tokenCallback: @escaping FTS5TokenCallback) -> CInt {
        guard let pText, nText > 0 else { return 0 }
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(pText).assumingMemoryBound(to: UInt8.self),
                                         count: Int(nText))
        var scanner = WordScanner(buffer)
        // A prefix query ("urbanis*") must not be stemmed: it is compared with the start of stems.
        let isPrefix = tokenization.contains(.prefix)
        while let hit = scanner.next(into: &word) {
            if hit.elided { continue }
            let rc: CInt
            if isPrefix {
                rc = Self.emit(Self.folded(word)[...], context, tokenCallback, hit.start, hit.end)
            } else {
                let range = cache.token(for: word, make: Self.token)
                rc = Self.emit(cache.values[range], context, tokenCallback, hit.start, hit.end)
            }
            if rc != 0 { return rc }
        }
        return 0
    }

    private static func emit(_ token: ArraySlice<UInt8>, _ context: UnsafeMutableRawPointer?,
                             _ callback: FTS5TokenCallback, _ start: Int, _ end: Int) -> CInt {
        // A word whose letters all fold to nothing (a lone combining mark) is no token.
        if token.isEmpty { return 0 }
        return token.withUnsafeBufferPointer { out in
            out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) {
                callback(context, 0, $0, CInt(out.count), CInt(start), CInt(end))
            }
        }
    }

    /// Folded bytes of one lowercase word, unstemmed.
    static func folded(_ word: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        TextFolding.appendFolded(word, to: &out)
        return out
    }

    /// Folded stem bytes of one lowercase word (digits keep the word whole).
    static func token(_ word: [UInt32]) -> [UInt8] {
        var w = word
        if !w.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { FrenchStemmer.stem(&w) }
        var out: [UInt8] = []
        out.reserveCapacity(w.count + 2)
        TextFolding.appendFolded(w, to: &out)
        // Keep tokens bounded: FTS5 stores them in its b-tree keys.
        if out.count > 64 {
            var end = 64
            while end > 0 && out[end] & 0xC0 == 0x80 { end -= 1 }  // never cut inside a UTF-8 sequence
            out.removeSubrange(end...)
        }
        return out
    }
}
