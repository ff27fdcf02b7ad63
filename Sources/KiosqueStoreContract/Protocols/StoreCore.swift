public import Foundation

/// What every store is beside its areas: where it lives, how far its committed changes went
/// (for caches of pages), and how it stops.
public protocol StoreCore: Sendable {
    /// Where the data lives, for messages and logs: the SQLite file's path, or the database URL
    /// without its password.
    var location: String { get }
    /// Where `userID`'s view of the store stands: it moves when a write commits a change to shared
    /// content or to that agent's own state. Read it before reading the data a cached page is built from.
    func changeStamp(userID: Int64) -> ChangeStamp
    /// How many changes have been committed so far. Something read after taking it is still current
    /// for an agent as long as `changeStamp(userID:).agent` has not gone past it.
    func changeCount() -> UInt64
    /// Flushes and closes the store; later calls fail. Optional: a released store closes itself.
    func close() async throws(StoreError)
}
