public import KiosqueStoreContract
import Synchronization

/// How far this instance's committed writes went. Every write moves one counter (shared and agent
/// stamps alike): a page cache above the store drops more than it must, never less. Writes of other
/// instances are not seen here (LISTEN/NOTIFY is the next step of issue 18); caches also expire with age.
final class PostgresChangeClock: Sendable {
    private let count = Atomic<UInt64>(0)

    /// Records one committed write.
    func record() { count.add(1, ordering: .relaxed) }

    var value: UInt64 { count.load(ordering: .relaxed) }
}

extension PostgresStore: StoreCore, SearchStore, IngestStore {
    public func changeStamp(userID: Int64) -> ChangeStamp {
        let value = changes.value
        return ChangeStamp(shared: value, agent: value)
    }

    public func changeCount() -> UInt64 { changes.value }

    /// The pool closes when its service stops (the service group's shutdown); nothing to flush.
    public func close() async throws(StoreError) {}
}
