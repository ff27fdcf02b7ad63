import Foundation
import KiosqueModel
import KiosqueStorePostgres
import KiosqueTestServer
import Logging
import Testing

/// Issue 18: `kiosque fetch` run by hand beside running instances leases its sources on PostgreSQL
/// as `kiosque serve` does, so it never fetches a source another instance holds — due sources,
/// `--all` and `--source` alike. The real binary, a PostgreSQL of this test's own, feeds from a
/// local feed farm; the database is read through the store, never through psql.
@Suite("kiosque fetch leases on PostgreSQL", .timeLimit(.minutes(3)))
struct FetchLeasingCLITests {
    @Test func fetchLeavesASourceAnotherInstanceHoldsAndFetchesTheOthers() async throws {
        let server = try await blockingWork { try PostgresServer(maxConnections: 40) }
        let farm = FeedFarm(latency: 0, itemsPerFeed: 2)
        let feeds = try farm.start()
        var pool: Task<Void, any Error>?
        do {
            let count = 4
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-fetch-lease-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let sources = (0..<count).map { SourceDefinition(id: "s\($0)", url: farm.url($0, on: feeds), title: "Source s\($0)") }
            let yaml = """
                portal: { title: "Récupération à la main", base_url: "http://127.0.0.1" }
                storage: { url: "\(server.url(database: "postgres"))", password_env: KIOSQUE_DB_PASSWORD, pool: 4 }
                fetch: { concurrency: 2, lease: 10m }
                retention: { days: 3650 }
                sources:
                \(sources.map { "  - { id: \($0.id), url: \"\($0.url)\", title: \"Source \($0.id)\" }" }.joined(separator: "\n"))
                channels:
                  - { id: tout, title: "Tout", sources: [\(sources.map(\.id).joined(separator: ", "))] }
                bouquets:
                  - { id: commune, title: "Commune", channels: [tout], default: true }
                """
            try yaml.write(to: directory.appendingPathComponent("channels.yml"), atomically: true, encoding: .utf8)
            let environment = ["KIOSQUE_DB_PASSWORD": server.password,
                               "KIOSQUE_CONFIG": directory.appendingPathComponent("channels.yml").path,
                               "KIOSQUE_DATA_DIR": directory.appendingPathComponent("data").path,
                               "KIOSQUE_CACHE_DIR": directory.appendingPathComponent("cache").path]

            // "Another instance": the same catalogue in the store, one due source leased to it.
            var logger = Logger(label: "test.fetch-lease")
            logger.logLevel = .critical
            let store = try PostgresStore(configuration: try PostgresStoreConfiguration.parse(
                url: server.url(database: "postgres"), password: server.password, poolSize: 2), logger: logger)
            pool = Task { try await store.run() }
            await store.waitUntilRunning()
            _ = try await store.migrate()
            _ = try await store.syncCatalog(Catalog(sources: sources, channels: [ChannelDefinition(id: "tout", title: "Tout", sources: sources.map(\.id))],
                                                    bouquets: [BouquetDefinition(id: "commune", title: "Commune", channels: ["tout"], isDefault: true)]),
                                            now: Date())
            let held: [String] = try await store.leaseDueSources(owner: "serve-on-another-machine", limit: 1, perHost: .max,
                                                                 duration: 600, now: Date())
            let other = try #require(held.first)
            let index = try #require(Int(other.dropFirst()))
            func requests() -> [Int] { (0..<count).map { feeds.requests(path: "/feeds/\($0).xml").count } }

            // The due sources: every one but the held one, once.
            let due = try await CLI.run(["fetch"], environment: environment)
            #expect(due.status == 0, "\(due.stdout)\(due.stderr)")
            #expect(requests() == (0..<count).map { $0 == index ? 0 : 1 }, "\(due.stdout)")
            #expect(due.stdout.contains("\(count - 1) source(s) fetched, 0 failed."), "\(due.stdout)")
            let health = Dictionary(try await store.allHealth().map { ($0.sourceID, $0) }, uniquingKeysWith: { a, _ in a })
            for source in sources {
                #expect((health[source.id]?.lastAttempt != nil) == (source.id != other), "\(source.id) attempted")
            }

            // --all and --source: the held one is still left to its instance and said so.
            let all = try await CLI.run(["fetch", "--all"], environment: environment)
            #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
            #expect(requests() == (0..<count).map { $0 == index ? 0 : 2 }, "\(all.stdout)")
            #expect(all.stdout.contains("\(other)  skipped: another instance is fetching it"), "\(all.stdout)")
            #expect(all.stdout.contains("\(count - 1) source(s) fetched, 0 failed, 1 left to another instance."), "\(all.stdout)")
            let named = try await CLI.run(["fetch", "--source", other], environment: environment)
            #expect(named.status == 0, "\(named.stdout)\(named.stderr)")
            #expect(requests()[index] == 0, "\(named.stdout)")
            #expect(named.stdout.contains("skipped: another instance is fetching it"), "\(named.stdout)")

            // Once the other instance gives it back, `kiosque fetch` takes it.
            try await store.releaseSources(owner: "serve-on-another-machine", sourceIDs: [other])
            let released = try await CLI.run(["fetch", "--source", other], environment: environment)
            #expect(released.status == 0, "\(released.stdout)\(released.stderr)")
            #expect(requests()[index] == 1, "\(released.stdout)")
        } catch {
            pool?.cancel()
            _ = await pool?.result
            feeds.shutdown()
            _ = try? await blockingWork { server.shutdown() }
            throw error
        }
        pool?.cancel()
        _ = await pool?.result
        feeds.shutdown()
        _ = try await blockingWork { server.shutdown() }
    }
}
