import Crypto
public import Foundation
import KiosqueModel

/// SHA-256 of fetched bodies through swift-crypto: the cache keeps each body's digest so that an
/// identical body costs no parsing. The hex spelling is the one cache files have always stored.
public enum BodyDigest {
    /// The SHA-256 digest of `data` as 64 lowercase hex digits.
    public static func sha256Hex(_ data: Data) -> String {
        ContentHash.hex(SHA256.hash(data: data))
    }
}
