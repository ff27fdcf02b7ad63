import Foundation
import Hummingbird
import KiosqueStoreContract
import Synchronization

/// `/readyz`: whether this instance can serve agents, that is whether its store answers a read,
/// decided within a bounded time. A load balancer takes an instance that lost its database out of
/// rotation (503) and back in (200) once the database answers again — each request asks afresh, so
/// recovery needs no restart: the store's pool reconnects by itself.
///
/// The body names the database kind (not its address: the endpoint needs no sign-in):
/// `{"database":"postgresql","status":"ready","store":"ok"}`, or `"store":"unreachable"` with 503.
enum Readiness {
    /// How long a read may take before the store counts as unreachable. A pool whose server is gone
    /// queues requests while it retries connecting; a probe must not hang as long.
    static let limit: Duration = .seconds(2)

    static func response(store: any PortalStore) async -> Response {
        let database = kind(of: store)
        if await storeAnswers(store, within: limit) {
            return Response.json(["status": "ready", "database": database, "store": "ok"])
        }
        return Response.json(["status": "store unreachable", "database": database, "store": "unreachable"],
                                 status: .serviceUnavailable)
    }

    /// "postgresql" or "sqlite", from the store's location (a postgres:// address or a file path).
    static func kind(of store: any PortalStore) -> String {
        let location = store.location.lowercased()
        return location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") ? "postgresql" : "sqlite"
    }

    /// Whether a read of the store succeeds within `limit`. The read runs in a task of its own that
    /// is cancelled at the limit; the answer does not wait for it to finish.
    static func storeAnswers(_ store: any PortalStore, within limit: Duration) async -> Bool {
        let answer = FirstAnswer()
        return await withCheckedContinuation { continuation in
            answer.install(continuation)
            let probe = Task {
                do {
                    _ = try await store.user(id: 0)  // any read proves the store answers
                    answer.give(true)
                } catch {
                    answer.give(false)
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                probe.cancel()
                answer.give(false)
            }
        }
    }
}

/// The first of several answers resumes the continuation; later ones are dropped.
private final class FirstAnswer: Sendable {
    private let slot = Mutex<CheckedContinuation<Bool, Never>?>(nil)

    func install(_ continuation: CheckedContinuation<Bool, Never>) {
        slot.withLock { $0 = continuation }
    }

    func give(_ value: Bool) {
        slot.withLock { slot -> CheckedContinuation<Bool, Never>? in
            defer { slot = nil }
            return slot
        }?.resume(returning: value)
    }
}
