public import Foundation
public import KiosqueStoreContract
import PostgresNIO

/// Pictures of items and the agents' picture preference on PostgreSQL.
extension PostgresStore: MediaStore {
    public func hidesPictures(userID: Int64) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("reading the picture preference") { connection in
            try await PostgresRows.all(connection.query("SELECT hide_pictures FROM users WHERE id = \(userID)", logger: logger),
                                       Bool.self).first ?? false
        }
    }

    public func setHidePictures(userID: Int64, hide: Bool) async throws(StoreError) {
        let logger = self.logger
        try await write("changing the picture preference", changes: .agent(userID)) { connection in
            try await connection.query("UPDATE users SET hide_pictures = \(hide) WHERE id = \(userID)", logger: logger)
        }
    }

    public func recentPictureURLs(limit: Int) async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await read("listing recent pictures") { connection in
            try await PostgresRows.all(connection.query("""
                SELECT picture_url FROM items WHERE picture_url IS NOT NULL ORDER BY fetched_at DESC, id DESC LIMIT \(limit)
                """, logger: logger), String.self)
        }
    }
}
