import Synchronization

/// What a write transaction changes, as far as pages built from earlier reads are concerned.
/// Every write in the store declares one, so a cache above the store (Ma page) knows when its
/// copy is stale without the store knowing about pages.
public enum ChangeScope: Sendable, Equatable {
    /// Something every agent may see: items, channels, the catalogue, documents, departments.
    case shared
    /// One agent's own state: reads, stars, subscriptions, preferences, memberships.
    case agent(Int64)
    /// Nothing a page shows: sessions, failed sign-ins, fetch history, activity counters, index merges.
    case bookkeeping
}

/// Counts committed changes by scope (both stores keep one: SQLite for its writes, PostgreSQL for
/// its own writes and the other instances' notifications). One tick counter; each scope remembers the tick of its last
/// change, so a stamp is two integers and an agent who never changed anything costs nothing.
public final class ChangeClock: Sendable {
    private struct State {
        var tick: UInt64 = 0
        var shared: UInt64 = 0
        var agents: [Int64: UInt64] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// Called after a transaction that changed rows in `scope` committed.
    public func record(_ scope: ChangeScope) {
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

    /// The count of recorded changes so far; an agent's stamp `agent` is the count at their last change.
    public var tick: UInt64 { state.withLock { $0.tick } }

    public func stamp(userID: Int64) -> ChangeStamp {
        state.withLock { ChangeStamp(shared: $0.shared, agent: $0.agents[userID] ?? 0) }
    }
}
