public import Foundation
public import KiosqueStore

/// A store implementation the behavioural suites (store tests, web and API tests) run against.
public struct StoreBackend: Sendable, CustomStringConvertible {
    /// "sqlite", "postgres": shown in the test's name.
    public let name: String
    /// A fresh, empty, migrated store. `directory` is the test's own data folder when it has one (SQLite
    /// keeps its file there, as `kiosque serve` does under `data/`); nil: a temporary store deleted when released.
    public let make: @Sendable (_ directory: String?) async throws -> any PortalStore

    /// A backend named `name` whose stores `make` opens.
    public init(name: String, make: @escaping @Sendable (_ directory: String?) async throws -> any PortalStore) {
        self.name = name
        self.make = make
    }

    /// A fresh temporary store of this backend.
    public func make() async throws -> any PortalStore { try await make(nil) }

    public var description: String { name }
}

/// The backends every converted suite runs on (`@Test(arguments: StoreBackends.all)`).
public enum StoreBackends {
    /// The embedded SQLite store.
    public static let sqlite = StoreBackend(name: "sqlite") { directory in
        if let directory { return try AppDatabase.open(path: directory + "/kiosque.sqlite") }
        return try AppDatabase.temporary()
    }

    /// PostgreSQL 15: one server for the whole test process (started on first use, stopped at exit),
    /// a database of its own for each store (see `SharedPostgres`). `directory` is not used.
    public static let postgres = StoreBackend(name: "postgres") { _ in try await SharedPostgres.makeStore() }

    /// Every backend: the behavioural suites run on both.
    public static let all: [StoreBackend] = [sqlite, postgres]
}
