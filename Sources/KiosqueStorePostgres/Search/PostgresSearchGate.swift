import Synchronization

/// Lets at most `limit` searches of one store run at once; the others wait their turn, first come
/// first served (issue 18). Sixty-four searches at once used to take twenty pooled connections, share
/// the two cores between twenty ranking statements, and finish none within 15 s, while every other
/// page waited for a connection; queued, they finish one after the other and leave connections free.
/// At most `maximumWaiting` wait: past that, a search is refused at once (`Full`, a 503 for the agent)
/// rather than queued behind more work than it could wait for.
///
/// Unless fixed, `maximumWaiting` follows how long turns take: as many waiters as the running turns
/// serve within `patience` (a search from a kept ranking takes a few ms, a fresh one at 1M items
/// ~30 ms, more when the cores are shared). A fixed 64 refused 40 % of the searches of 300 agents
/// browsing at once while each waited less than a second.
final class PostgresSearchGate: Sendable {
    let limit: Int
    /// How long a search may wait for its turn, about.
    static let patience = 2.0
    /// A queue of fixed length (tests), or nil for one that follows the turns' duration.
    private let fixedWaiting: Int?

    /// The queue is full: the search was not started.
    struct Full: Error {}

    private struct State {
        var running = 0
        var nextTicket: UInt64 = 0
        var waiting: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Seconds a turn takes, averaged over the recent ones (starts at 1/16 of `patience`).
        var averageTurn = PostgresSearchGate.patience / 16
    }

    private let state = Mutex(State())

    /// Without `maximumWaiting`, the queue starts at 16 turns a running search and follows the
    /// turns' duration from there (see `maximumWaiting`).
    init(limit: Int, maximumWaiting: Int? = nil) {
        self.limit = max(1, limit)
        fixedWaiting = maximumWaiting.map { max(0, $0) }
    }

    /// How many searches may wait now.
    var maximumWaiting: Int {
        state.withLock { waitingAllowed($0) }
    }

    /// `limit` turns at a time of `averageTurn` each within `patience`, between `limit` and 256 × `limit`.
    private func waitingAllowed(_ state: State) -> Int {
        if let fixedWaiting { return fixedWaiting }
        let served = Double(limit) * Self.patience / max(state.averageTurn, 0.000_1)
        return Int(min(Double(256 * limit), max(Double(limit), served)))
    }

    /// The limit for a pool of `poolSize` connections: half of them, at most 4 (more ranking
    /// statements at once than cores only share the CPU), at least 1.
    static func limit(poolSize: Int) -> Int {
        max(1, min(4, poolSize / 2))
    }

    /// Waits for a turn (throws `CancellationError` if the task is cancelled while waiting, `Full` at
    /// once when `maximumWaiting` searches already wait). Every successful `enter()` must be paired
    /// with one `leave()`.
    func enter() async throws {
        let ticket = state.withLock { state in
            state.nextTicket += 1
            return state.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Now { case go, wait, cancelled, full }
                let now = state.withLock { state -> Now in
                    if Task.isCancelled { return .cancelled }
                    if state.running < limit && state.waiting.isEmpty {
                        state.running += 1
                        return .go
                    }
                    if state.waiting.count >= waitingAllowed(state) { return .full }
                    state.waiting.append((ticket, continuation))
                    return .wait
                }
                switch now {
                case .go: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .full: continuation.resume(throwing: Full())
                case .wait: break
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    /// Ends a turn (`turn`: how long it took, for the queue's length): the longest waiting search starts.
    func leave(turn: Duration? = nil) {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if let turn {
                let seconds = Double(turn.components.seconds) + Double(turn.components.attoseconds) / 1e18
                state.averageTurn += (seconds - state.averageTurn) / 16
            }
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst().continuation  // its turn is the one just ended
        }
        next?.resume()
    }

    /// Searches running now and waiting (for tests).
    var load: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiting.count) }
    }
}
