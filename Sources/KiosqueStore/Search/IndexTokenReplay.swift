import Foundation
import KiosqueModel
import Synchronization

// The store has one writer, and in a fetch cycle it is the pace: tokenizing the texts of the item
// index on it cost ~12 % of the cycle's CPU (~0.4 µs a word, ~500 words a press item). The refresh
// pipeline's preparers run on every core, so they tokenize instead (`AppDatabase.prepareForIngest`)
// and the writer's tokenizer, given a text it was handed tokens for, replays them. Tokens are a
// function of the text alone, so a replay is exactly what tokenizing would have produced.

/// The layout of `IndexTokens.Entry.packed`: per token, its length (one byte: tokens are at most
/// 64 bytes), its bytes, then where the word starts counted from the previous word's end and the
/// word's length in the text, each a LEB128 varint (one byte each for most words: the tokens of
/// the 2,000 items waiting for the writer stay a few megabytes).
enum IndexTokenPacking {
    /// The tokens of `text` as the item index's tokenizer makes them for a document.
    static func pack(_ text: String, with state: inout FrenchTokenizer.State) -> [UInt8] {
        var packed: [UInt8] = []
        packed.reserveCapacity(text.utf8.count)
        var text = text
        var previousEnd = 0
        text.withUTF8 { buffer in
            _ = state.tokenize(buffer, isPrefix: false) { token, start, end in
                packed.append(UInt8(token.count))
                packed.append(contentsOf: token)
                appendVarint(start - previousEnd, to: &packed)
                appendVarint(end - start, to: &packed)
                previousEnd = end
                return 0
            }
        }
        return packed
    }

    /// Calls `emit` with each packed token and its byte range; stops at the first non-zero answer.
    static func replay(_ packed: [UInt8], _ emit: (UnsafeBufferPointer<UInt8>, Int, Int) -> CInt) -> CInt {
        packed.withUnsafeBufferPointer { bytes in
            var at = 0, previousEnd = 0
            while at < bytes.count {
                let length = Int(bytes[at])
                let token = UnsafeBufferPointer(rebasing: bytes[(at + 1)..<(at + 1 + length)])
                at += 1 + length
                let start = previousEnd + varint(bytes, &at)
                let end = start + varint(bytes, &at)
                previousEnd = end
                let rc = emit(token, start, end)
                if rc != 0 { return rc }
            }
            return 0
        }
    }

    private static func appendVarint(_ value: Int, to packed: inout [UInt8]) {
        var v = UInt(bitPattern: value)
        while v >= 0x80 {
            packed.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        packed.append(UInt8(v))
    }

    private static func varint(_ bytes: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> Int {
        var value = 0, shift = 0
        while true {
            let byte = bytes[at]
            at += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}

/// The texts the item index reads of an item, as its triggers give them to FTS5 (title, summary,
/// the content's first `Migrations.indexedContentCharacters` characters as SQLite's `substr`
/// counts them, author), tokenized ahead by a pool of tokenizer states.
enum IndexPretokenizer {
    /// Tokenizer states (each holds a 0.5 MB stem memo) reused across calls.
    private static let pool = Mutex<[FrenchTokenizer.State]>([])

    static func prepare(_ items: [PreparedItem]) -> [PreparedItem] {
        var state = pool.withLock { $0.popLast() } ?? FrenchTokenizer.State()
        defer { pool.withLock { if $0.count < 8 { $0.append(state) } } }
        return items.map { prepared in
            var prepared = prepared
            var entries: [IndexTokens.Entry] = []
            for text in indexedTexts(prepared) where !text.isEmpty {
                entries.append(IndexTokens.Entry(text: text, packed: IndexTokenPacking.pack(text, with: &state)))
            }
            prepared.indexTokens = IndexTokens(entries: entries)
            return prepared
        }
    }

    static func indexedTexts(_ prepared: PreparedItem) -> [String] {
        let item = prepared.item
        let cap = Migrations.indexedContentCharacters
        var content = prepared.contentText
        // SQLite's substr counts characters; there are no more of them than bytes.
        if content.utf8.count > cap, content.unicodeScalars.count > cap { content = String(String.UnicodeScalarView(content.unicodeScalars.prefix(cap))) }
        return [item.title ?? "", item.summary ?? "", content, item.author ?? ""]
    }
}

/// The tokens handed over for the items the writer is storing, found by their text.
final class IndexTokenReplay: Sendable {
    static let shared = IndexTokenReplay()

    /// A text's length and its first and last eight bytes: enough to tell texts apart before
    /// comparing them whole.
    private struct Key: Hashable {
        var count: Int, head: UInt64, tail: UInt64

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            count = bytes.count
            head = 0
            tail = 0
            for i in 0..<min(8, count) {
                head = head << 8 | UInt64(bytes[i])
                tail = tail << 8 | UInt64(bytes[count - 1 - i])
            }
        }
    }

    private struct Held {
        var entry: IndexTokens.Entry
        var holders: Int
    }

    /// Texts are told apart by their bytes, as the index is given them (String's `==` would take
    /// two spellings of "é" for one text).
    private static func sameBytes(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { mine in
            mine.count == bytes.count && (mine.count == 0 || memcmp(mine.baseAddress!, bytes.baseAddress!, mine.count) == 0)
        }
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var b = b
        return b.withUTF8 { sameBytes(a, $0) }
    }

    private let table = Mutex<[Key: [Held]]>([:])
    private let held = Atomic<Int>(0)
    /// Texts replayed so far (tests check that the writer does replay).
    let replayed = Atomic<Int>(0)

    /// Makes the tokens of `items` available to the writer until `release` is called with the answer.
    func hold(_ items: [PreparedItem]) -> [IndexTokens.Entry] {
        let entries = items.flatMap { $0.indexTokens?.entries ?? [] }
        guard !entries.isEmpty else { return [] }
        let keyed = entries.map { entry in
            var text = entry.text
            return (text.withUTF8 { Key($0) }, entry)
        }
        table.withLock { table in
            for (key, entry) in keyed {
                if let index = table[key]?.firstIndex(where: { Self.sameBytes($0.entry.text, entry.text) }) {
                    table[key]![index].holders += 1
                } else {
                    table[key, default: []].append(Held(entry: entry, holders: 1))
                }
            }
        }
        held.add(entries.count, ordering: .relaxed)
        return entries
    }

    /// Gives back what `hold` returned.
    func release(_ entries: [IndexTokens.Entry]) {
        guard !entries.isEmpty else { return }
        table.withLock { table in
            for entry in entries {
                var text = entry.text
                let key = text.withUTF8 { Key($0) }
                guard var list = table[key], let index = list.firstIndex(where: { Self.sameBytes($0.entry.text, entry.text) }) else { continue }
                list[index].holders -= 1
                if list[index].holders == 0 { list.remove(at: index) }
                table[key] = list.isEmpty ? nil : list
            }
        }
        held.subtract(entries.count, ordering: .relaxed)
    }

    /// The packed tokens of exactly this text, if some are held.
    func tokens(for text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard held.load(ordering: .relaxed) > 0 else { return nil }
        let key = Key(text)
        let found: [UInt8]? = table.withLock { table in
            table[key]?.first { Self.sameBytes($0.entry.text, text) }?.entry.packed
        }
        if found != nil { replayed.add(1, ordering: .relaxed) }
        return found
    }
}
