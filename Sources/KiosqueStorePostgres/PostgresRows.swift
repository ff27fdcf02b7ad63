import Foundation
import PostgresNIO

/// Small reading helpers over postgres-nio's row sequences.
enum PostgresRows {
    /// Every value of a one-column result.
    static func all<T: PostgresDecodable>(_ rows: PostgresRowSequence, _ type: T.Type) async throws -> [T] {
        var values: [T] = []
        for try await value in rows.decode(T.self) { values.append(value) }
        return values
    }
}

/// Lists from channels.yml as JSONB: encoded here, bound as text and cast with `::jsonb`; read back as text.
enum PostgresJSON {
    static func encode(_ list: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
    }

    static func decode(_ text: String?) -> [String] {
        guard let text, text != "[]", let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}

extension Date {
    /// Whole Unix seconds, as the schema stores times.
    var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
