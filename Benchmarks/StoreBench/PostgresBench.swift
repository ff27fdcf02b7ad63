import BenchmarkSupport
import Foundation
import KiosqueModel
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Logging

/// The PostgreSQL run: the same portal built and read through the store contract, on a server of
/// its own (durable, as deployed) or on an existing database.
enum PostgresBench {
    static func run(_ options: Options) async throws {
        var server: PostgresServer?
        let configuration: PostgresStoreConfiguration
        if let url = options.postgresURL {
            do {
                configuration = try PostgresStoreConfiguration.parse(url: url, password: ProcessInfo.processInfo.environment["KIOSQUE_DB_PASSWORD"],
                                                                     poolSize: 4)
            } catch {
                fail("--postgres-url: \(error)")
            }
        } else {
            if options.reuse { fail("--reuse needs --postgres-url (the database a --keep run left)") }
            guard PostgresServer.isAvailable else { fail("PostgreSQL 15 is not installed (apt-get install postgresql)") }
            let started = try PostgresServer(maxConnections: 100, durable: true, settings: options.postgresSettings)
            let database = try started.createDatabase(prefix: "kiosque_bench")
            configuration = try PostgresStoreConfiguration.parse(url: started.url(database: database), password: started.password, poolSize: 4)
            server = started
        }
        do {
            try await measure(options, configuration: configuration, server: server)
        } catch {
            server?.shutdown()
            throw error
        }
        if let server {
            if options.keep {
                log("kept: the server runs on (stop it with: runuser -u postgres -- \(PostgresServer.binaries)/pg_ctl -D \(server.folderPath)/data -m fast stop; rm -rf \(server.folderPath))")
                // Released, the server object would stop the server: leave while it is still held.
                withExtendedLifetime(server) { exit(0) }
            } else {
                server.shutdown()
            }
        }
    }

    private static func measure(_ options: Options, configuration: PostgresStoreConfiguration, server: PostgresServer?) async throws {
        var logger = Logger(label: "storebench.postgres")
        logger.logLevel = .error
        let store = try PostgresStore(configuration: configuration, logger: logger)
        // Nothing else writes to the benchmark's database: no listener connection.
        store.startRunningWhileAlive(listening: false)
        await store.waitUntilRunning()
        _ = try await store.migrate()
        let durability = server.map { _ in "durable: fsync, synchronous_commit and full_page_writes on" } ?? "an existing server"
        let settings = options.postgresSettings.isEmpty ? "" : ", " + options.postgresSettings.joined(separator: ", ")

        if options.reuse {
            try await BenchReuse.run(store, location: configuration.redactedURL, options: options, optimizeLabel: "VACUUM (ANALYZE)", note: searchCacheNote)
            memory(server)
            return
        }
        let before = try await store.counts()
        guard before["items"] == 0, before["users"] == 0 else {
            fail("\(configuration.redactedURL) is not empty (\(before["items"] ?? 0) items, \(before["users"] ?? 0) agents): give an empty database, or --reuse to measure reads on it")
        }
        log("StoreBench: \(options.items) items, \(options.sources) sources, \(options.channels) channels, \(options.users) agents × \(options.subscriptions) subscriptions")
        log("database: \(configuration.redactedURL) (PostgreSQL, \(durability)\(settings))")

        var rng = SplitMix(state: 42)
        let catalog = BenchCatalog.make(options, rng: &rng)
        _ = try await store.syncCatalog(catalog)
        let serverCPUStart = server?.serverProcessID.map(processTreeCPUSeconds)
        let build = try await BenchBuild.run(store, options: options, rng: &rng)
        let serverCPU = serverCPUStart.flatMap { start in server?.serverProcessID.map { processTreeCPUSeconds(pid: $0) - start } }
        let counts = try await store.counts()
        // SQLite closes and reopens its file here (a checkpoint); PostgreSQL's counterpart after a bulk
        // load is VACUUM (ANALYZE): visibility map and planner statistics, as autovacuum would do later.
        let t = DispatchTime.now().uptimeNanoseconds
        let report = try await store.optimize(fullMerge: true)
        log(String(format: "VACUUM (ANALYZE) after ingest: %.1f s%@", Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9,
                   options.optimize ? " (this is --optimize on PostgreSQL)" : ""))
        let itemCount = counts["items"] ?? build.ingested
        let size = report.sizeBytes
        build.report(group: options.group)
        if let serverCPU {
            log(String(format: "ingest CPU time with the server's: StoreBench %.1f s + PostgreSQL %.1f s → %.0f items per CPU-second",
                       build.ingestCPU, serverCPU, Double(build.ingested) / (build.ingestCPU + serverCPU)))
        } else {
            log("ingest CPU time of the server: not measured (an existing server; StoreBench's own CPU time is above)")
        }
        log(String(format: "size: %.1f MB → %.0f bytes per item (channel_items rows: %d) — pg_database_size after VACUUM",
                   Double(size) / 1e6, Double(size) / Double(max(1, itemCount)), counts["channel_items"] ?? 0))

        if !options.ingestOnly {
            log(searchCacheNote)
            try await BenchReads.run(store, users: build.userIDs, options: options, seed: rng.next())
        }
        memory(server)
        if options.keep { try keep(options, configuration: configuration, server: server, catalog: catalog) }
    }

