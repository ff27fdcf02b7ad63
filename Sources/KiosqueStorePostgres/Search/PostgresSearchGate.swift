import Synchronization

/// Lets at most `limit` searches of one store run at once; the others wait their turn, first come
/// first served (issue 18). Sixty-four searches at once used to take twenty pooled connections, share
/// the two cores between twenty ranking statements, and finish none within 15 s, while every other
/// page waited for a connection; queued, they finish one after the other and leave connections free.
/// At most `maximumWaiting` wait: past that, a search is refused at once (`Full`, a 503 for the agent)
/// rather than queued behind more work than it could wait for.
final class PostgresSearchGate: Sendable {
    let limit: Int
    let maximumWaiting: Int

    /// The queue is full: the search was not started.
    struct Full: Error {}

    private struct State {
        var running = 0
        var nextTicket: UInt64 = 0
        var waiting: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state = Mutex(State())

    /// `maximumWaiting` defaults to 16 turns a running search: ~1 s of waiting at ~50 ms a search.
    init(limit: Int, maximumWaiting: Int? = nil) {
        self.limit = max(1, limit)
        self.maximumWaiting = max(0, maximumWaiting ?? 16 * self.limit)
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
                    if state.waiting.count >= maximumWaiting { return .full }
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

    /// Ends a turn: the longest waiting search starts.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
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
