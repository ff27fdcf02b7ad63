import Dispatch
import Synchronization

/// At most `width` holders at once: bounds CPU-heavy stages to one task per core, whatever the
/// number of transfers in flight.
final class AsyncGate: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    init(width: Int) {
        state = Mutex(State(free: max(1, width)))
    }

    /// Runs `body` once a place is free.
    func withPermit<T>(_ body: () throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try body()
    }

    /// Takes a place, waiting until one is free; give it back with `release()`.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a place back (to the longest waiter, if any).
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()  // the place passes straight to the next waiter
        }
        next?.resume()
    }
}

/// Blocking work (file writes with fsync) on threads of its own: Swift's cooperative threads
/// are only as many as the cores, and one blocked in fsync is a core left idle. Serial queues
/// each get a thread when busy, so `width` of them run that many writes at once.
final class BlockingLane: Sendable {
    private let queues: [DispatchQueue]
    private let next = Atomic<UInt>(0)

    init(label: String, width: Int) {
        queues = (0..<max(1, width)).map { DispatchQueue(label: "\(label).\($0)") }
    }

    /// Runs `body` on one of the lane's threads and waits for it without blocking the caller's thread.
    func run(_ body: @escaping @Sendable () -> Void) async {
        let queue = queues[Int(next.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(queues.count))]
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                body()
                continuation.resume()
            }
        }
    }
}