    private static let searchCacheNote =
        "search cache: per instance and query on PostgreSQL, shared by the agents as on SQLite (the \"cold\" line ranks from the GIN index, the \"next page\" one reuses the kept ranking and adds the agent's targeted announcements)"

    private static func memory(_ server: PostgresServer?) {
        log(String(format: "peak RSS (VmHWM): %.0f MB — StoreBench, the client; the server is apart", peakRSSMegabytes()))
        if let pid = server?.serverProcessID {
            let (megabytes, processes) = processTreePSSMegabytes(pid: pid)
            log(String(format: "PostgreSQL server memory now: %.0f MB (PSS summed over its %d processes)", megabytes, processes))
        } else {
            log("PostgreSQL server memory: not measured (an existing server)")
        }
    }

    /// Writes what WebBench and two-instances.sh need to serve the kept portal, and says where.
    private static func keep(_ options: Options, configuration: PostgresStoreConfiguration, server: PostgresServer?, catalog: Catalog) throws {
        let envFile = options.envFile ?? (server.map { $0.folderPath + "/bench.env" } ?? FileManager.default.currentDirectoryPath + "/kiosque-bench-pg.env")
        let catalogFile = (envFile.hasSuffix(".env") ? String(envFile.dropLast(4)) : envFile) + "-catalog.yml"
        try BenchCatalog.yaml(catalog).write(toFile: catalogFile, atomically: true, encoding: .utf8)
        var lines = ["KIOSQUE_BENCH_URL=\(configuration.redactedURL)", "KIOSQUE_BENCH_CATALOG=\(catalogFile)"]
        if let server {
            lines += ["KIOSQUE_DB_PASSWORD=\(server.password)", "KIOSQUE_BENCH_PGDIR=\(server.folderPath)"]
            if let pid = server.serverProcessID { lines.append("KIOSQUE_BENCH_PGPID=\(pid)") }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: envFile, atomically: true, encoding: .utf8)
        log("kept: \(configuration.redactedURL) — variables in \(envFile) (source it: set -a; . \(envFile); set +a), catalogue in \(catalogFile)")
        log("  then: WebBench --postgres-url \"$KIOSQUE_BENCH_URL\"; Benchmarks/two-instances.sh --env-file \(envFile)")
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("StoreBench: \(message)\n".utf8))
        exit(1)
    }
}

/// User + system CPU time of a process and its descendants still running, plus what its reaped
/// children used (`cutime`, `cstime`), in seconds, from /proc/PID/stat.
func processTreeCPUSeconds(pid: Int32) -> Double {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var pending = [pid], total = 0.0
    while let next = pending.popLast() {
        guard let stat = try? String(contentsOfFile: "/proc/\(next)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 14 { total += fields[11...14].compactMap { Double($0) }.reduce(0, +) / ticks }
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(next)/task")) ?? [] {
            let children = (try? String(contentsOfFile: "/proc/\(next)/task/\(task)/children", encoding: .utf8)) ?? ""
            pending += children.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }
    return total
}
