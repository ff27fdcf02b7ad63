import Foundation
import KiosqueModel
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// "v14-channel-readers" on PostgreSQL: a channel's readers of the day grow with an agent's first read
/// of the day only, and the trigger function no longer recounts them on every read.
@Suite(.postgres)
struct PostgresChannelReadersTests {
    @Test func readersOfTheDayCountedOnce() async throws {
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { store in
            try await store.syncCatalog(PostgresTriggerTests.catalog, now: Date())
        }
        func sql(_ text: String) throws -> String { try server.psql(text, database: configuration.database) }
        #expect(try sql("SELECT count(*) FROM kiosque_migrations WHERE name = 'v14-channel-readers'") == "1")
        _ = try sql("INSERT INTO users (login, created_at) VALUES ('denis', 0), ('gaelle', 0)")
        // Denis reads three times, Gaëlle twice, someone signed out once (2026-11-30); Denis again the next day.
        for (login, times) in [("denis", 3), ("gaelle", 2)] {
            for _ in 0..<times {
                _ = try sql("INSERT INTO activity_log (at, user_id, action, detail) SELECT 1796000000, id, 'read', 'actu' FROM users WHERE login = '\(login)'")
            }
        }
        _ = try sql("INSERT INTO activity_log (at, user_id, action, detail) VALUES (1796000000, NULL, 'read', 'actu')")
        _ = try sql("INSERT INTO activity_log (at, user_id, action, detail) SELECT 1796086400, id, 'read', 'actu' FROM users WHERE login = 'denis'")
        #expect(try sql("SELECT string_agg(day || ' ' || reads || ' ' || readers, ', ' ORDER BY day) FROM channel_daily")
                == "2026-11-30 6 2, 2026-12-01 1 1")
        #expect(try sql("SELECT prosrc NOT LIKE '%count(%' FROM pg_proc WHERE proname = 'kiosque_activity_channel_reads'") == "t")
        // The targeted announcements' item index of the audience checks.
        #expect(try sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'announcements_targeted_item'") == "1")
    }
}
