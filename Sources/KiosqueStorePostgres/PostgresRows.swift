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

// Lists from channels.yml as JSONB are `JSONList` text (KiosqueStoreContract), bound as text and
// cast with `::jsonb`, read back as text.
