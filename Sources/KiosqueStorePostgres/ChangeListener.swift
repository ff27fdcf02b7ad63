import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// Keeps an instance's page caches true to the writes of the other instances: every write
/// transaction ends with `pg_notify('kiosque_changes', <instance>)` (delivered at commit), and this
/// listener, on a connection of its own outside the pool, moves the store's change clock for each
/// notification another instance sent.
///
/// PostgreSQL does not replay notifications a listener missed: after any (re)connection the clock
/// moves once, which drops every kept page — a full invalidation. A lost database is retried with a
/// growing pause (up to 30 s) until it answers again.
struct ChangeListener: Sendable {
    /// The notification channel every instance of a portal shares.
    static let channel = "kiosque_changes"
    /// Where to connect (the store's own settings).
    let configuration: PostgresStoreConfiguration
    /// The store's clock, moved for each write of another instance.
    let changes: PostgresChangeClock
    let logger: Logger

    func run() async {
        var pause = Duration.milliseconds(250)
        var connections = 0
        while !Task.isCancelled {
            connections += 1
            let listened = SetOnceFlag()
            do {
                try await listenOnce(id: connections, listened: listened)
            } catch {
                if Task.isCancelled { return }
                logger.warning("not hearing other instances' changes; retrying",
                                     metadata: ["error": "\(String(reflecting: error))", "retry_in": "\(pause)"])
            }
            changes.record(.shared)  // whatever was missed meanwhile: drop every kept page
            // A connection that got as far as listening was healthy: start the pauses afresh.
            pause = listened.value ? .milliseconds(250) : min(pause * 2, .seconds(30))
            do { try await Task.sleep(for: pause) } catch { return }
        }
    }

    /// One connection's life: listen, invalidate once listening, then follow the notifications.
    private func listenOnce(id: Int, listened: SetOnceFlag) async throws {
        let settings = configuration
        let tls: PostgresConnection.Configuration.TLS = settings.requiresTLS
            ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        let configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                             password: settings.password, database: settings.database, tls: tls)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        do {
            let changes = self.changes
            try await connection.listen(on: Self.channel) { notifications in
                changes.record(.shared)  // listening now: anything committed before is covered by this move
                listened.set()
                for try await notification in notifications {
                    if let scope = changes.scope(ofNotification: notification.payload) { changes.record(scope) }
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}

/// A flag set once from another task: whether a connection reached the listening state (set from
/// inside the listen closure), whether a store's pool has started.
final class SetOnceFlag: Sendable {
    private let state = Atomic<Bool>(false)
    func set() { state.store(true, ordering: .releasing) }
    var value: Bool { state.load(ordering: .acquiring) }
}
