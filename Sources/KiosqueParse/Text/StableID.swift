// Ids for items that carry no guid: a hash of what identifies them, stable across fetches.

/// FNV-1a 64-bit hashing of the item's link and title.
enum StableID {
    /// A stable id such as `kiosque:fnv1a:0123456789abcdef` from the given parts.
    static func make(_ parts: [String?]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in (part ?? "").utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01B3
            }
            hash ^= 0x1F // unit separator, so ("ab","c") and ("a","bc") differ
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "kiosque:fnv1a:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
