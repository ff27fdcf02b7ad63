import Foundation

/// Runs blocking work — starting a server and polling its port, waiting for a child process — on a
/// thread of its own, so that it does not hold one of the few threads Swift concurrency runs every
/// test on. On two cores, an `initdb` or a provider start-up blocking one of them stalled hundreds of
/// concurrent tests for twenty seconds and their clients timed out.
public func blockingWork<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        // The default stack size: Foundation's Process.run copies its descriptor table onto the
        // stack, and with a thousand descriptors open a 1 MiB stack overflowed.
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}
