// Relative links resolved against xml:base, the feed's link or the document's URL.
internal import Foundation

/// Resolves possibly relative URL references.
enum URLResolver {
    /// `reference` made absolute against `base`; absolute http(s) references skip Foundation entirely.
    static func resolve(_ reference: String, against base: String?) -> String? {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        if isAbsoluteHTTP(trimmed) { return trimmed }
        if let scheme = schemeEnd(trimmed), scheme > 0 { return trimmed } // mailto:, urn:, tag:, …
        guard let base, let baseURL = URL(string: base) ?? URL(string: encodeLoosely(base)) else { return trimmed }
        let url = URL(string: trimmed, relativeTo: baseURL) ?? URL(string: encodeLoosely(trimmed), relativeTo: baseURL)
        return url?.absoluteString ?? trimmed
    }

    static func isAbsoluteHTTP(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            func hasPrefix(_ p: StaticString) -> Bool {
                guard b.count >= p.utf8CodeUnitCount else { return false }
                for k in 0..<p.utf8CodeUnitCount where (b[k] | 0x20) != p.utf8Start[k] { return false }
                return true
            }
            return hasPrefix("http://") || hasPrefix("https://")
        }
    }

    /// Index of the `:` ending a URI scheme, if the string starts with one.
    private static func schemeEnd(_ s: String) -> Int? {
        for (i, c) in s.utf8.enumerated() {
            if c == 0x3A { return i }
            let l = c | 0x20
            let ok = (l >= 0x61 && l <= 0x7A) || (i > 0 && ((c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E))
            if !ok { return nil }
        }
        return nil
    }

    /// Percent-encodes what Foundation refuses in a URL (spaces, non-ASCII), keeping the rest.
    private static func encodeLoosely(_ s: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.insert(charactersIn: "#%")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
