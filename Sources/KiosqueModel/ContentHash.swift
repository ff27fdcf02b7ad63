/// Stable content fingerprints that need no cryptography: FNV-1a for short file-name suffixes, and
/// the hex spelling of digests. SHA-256 comes from swift-crypto in the modules that need it
/// (KiosqueFetch's `BodyDigest`, KiosqueDocuments' blob storage), so this module stays Foundation-only.
public enum ContentHash {
    /// The 64-bit FNV-1a hash of a string's UTF-8 bytes: stable across runs and platforms, unlike `hashValue`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Lowercase hex of bytes (a digest's usual spelling: 64 digits for SHA-256).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
