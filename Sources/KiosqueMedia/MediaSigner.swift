import Crypto
public import Foundation

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
        "\(mac(url)).\(Data(url.utf8).base64URL)"
    }

    /// The cache key of `url`: its MAC (22 URL-safe characters).
    public func mac(_ url: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("kiosque-media:\(url)".utf8), using: key)
        return Data(Array(code).prefix(16)).base64URL
    }

    /// The URL and cache key an id stands for, or nil when the signature does not match (checked in constant time).
    public func verify(_ id: String) -> (url: String, key: String)? {
        guard id.count < 8192, let dot = id.firstIndex(of: ".") else { return nil }
        let given = String(id[..<dot])
        guard let data = Data(base64URL: String(id[id.index(after: dot)...])), let url = String(data: data, encoding: .utf8) else {
            return nil
        }
        let expected = mac(url)
        let a = Array(expected.utf8), b = Array(given.utf8)
        guard a.count == b.count else { return nil }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0 ? (url, expected) : nil
    }
}

extension Data {
    /// Base64 with the URL-safe alphabet and no padding.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes URL-safe base64 without padding.
    init?(base64URL text: String) {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        self.init(base64Encoded: standard)
    }
}
