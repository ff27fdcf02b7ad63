public import KiosqueStoreContract
import Synchronization

/// How far the portal's committed writes went, as far as this instance knows: its own writes, and
/// other instances' as their notifications arrive (see `ChangeListener`). Every write moves one
/// counter (shared and agent stamps alike): a page cache above the store drops more than it must,
/// never less.
final class PostgresChangeClock: Sendable {
    private let count = Atomic<UInt64>(0)
    /// This instance's name in its notifications, so that it skips its own.
    let instance = "kiosque-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)

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
