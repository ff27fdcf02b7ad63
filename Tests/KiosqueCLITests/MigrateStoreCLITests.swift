import Foundation
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// `kiosque migrate-store` and `kiosque backup` against a real PostgreSQL 15 started here (issue 18).
@Suite("kiosque migrate-store and backup on PostgreSQL", .serialized)
struct MigrateStoreCLITests {
    /// Runs `body` with a PostgreSQL server of its own, stopped afterwards (also when `body` fails).
    private func withServer(_ body: (PostgresServer) async throws -> Void) async throws {
        let server = try await blockingWork { try PostgresServer() }
        do { try await body(server) } catch {
            _ = try? await blockingWork { server.shutdown() }
            throw error
        }
        _ = try await blockingWork { server.shutdown() }
    }

    private func run(_ portal: Portal, _ arguments: [String], password: String, path: String? = nil) async throws -> CLI.Result {
        var environment = portal.environment
        environment["KIOSQUE_DB_PASSWORD"] = password
        if let path { environment["PATH"] = path }
        return try await CLI.run(arguments, environment: environment)
    }

    @discardableResult
    private func psql(_ server: PostgresServer, _ database: String, _ sql: String) async throws -> String {
        try await blockingWork { try server.psql(sql, database: database) }
    }

    /// A portal with two items, two agents, a read mark and a star, in SQLite.
    private func smallPortal() async throws -> (portal: Portal, zoe: UserAccount, read: Int64) {
        let portal = try Portal.make()
        let fetch = try await portal.run(["fetch", "--all"])
        #expect(fetch.status == 0, "\(fetch.stdout)\(fetch.stderr)")
        for login in ["zoe", "alix"] {
            let add = try await portal.run(["user", "add", login, "--password-stdin"], stdin: "un-mot-de-passe-long\n")
            #expect(add.status == 0, "\(add.stderr)")
        }
        let database = try AppDatabase.open(path: portal.directory.appendingPathComponent("data/kiosque.sqlite").path)
        let zoe = try #require(try await database.user(login: "zoe"))
        let page = try await database.channelPage(channelID: "vie-locale", userID: zoe.id)
        let titles = page.items.map { $0.title ?? "" }
        let read = try #require(page.items.first { $0.title == "Budget primitif" }?.id, "\(titles)")
        let starred = try #require(page.items.first { $0.title != "Budget primitif" }?.id)
        #expect(try await database.markRead(itemID: read, userID: zoe.id))
        #expect(try await database.star(itemID: starred, userID: zoe.id, at: Date()))
        try database.close()
        return (portal, zoe, read)
    }

