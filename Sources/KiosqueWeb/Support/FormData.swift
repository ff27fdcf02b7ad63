import Foundation

/// Fields of an `application/x-www-form-urlencoded` body or a query string.
struct FormData: Sendable {
    private(set) var fields: [String: [String]] = [:]

    init(encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields[name, default: []].append(value)
        }
    }

    subscript(_ name: String) -> String? { fields[name]?.first }

    /// A field trimmed of surrounding white space, nil when absent or empty.
    func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Encodes fields as a query string (for links that keep a search).
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(percentEncode($0))=\(percentEncode($1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but unreserved characters.
    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
