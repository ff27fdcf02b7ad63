import Foundation

/// A memo of word → token bytes for the tokenizer, without per-token allocation.
///
/// News vocabulary is Zipfian, so nearly every token is a hit. A Swift Dictionary keyed by
/// arrays hashed each scalar with SipHash and handed back a retained array per token; here keys
/// and values live in two flat pools, slots are found by FNV-1a with linear probing, and a hit
/// is a range into the value pool.
struct StemCache {
    private static let slotCount = 1 << 17
    private static let maxEntries = 90_000

    private var slots = [Int32](repeating: -1, count: StemCache.slotCount)
    private var hashes: [UInt64] = []
    private var keyRanges: [Range<Int32>] = []
    private var valueRanges: [Range<Int32>] = []
    private var keys: [UInt32] = []
    /// Token bytes of every entry, back to back.
    private(set) var values: [UInt8] = []

    /// Calls `body` with the token bytes for `word`, computing and storing them on a miss.
    mutating func withToken<R>(for word: [UInt32], make: ([UInt32]) -> [UInt8],
                               _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = token(for: word, make: make)
        return values.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The range in `values` of the token for `word`, computing and storing it on a miss.
    mutating func token(for word: [UInt32], make: ([UInt32]) -> [UInt8]) -> Range<Int> {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in word { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        let mask = Self.slotCount - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                keyRanges.withUnsafeBufferPointer { keyRanges in
                    keys.withUnsafeBufferPointer { keys in
                        word.withUnsafeBufferPointer { word in
                            // Pointers, not array slices: a slice per probe retained the pool.
                            while true {
                                let entry = Int(slots[slot])
                                if entry < 0 { return nil }
                                if hashes[entry] == h {
                                    let range = keyRanges[entry]
                                    if range.count == word.count
                                        && (word.isEmpty || memcmp(keys.baseAddress! + Int(range.lowerBound), word.baseAddress!,
                                                                   word.count * MemoryLayout<UInt32>.stride) == 0) {
                                        return entry
                                    }
                                }
                                slot = (slot + 1) & mask
                            }
                        }
                    }
                }
            }
        }
        if let entry = found {
            let v = valueRanges[entry]
            return Int(v.lowerBound)..<Int(v.upperBound)
        }
        if hashes.count >= Self.maxEntries {
            // Full: start afresh rather than evict; refilling costs a few thousand stems.
            self = StemCache()
            return token(for: word, make: make)
        }
        let keyStart = Int32(keys.count), valueStart = Int32(values.count)
        keys.append(contentsOf: word)
        values.append(contentsOf: make(word))
        slots[slot] = Int32(hashes.count)
        hashes.append(h)
        keyRanges.append(keyStart..<Int32(keys.count))
        valueRanges.append(valueStart..<Int32(values.count))
        return Int(valueStart)..<values.count
    }
}