    @Test func copiesEverythingFinishesAnInterruptedCopyAndRefusesAnotherPortal() async throws {
        try await withServer { server in
            let (portal, zoe, read) = try await smallPortal()
            let name = try await blockingWork { try server.createDatabase() }
            let url = server.url(database: name)
            // The schema exists already (an instance started on it), and copying read marks fails once,
            // half-way through the tables: what was copied stays, the same command finishes the job.
            let configuration = try PostgresStoreConfiguration.parse(url: url, password: server.password, poolSize: 2)
            try await withStore(configuration) { store in _ = try await store.migrate() }
            try await psql(server, name, """
                CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$;
                CREATE TRIGGER refuse BEFORE INSERT ON read_marks FOR EACH ROW EXECUTE FUNCTION refuse();
                """)
            let broken = try await run(portal, ["migrate-store", "--to", url], password: server.password)
            #expect(broken.status == 2, "\(broken.stdout)\(broken.stderr)")
            #expect(broken.stderr.contains("disk full (test)") && broken.stderr.contains("run the same command again"), "\(broken.stderr)")
            #expect(try await psql(server, name, "SELECT count(*) FROM users") == "2", "accounts were copied before the failure")
            #expect(try await psql(server, name, "SELECT count(*) FROM read_marks") == "0")
            try await psql(server, name, "DROP TRIGGER refuse ON read_marks")

            let finished = try await run(portal, ["migrate-store", "--to", url], password: server.password)
            #expect(finished.status == 0, "\(finished.stdout)\(finished.stderr)")
            #expect(finished.stdout.contains("An interrupted copy was finished"), "\(finished.stdout)")
            #expect(finished.stdout.contains("Counts match"), "\(finished.stdout)")
            // Two sources publish the same two articles: four items, listed once each in the channel.
            for (table, count) in [("users", 2), ("items", 4), ("read_marks", 1), ("stars", 1), ("subscriptions", 2), ("channel_items", 2),
                                   ("fetch_attempts", 2), ("source_health", 2)] {
                let line = try #require(finished.stdout.split(separator: "\n").first { $0.hasPrefix(table + " ") }, "\(table) is listed")
                #expect(line.split(separator: " ").suffix(2).map(String.init) == [String(count), String(count)], "\(line)")
                #expect(try await psql(server, name, "SELECT count(*) FROM \(table)") == String(count), "\(table): no duplicate")
            }

            try await withStore(configuration) { store in
                let copied = try #require(try await store.user(login: "zoe"))
                #expect(copied.id == zoe.id && copied.passwordHash == zoe.passwordHash && copied.passwordHash != nil)
                let item = try await store.item(id: read, userID: zoe.id, channelID: nil)
                #expect(item.summary.isRead && item.summary.title == "Budget primitif")
                // Stemmed and unaccented by PostgreSQL's own French search over the copied text.
                let found = try await store.search(query: "délibération", userID: nil)
                #expect(found.items.map(\.item.title) == ["Délibérations du conseil municipal"], "\(found.items.map(\.item.title))")
                // Identities continue after the copied ids.
                let added = try await store.createUser(NewUser(login: "nouvelle"))
                #expect(added.id == 3)
            }

            // Run again: a complete copy is left alone.
            let again = try await run(portal, ["migrate-store", "--to", url], password: server.password)
            #expect(again.status == 0 && again.stdout.contains("already holds a complete copy"), "\(again.stdout)\(again.stderr)")
            #expect(try await psql(server, name, "SELECT count(*) FROM users") == "3")

            // Another portal is refused, unless forced (then it replaces everything).
            let other = try Portal.make()
            #expect(try await other.run(["fetch", "--all"]).status == 0)
            let refused = try await run(other, ["migrate-store", "--to", url], password: server.password)
            #expect(refused.status == 1 && refused.stderr.contains("already holds another portal"), "\(refused.stderr)")
            #expect(try await psql(server, name, "SELECT count(*) FROM users") == "3", "nothing was touched")
            let forced = try await run(other, ["migrate-store", "--to", url, "--force"], password: server.password)
            #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
            #expect(try await psql(server, name, "SELECT count(*) FROM users") == "0")
            #expect(try await psql(server, name, "SELECT count(*) FROM items") == "4")
        }
    }

