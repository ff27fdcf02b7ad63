import Crypto
public import Foundation
import KiosqueModel

/// Signed media addresses: `/media/{mac}.{url}`, the URL in URL-safe base64 and the MAC an HMAC-SHA256 of it
/// with the portal key, so the address cannot be edited to make the server fetch anything else.
public struct MediaSigner: Sendable {
    private let key: SymmetricKey

    /// A signer with the portal key's bytes.
    public init(key: Data) {
        self.key = SymmetricKey(data: key)
    }

    /// The media id of `url`: `{mac}.{base64url(url)}`.
    public func id(for url: String) -> String {
        "\(mac(url)).\(Data(url.utf8).base64URLEncoded)"
    }

    /// The cache key of `url`: its MAC (22 URL-safe characters).
    public func mac(_ url: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("kiosque-media:\(url)".utf8), using: key)
        return Data(Array(code).prefix(16)).base64URLEncoded
    }

    /// The URL and cache key an id stands for, or nil when the signature does not match (checked in constant time).
    public func verify(_ id: String) -> (url: String, key: String)? {
        guard id.count < 8192, let dot = id.firstIndex(of: ".") else { return nil }
        let given = String(id[..<dot])
        guard let data = Data(base64URL: String(id[id.index(after: dot)...])), let url = String(data: data, encoding: .utf8) else {
            return nil
        }
        let expected = mac(url)
        return ConstantTime.equals(expected, given) ? (url, expected) : nil
    }
}
