public import KiosqueStoreContract
import Synchronization

/// What a write transaction changes for the pages kept above the store (SQLite's `ChangeScope`).
enum PostgresChangeScope: Sendable, Equatable {
    /// Something every agent may see: items, channels, the catalogue, documents, announcements.
    case shared
    /// One agent's own state: reads, stars, subscriptions, preferences, memberships.
    case agent(Int64)
    /// Nothing a page shows: sessions, failed sign-ins, fetch history, activity, the outbox.
    case bookkeeping
}

/// How far the portal's committed writes went, as far as this instance knows: its own writes, and
/// other instances' as their notifications arrive (see `ChangeListener`). As SQLite's clock: one
/// tick counter, the tick of the last shared change and of each agent's last own change, so that
/// an agent's read drops that agent's kept pages only.
final class PostgresChangeClock: Sendable {
    private struct State {
        var tick: UInt64 = 0
        var shared: UInt64 = 0
        var agents: [Int64: UInt64] = [:]
    }
    private let state = Mutex(State())
    /// This instance's name in its notifications, so that it skips its own.
    let instance = "kiosque-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)

    /// Records one committed write of `scope`.
    func record(_ scope: PostgresChangeScope) {
        state.withLock { state in
            switch scope {
            case .bookkeeping: return
            case .shared:
                state.tick &+= 1
                state.shared = state.tick
            case .agent(let id):
                state.tick &+= 1
                state.agents[id] = state.tick
            }
        }
    }

    /// Every change recorded so far.
    var value: UInt64 { state.withLock { $0.tick } }

    func stamp(userID: Int64) -> ChangeStamp {
        state.withLock { ChangeStamp(shared: $0.shared, agent: $0.agents[userID] ?? 0) }
    }

    /// What this instance tells the others of a committed write: its name, then ` agent ID` for one
    /// agent's change; nil for bookkeeping (nothing to tell).
    func notification(for scope: PostgresChangeScope) -> String? {
        switch scope {
        case .bookkeeping: nil
        case .shared: instance
        case .agent(let id): "\(instance) agent \(id)"
        }
    }

    /// The change another instance's notification announces; nil for this instance's own. Anything
    /// unreadable (another version's wording) counts as shared: a kept page is dropped, never kept stale.
    func scope(ofNotification payload: String) -> PostgresChangeScope? {
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
