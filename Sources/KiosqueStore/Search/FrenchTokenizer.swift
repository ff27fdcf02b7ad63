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
        let emit = { (token: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> CInt in
            token.withMemoryRebound(to: CChar.self) { tokenCallback(context, 0, $0.baseAddress, CInt($0.count), CInt(start), CInt(end)) }
        }
        // A text the refresh pipeline tokenized ahead (an item being stored): its tokens replayed.
        if tokenization.contains(.document), let packed = IndexTokenReplay.shared.tokens(for: buffer) {
            return IndexTokenPacking.replay(packed, emit)
        }
        // A prefix query ("urbanis*") must not be stemmed: it is compared with the start of stems.
        return state.tokenize(buffer, isPrefix: tokenization.contains(.prefix), emit)
    }

    /// The per-token loop lives in a mutating method of a struct: touching a class's stored
    /// properties per token cost an exclusivity check and a retain/release pair each
    /// (~2 % of ingest CPU in profiles). Also used ahead of the writer (`IndexTokenPacking`).
    struct State {
        var cache = StemCache()
        var word: [UInt32] = []
        var folded: [UInt8] = []

        /// Calls `emit` with each token of `buffer` and its byte range; stops at the first non-zero answer.
        mutating func tokenize(_ buffer: UnsafeBufferPointer<UInt8>, isPrefix: Bool,
                               _ emit: (UnsafeBufferPointer<UInt8>, Int, Int) -> CInt) -> CInt {
            var scanner = WordScanner(buffer)
            while let hit = scanner.next(into: &word) {
                if hit.elided { continue }
                let rc: CInt
                // A word whose letters all fold to nothing (a lone combining mark) is no token.
                if isPrefix {
                    folded.removeAll(keepingCapacity: true)
                    TextFolding.appendFolded(word, to: &folded)
                    rc = folded.isEmpty ? 0 : folded.withUnsafeBufferPointer { emit($0, hit.start, hit.end) }
                } else {
                    rc = cache.withToken(for: word, make: FrenchTokenizer.token) { $0.isEmpty ? 0 : emit($0, hit.start, hit.end) }
                }
                if rc != 0 { return rc }
            }
            return 0
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