    @Test func documentsAreCopiedWithTheirTextSearchable() async throws {
        try await withServer { server in
            let (portal, library, _, editor) = try await DocumentsCLITests.portal()
            _ = try await DocumentsCLITests.publish(library, "Le conseil a voté la rénovation des écoles.", title: "Délibération scolaire",
                                                    visibility: .organisation, by: editor)
            _ = await library.extractPending()
            let name = try await blockingWork { try server.createDatabase() }
            let copy = try await run(portal, ["migrate-store", "--to", server.url(database: name)], password: server.password)
            #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
            for (table, count) in [("documents", "1"), ("document_versions", "1"), ("document_blobs", "1"), ("department_members", "2")] {
                #expect(try await psql(server, name, "SELECT count(*) FROM \(table)") == count, "\(table)")
            }
            // The document's vector (title, category, tags, text) is PostgreSQL's own, built after the copy.
            for word in ["écoles", "renovation", "deliberation"] {
                let found = try await psql(server, name, "SELECT count(*) FROM documents WHERE search_vector @@ to_tsquery('kiosque_french', '\(word)')")
                #expect(found == "1", "\(word)")
            }
            // The document's item in its department's channel came along, with the channel's counter as SQLite kept it.
            #expect(try await psql(server, name, """
                SELECT c.item_count FROM channels c WHERE c.key = 'service-finances'
                """) == "1")
        }
    }

    @Test func refusesANewerSchemaAndAPasswordInTheAddress() async throws {
        try await withServer { server in
            let portal = try Portal.make()
            #expect(try await portal.run(["fetch", "--all"]).status == 0)
            let name = try await blockingWork { try server.createDatabase() }
            let url = server.url(database: name)
            let configuration = try PostgresStoreConfiguration.parse(url: url, password: server.password, poolSize: 2)
            try await withStore(configuration) { store in _ = try await store.migrate() }
            try await psql(server, name, "INSERT INTO kiosque_migrations (position, name) VALUES (1000, 'v99-from-the-future')")
            let newer = try await run(portal, ["migrate-store", "--to", url], password: server.password)
            #expect(newer.status == 1 && newer.stderr.contains("newer Kiosque") && newer.stderr.contains("v99-from-the-future"), "\(newer.stderr)")
            #expect(try await psql(server, name, "SELECT count(*) FROM sources") == "0")
            let withPassword = url.replacingOccurrences(of: "postgres@", with: "postgres:secret@")
            let exposed = try await run(portal, ["migrate-store", "--to", withPassword], password: server.password)
            #expect(exposed.status == 1 && exposed.stderr.contains("must not contain the password"), "\(exposed.stderr)")
            #expect(!exposed.stderr.contains("secret"))
            // A wrong password is reported at once, with the server's reason.
            let wrong = try await run(portal, ["migrate-store", "--to", url], password: "not-the-password")
            #expect(wrong.status == 1 && wrong.stderr.contains("password authentication failed") && wrong.stderr.contains("nothing was copied"),
                    "\(wrong.stderr)")
        }
    }

    @Test func backupOfAPostgresPortalIsAPgDumpArchive() async throws {
        try await withServer { server in
            let (portal, _, _) = try await smallPortal()
            let name = try await blockingWork { try server.createDatabase() }
            let url = server.url(database: name)
            let copy = try await run(portal, ["migrate-store", "--to", url], password: server.password)
            #expect(copy.status == 0, "\(copy.stderr)")
            let config = try String(contentsOfFile: portal.config, encoding: .utf8)
            try (config + "\nstorage:\n  url: \"\(url)\"\n  password_env: KIOSQUE_DB_PASSWORD\n")
                .write(toFile: portal.config, atomically: true, encoding: .utf8)
            try Data(repeating: 1, count: 32).write(to: portal.directory.appendingPathComponent("data/kiosque.key"))

            // Without pg_dump: what to run instead, nothing half-written.
            let missing = portal.directory.appendingPathComponent("sans-pg-dump").path
            let noTool = try await run(portal, ["backup", missing], password: server.password, path: "/nonexistent")
            #expect(noTool.status == 2, "\(noTool.stdout)\(noTool.stderr)")
            #expect(noTool.stderr.contains("pg_dump was not found on PATH") && noTool.stderr.contains("apt-get install postgresql-client")
                    && noTool.stderr.contains("pg_dump --format=custom"), "\(noTool.stderr)")
            #expect(!noTool.stderr.contains(server.password), "the password is never printed")

            // A wrong password: pg_dump's own reason and the command.
            let refusedFolder = portal.directory.appendingPathComponent("refusee").path
            let refused = try await run(portal, ["backup", refusedFolder], password: "not-the-password")
            #expect(refused.status == 2 && refused.stderr.contains("pg_dump failed") && refused.stderr.contains("password authentication failed"),
                    "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: refusedFolder + "/kiosque.pgdump"))

            let destination = portal.directory.appendingPathComponent("sauvegarde").path
            let backup = try await run(portal, ["backup", destination], password: server.password)
            #expect(backup.status == 0, "\(backup.stdout)\(backup.stderr)")
            #expect(backup.stdout.contains("kiosque.pgdump") && backup.stdout.contains("pg_restore"), "\(backup.stdout)")
            #expect(FileManager.default.contents(atPath: destination + "/kiosque.key") == Data(repeating: 1, count: 32))
            let archive = destination + "/kiosque.pgdump"
            #expect(FileManager.default.contents(atPath: archive)?.prefix(5) == Data("PGDMP".utf8), "custom format")
            // pg_restore reads the archive (it throws, failing the test, when it cannot).
            let listing = try await blockingWork { try PostgresServer.tool("pg_restore", ["--list", archive]) }
            for table in ["items", "users", "read_marks", "kiosque_migrations"] {
                #expect(listing.contains("TABLE DATA public \(table) "), "\(table) in the archive")
            }
            #expect(try await run(portal, ["backup", destination], password: server.password).status == 1, "a second backup into the same folder is refused")
        }
    }

    /// Runs `body` with a store on `configuration` whose pool runs meanwhile.
    private func withStore(_ configuration: PostgresStoreConfiguration, _ body: (PostgresStore) async throws -> Void) async throws {
        let store = try PostgresStore(configuration: configuration)
        let running = Task { try await store.run() }
        defer { running.cancel() }
        try await body(store)
    }
}
