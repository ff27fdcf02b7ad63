import Hummingbird
import KiosqueStoreContract
import NIOCore
import Synchronization

/// Pages as last rendered for each agent (Ma page), served again while nothing they show has
/// changed: the store's change stamp for the agent (shared content, the agent's own state) and the
/// page's variant (language, CSRF token, layout…) must both match. Entries also expire with age,
/// for changes the stamp cannot see (a `kiosque fetch` in another process), and the whole cache
/// keeps within a byte budget, dropping the least recently used pages first.
final class PageCache: Sendable {
    private struct Entry {
        let variant: String
        let stamp: ChangeStamp
        let created: ContinuousClock.Instant
        var lastUsed: ContinuousClock.Instant
        let body: ByteBuffer
    }
    private struct State {
        var entries: [Int64: Entry] = [:]
        var bytes = 0
    }
    private let state = Mutex(State())
    let budgetBytes: Int
    let maxAge: Duration

    init(budgetBytes: Int = 64 << 20, maxAge: Duration = .seconds(120)) {
        self.budgetBytes = budgetBytes
        self.maxAge = maxAge
    }

    /// The agent's cached page, if it was rendered for the same variant and stamp and is young enough.
    func page(userID: Int64, variant: String, stamp: ChangeStamp, now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        state.withLock { state in
            guard var entry = state.entries[userID] else { return nil }
            guard entry.variant == variant, entry.stamp == stamp, entry.created.duration(to: now) < maxAge else {
                state.bytes -= entry.body.readableBytes
                state.entries[userID] = nil
                return nil
            }
            entry.lastUsed = now
            state.entries[userID] = entry
            return entry.body
        }
    }

    /// Keeps a freshly rendered page; `stamp` must have been read before the page's data.
    func store(userID: Int64, variant: String, stamp: ChangeStamp, body: ByteBuffer, now: ContinuousClock.Instant = .now) {
        let size = body.readableBytes
        guard size <= budgetBytes / 4 else { return }
        state.withLock { state in
            if let old = state.entries[userID] { state.bytes -= old.body.readableBytes }
            state.entries[userID] = Entry(variant: variant, stamp: stamp, created: now, lastUsed: now, body: body)
            state.bytes += size
            guard state.bytes > budgetBytes else { return }
            // Over budget: drop the least recently used quarter (rare, so sorting is fine).
            let victims = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(1, state.entries.count / 4))
            for (id, entry) in victims {
                state.entries[id] = nil
                state.bytes -= entry.body.readableBytes
            }
        }
    }

    /// Pages held and their total size (for tests and metrics).
    var usage: (pages: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }
}
