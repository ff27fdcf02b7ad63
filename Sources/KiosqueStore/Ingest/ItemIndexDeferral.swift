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
enum ItemIndexDeferral {
    static func indexingNewItemsOnce<T>(_ db: Database, _ write: () throws -> T) throws -> T {
        let above = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM items") ?? 0
        try db.execute(sql: "INSERT INTO items_fts_deferred (above_id) VALUES (?)", arguments: [above])
        let result = try write()
        try db.execute(sql: "DELETE FROM items_fts_deferred")
        try db.execute(sql: Migrations.indexItemsAbove, arguments: [above])
        return result
    }
}
