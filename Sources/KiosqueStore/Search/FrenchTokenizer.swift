import Foundation
import GRDB

/// The FTS5 tokenizer of the item index: words folded for case and diacritics, French-stemmed.
///
/// Tokens are reported with their byte offsets in the original text so that FTS5's
/// `snippet()` highlights the words as written. Elided articles ("l'", "d'") are dropped;
/// words with digits are kept whole, unstemmed ("2025", "covid19").
final class FrenchTokenizer: FTS5CustomTokenizer {
    static let name = "kiosque_french"

    /// The stem memo and scratch buffers, used by one tokenize call at a time (FTS5 never
    /// re-enters a tokenizer instance).
    private var state = State()

    init(db: Database, arguments: [String]) throws {}

    func tokenize(context: UnsafeMutableRawPointer?, tokenization: FTS5Tokenization,
                  pText: UnsafePointer<CChar>?, nText: CInt, tokenCallback: @escaping FTS5TokenCallback) -> CInt {
        guard let pText, nText > 0 else { return 0 }
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(pText).assumingMemoryBound(to: UInt8.self),
                                         count: Int(nText))
        // A prefix query ("urbanis*") must not be stemmed: it is compared with the start of stems.
        return state.tokenize(buffer, isPrefix: tokenization.contains(.prefix), context: context, callback: tokenCallback)
    }

    /// The per-token loop lives in a mutating method of a struct: touching a class's stored
    /// properties per token cost an exclusivity check and a retain/release pair each
    /// (~2 % of ingest CPU in profiles).
    private struct State {
        var cache = StemCache()
        var word: [UInt32] = []
        var folded: [UInt8] = []

        mutating func tokenize(_ buffer: UnsafeBufferPointer<UInt8>, isPrefix: Bool, context: UnsafeMutableRawPointer?,
                               callback: FTS5TokenCallback) -> CInt {
            var scanner = WordScanner(buffer)
            while let hit = scanner.next(into: &word) {
                if hit.elided { continue }
                let rc: CInt
                if isPrefix {
                    folded.removeAll(keepingCapacity: true)
                    TextFolding.appendFolded(word, to: &folded)
                    rc = folded.withUnsafeBufferPointer { emit($0, context, callback, hit.start, hit.end) }
                } else {
                    rc = cache.withToken(for: word, make: FrenchTokenizer.token) { emit($0, context, callback, hit.start, hit.end) }
                }
                if rc != 0 { return rc }
            }
            return 0
        }
    }

    private static func emit(_ token: UnsafeBufferPointer<UInt8>, _ context: UnsafeMutableRawPointer?,
                             _ callback: FTS5TokenCallback, _ start: Int, _ end: Int) -> CInt {
        // A word whose letters all fold to nothing (a lone combining mark) is no token.
        guard let base = token.baseAddress, !token.isEmpty else { return 0 }
        return base.withMemoryRebound(to: CChar.self, capacity: token.count) {
            callback(context, 0, $0, CInt(token.count), CInt(start), CInt(end))
        }
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
