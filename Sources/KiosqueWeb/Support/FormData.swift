import Foundation
import Hummingbird

/// Fields of an `application/x-www-form-urlencoded` body or a query string: the one decoder for
/// both, since browsers send a GET form's spaces as `+` (which URL percent-decoding alone keeps).
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

    /// A field as given, nil when absent or empty (`?q=` means no query, not an empty one).
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    /// A field trimmed of surrounding white space, nil when absent or empty.
    func trimmed(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// `+` is a space and `%XX` a byte; bytes that are not UTF-8 (a lone surrogate's encoding,
    /// Latin-1 from an old client) become U+FFFD instead of failing the whole field.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                pending = [byte]
                guard let high = iterator.next() else { bytes += pending; continue }
                pending.append(high)
                guard let low = iterator.next() else { bytes += pending; continue }
                pending.append(low)
                if let h = hexValue(high), let l = hexValue(low) { bytes.append(h << 4 | l) } else { bytes += pending }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
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

extension Request {
    /// The query string decoded as a form (`+` is a space): use this, never `uri.queryParameters`.
    var query: FormData { FormData(encoded: uri.query ?? "") }
}
