import Crypto
import Foundation
import KiosqueModel

/// The flow's one-time values: `state`, `nonce` and the PKCE verifier (RFC 7636).
enum OIDCRandom {
    /// 256 random bits as 43 characters of URL-safe base64 (a valid PKCE verifier, well over 32 characters).
    static func token() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64URLEncoded
    }

    /// The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))).
    static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
    }
}
