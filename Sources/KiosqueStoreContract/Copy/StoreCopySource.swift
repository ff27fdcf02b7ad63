/// One stored value of a copied row, as the source store keeps it (SQLite's storage classes).
/// The target converts it to its column's type (0/1 to a boolean, JSON text to JSONB…).
public enum CopiedValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A table of the source store and the columns it holds, in the source's order.
public struct CopiedTable: Sendable, Hashable {
    /// The table's name (the same in both schemas).
    public let name: String
    /// Its columns.
    public let columns: [String]

    public init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}

/// Rows read from the source, and where the next read starts (nil once the table is exhausted).
public struct CopiedBatch: Sendable {
    /// The rows, each with one value per requested column, in that order.
    public let rows: [[CopiedValue]]
    /// The position after the last row (opaque to the reader), or nil at the end of the table.
    public let next: [CopiedValue]?

    public init(rows: [[CopiedValue]], next: [CopiedValue]?) {
        self.rows = rows
        self.next = next
    }
}

/// A store read whole, table by table, to move a portal into another store (`kiosque migrate-store`).
/// Every read sees the same state of the source (one snapshot taken when the source was made).
public protocol StoreCopySource: Sendable {
    /// Where the source lives (for messages).
    var location: String { get }
    /// The names of the schema migrations applied to the source.
    func copyMigrations() async throws(StoreError) -> [String]
    /// The source's tables that hold data of their own (no full-text index tables, no views).
    func copyTables() async throws(StoreError) -> [CopiedTable]
    /// Up to `limit` rows of `table` in a stable order, starting after `position` (nil: from the start).
    func copyRows(of table: String, columns: [String], after position: [CopiedValue]?, limit: Int) async throws(StoreError) -> CopiedBatch
    /// How many rows `table` holds.
    func copyCount(of table: String) async throws(StoreError) -> Int
}
