public import Foundation

// The pieces every signed token of the portal uses (CSRF tokens, unsubscribe links, media
// addresses, the pending two-factor cookie, TOTP codes): one encoding and one comparison.

extension Data {
    /// Base64 with the URL-safe alphabet and no padding: fits a path segment, a query or a cookie.
    public var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of URL-safe base64 without padding; nil when invalid.
    public init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

/// Comparison of secrets (signatures, tokens, codes) whose time does not tell where they differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; only their lengths may show in the time taken.
    public static func equals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}
