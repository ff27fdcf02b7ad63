import Foundation
import KiosqueStore

/// A store implementation the behavioural suites run against: each test gets a fresh, empty,
/// migrated store from `make`.
struct StoreBackend: Sendable, CustomStringConvertible {
    /// "sqlite", "postgres": shown in the test's name.
    let name: String
    /// A fresh store, released (and its data deleted) when the test lets go of it.
    let make: @Sendable () async throws -> any PortalStore

    var description: String { name }
}

/// The backends every converted suite runs on (`@Test(arguments: StoreBackends.all)`).
enum StoreBackends {
    /// The embedded SQLite store in a temporary file.
    static let sqlite = StoreBackend(name: "sqlite") { try AppDatabase.temporary() }

    /// Every backend: SQLite, and PostgreSQL once KiosqueStorePostgres provides its test factory
    /// (see notes/store-contract.md).
    static let all: [StoreBackend] = [sqlite]
}
