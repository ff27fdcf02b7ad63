import GRDB

/// Indexes an ingest's new items once, at the end of its write, instead of one by one.
///
/// Why: FTS5 writes its pending index data to disk whenever a statement opens a savepoint, and an
/// INSERT into `items` opens one (its triggers write other tables). With the index written by a
/// trigger, every new item became an index segment of its own and FTS5 kept merging them: a fifth of
/// a fetch cycle's CPU went there. While `items_fts_deferred` holds a row, the triggers leave the
/// items above its `above_id` alone (migration "v20-items-indexed-per-write"); one INSERT … SELECT
/// indexes them from their final values before the transaction ends. The row never outlives the
/// write: it is deleted in the same transaction, and a failed write rolls both back.
///
/// The row is written at the first new item only: an ingest that adds nothing changes no row, so
/// the change stamps that keep cached pages stay where they are.
final class ItemIndexDeferral {
    private let db: Database
    private var above: Int64?

    private init(_ db: Database) { self.db = db }

    /// Runs `write`, which calls `beforeInsertingItem()` before each new item it inserts.
    static func indexingNewItemsOnce<T>(_ db: Database, _ write: (ItemIndexDeferral) throws -> T) throws -> T {
        let deferral = ItemIndexDeferral(db)
        let result = try write(deferral)
        try deferral.indexDeferredItems()
        return result
    }

    /// Starts deferring at the write's first new item.
    func beforeInsertingItem() throws {
        guard above == nil else { return }
        let highest = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM items") ?? 0
        try db.execute(sql: "INSERT INTO items_fts_deferred (above_id) VALUES (?)", arguments: [highest])
        above = highest
    }

    private func indexDeferredItems() throws {
        guard let above else { return }
        try db.execute(sql: "DELETE FROM items_fts_deferred")
        try db.execute(sql: Migrations.indexItemsAbove, arguments: [above])
    }
}
