public import Foundation
public import KiosqueModel
import GRDB

/// Items' pictures (for thumbnails on Ma page) and each agent's choice to hide them (issue 16).
extension AppDatabase {
    /// Adds `items.picture_url`/`picture_alt` (filled at ingest from the content's first image or an image
    /// enclosure) and `users.hide_pictures`; fills the pictures of items already stored from their content.
    static func migrateItemPictures(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE items ADD COLUMN picture_url TEXT;
            ALTER TABLE items ADD COLUMN picture_alt TEXT;
            ALTER TABLE users ADD COLUMN hide_pictures INTEGER NOT NULL DEFAULT 0;
            """)
        let rows = try Row.fetchCursor(db, sql: "SELECT id, content_html FROM items WHERE content_html LIKE '%<img%'")
        let update = try db.makeStatement(sql: "UPDATE items SET picture_url = ?, picture_alt = ? WHERE id = ?")
        while let row = try rows.next() {
            let html: String = row[1]
            guard let picture = ItemPicture.first(inHTML: html) else { continue }
            try update.execute(arguments: [picture.url, picture.alt, row[0] as Int64])
        }
    }

    /// Whether the agent chose text-only lists.
    public func hidesPictures(userID: Int64) async throws(StoreError) -> Bool {
        try await read("reading the picture preference") { db in
            try Bool.fetchOne(db, sql: "SELECT hide_pictures FROM users WHERE id = ?", arguments: [userID]) ?? false
        }
    }

    /// Records the agent's choice to hide (or show) pictures in lists.
    public func setHidePictures(userID: Int64, hide: Bool) async throws(StoreError) {
        try await write("changing the picture preference", changes: .agent(userID)) { db in
            try db.execute(sql: "UPDATE users SET hide_pictures = ? WHERE id = ?", arguments: [hide, userID])
        }
    }

    /// Addresses of the newest items' pictures (for prefetching right after ingest), newest first.
    public func recentPictureURLs(limit: Int) async throws(StoreError) -> [String] {
        try await read("listing recent pictures") { db in
            try String.fetchAll(db, sql: """
                SELECT picture_url FROM items WHERE picture_url IS NOT NULL ORDER BY fetched_at DESC, id DESC LIMIT ?
                """, arguments: [limit])
        }
    }
}
