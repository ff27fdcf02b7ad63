public import KiosqueStoreContract
import Synchronization

/// How far the portal's committed writes went, as far as this instance knows: its own writes, and
/// other instances' as their notifications arrive (see `ChangeListener`), counted by scope as
/// SQLite counts its own (`ChangeClock`), so that an agent's read drops that agent's kept pages only.
final class PostgresChangeClock: Sendable {
    private let clock = ChangeClock()
    /// This instance's name in its notifications, so that it skips its own.
    let instance = "kiosque-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)

    /// Records one committed write of `scope`.
    func record(_ scope: ChangeScope) { clock.record(scope) }

    /// Every change recorded so far.
    var value: UInt64 { clock.tick }

    func stamp(userID: Int64) -> ChangeStamp { clock.stamp(userID: userID) }

    /// What this instance tells the others of a committed write: its name, then ` agent ID` for one
    /// agent's change; nil for bookkeeping (nothing to tell).
    func notification(for scope: ChangeScope) -> String? {
        switch scope {
        case .bookkeeping: nil
        case .shared: instance
        case .agent(let id): "\(instance) agent \(id)"
        }
    }

    /// The change another instance's notification announces; nil for this instance's own. Anything
    /// unreadable (another version's wording) counts as shared: a kept page is dropped, never kept stale.
    func scope(ofNotification payload: String) -> ChangeScope? {
        let words = payload.split(separator: " ")
        guard let sender = words.first, sender != instance else { return nil }
        if words.count == 3, words[1] == "agent", let id = Int64(words[2]) { return .agent(id) }
        return .shared
    }
}

extension PostgresStore: StoreCore, SearchStore, IngestStore {
    public func changeStamp(userID: Int64) -> ChangeStamp {
        changes.stamp(userID: userID)
    }

    public func changeCount() -> UInt64 { changes.value }

    /// The pool closes when its service stops (the service group's shutdown); nothing to flush.
    public func close() async throws(StoreError) {}
}
