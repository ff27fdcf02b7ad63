public import Foundation

/// Lists of strings stored as JSON text (SQLite TEXT, PostgreSQL JSONB read back as text): one
/// encoding for both backends of this package.
package enum JSONList {
    /// The list as JSON text ("[]" when empty).
    package static func encode(_ list: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
    }
    /// The stored list, empty when absent or unreadable.
    package static func decode(_ text: String?) -> [String] {
        guard let text, text != "[]", let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}

/// Time conversions: both schemas store Unix seconds.
extension Date {
    /// Whole Unix seconds, as the schemas store times.
    package var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    /// The moment of a stored Unix time.
    package init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}
