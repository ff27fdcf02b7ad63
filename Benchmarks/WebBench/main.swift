// Web benchmark (issue 7): the agents' pages served from the store benchmark's 1M-item database,
// loaded by wrk (Debian) with signed-in agents' cookies.
//   StoreBench --db /tmp/kiosque-bench.sqlite --keep     (once: builds the 1M-item database)
//   WebBench --db /tmp/kiosque-bench.sqlite [--seconds 20] [--soak-seconds 300]
// On PostgreSQL (issue 18), the portal a `StoreBench --postgres --keep` built (password from KIOSQUE_DB_PASSWORD;
// --postgres-pid, or KIOSQUE_BENCH_PGPID, names the server's postmaster so that its memory is printed too):
//   WebBench --postgres-url postgres://postgres@127.0.0.1:PORT/DB [--postgres-pid PID] [--seconds 20] [--soak-seconds 300]
import BenchmarkSupport
import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueRefresh
import KiosqueStore
import KiosqueStorePostgres
import KiosqueWeb
import Logging
import ServiceLifecycle

struct Options {
    var db = "/tmp/kiosque-bench.sqlite"
    var seconds = 20
    var soakSeconds = 300
    var agents = 300
    var port = 18_081
    var postgresURL: String?
    var postgresPID = ProcessInfo.processInfo.environment["KIOSQUE_BENCH_PGPID"].flatMap { Int32($0) }

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--db": db = value; i += 1
            case "--seconds": seconds = Int(value) ?? seconds; i += 1
            case "--soak-seconds": soakSeconds = Int(value) ?? soakSeconds; i += 1
            case "--agents": agents = Int(value) ?? agents; i += 1
            case "--port": port = Int(value) ?? port; i += 1
            case "--postgres-url": postgresURL = value; i += 1
            case "--postgres-pid": postgresPID = Int32(value); i += 1
            default: break
            }
            i += 1
        }
    }
}

/// Runs wrk and returns its report.
func wrk(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func figure(_ report: String, _ prefix: String) -> String {
    report.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
        .map { String($0).trimmingCharacters(in: .whitespaces) } ?? "\(prefix) (none)"
}

ServerMemory.limitMallocArenas()  // as `kiosque serve` does
let options = Options(Array(CommandLine.arguments.dropFirst()))
guard options.postgresURL != nil || FileManager.default.fileExists(atPath: options.db) else {
    print("WebBench: no database at \(options.db); build it first with: StoreBench --db \(options.db) --keep")
    exit(1)
}
guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
    print("WebBench: wrk is missing (apt-get install wrk)")
    exit(1)
}
/// The store to serve: the SQLite file, or the PostgreSQL database with its pool running (as `kiosque serve`: 20 connections).
@MainActor func openStore() async throws -> (store: any PortalStore, location: String) {
    guard let url = options.postgresURL else { return (try AppDatabase.open(path: options.db), options.db) }
    let configuration: PostgresStoreConfiguration
    do {
        configuration = try PostgresStoreConfiguration.parse(url: url, password: ProcessInfo.processInfo.environment["KIOSQUE_DB_PASSWORD"])
    } catch {
        print("WebBench: --postgres-url: \(error)")
        exit(1)
    }
    var storeLogger = Logger(label: "webbench.postgres")
    storeLogger.logLevel = .error
    let postgres = try PostgresStore(configuration: configuration, logger: storeLogger)
    postgres.startRunningWhileAlive()
    await postgres.waitUntilRunning()
    _ = try await postgres.migrate()
    guard try await postgres.user(login: "agent0") != nil else {
        print("WebBench: no benchmark agents in \(configuration.redactedURL); build it first with: StoreBench --postgres --keep")
        exit(1)
    }
    return (postgres, configuration.redactedURL)
}
let (store, location) = try await openStore()
let directory = NSTemporaryDirectory() + "kiosque-webbench-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
var configuration = PortalConfiguration()
configuration.portal.title = "Intranet (banc d'essai)"
// The served catalogue is the database's own: no sync, so nothing is re-mapped.
let live = LiveConfiguration(configuration, path: directory + "/channels.yml", store: store)
var logger = Logger(label: "webbench")
logger.logLevel = .error
let web = try await WebServer(configuration: live, store: store, scheduler: nil,
                              options: .init(host: "127.0.0.1", port: options.port, dataDirectory: directory), logger: logger)

var opened: [String] = []
for n in 0..<options.agents {
    guard let user = try await store.user(login: "agent\(n)") else { break }
    opened.append("\(AccountTools.sessionCookieName)=" + (try await AccountTools.openSession(store: store, userID: user.id)))
}
let cookies = opened
let queries = ["conseil%20municipal", "d%C3%A9lib%C3%A9rations%20budget", "travaux%20voirie", "%C3%A9lus", "piscine%20horaires",
               "march%C3%A9%20public", "transport%20scolaire", "logement%20social", "collecte%20d%C3%A9chets", "r%C3%A9novation%20%C3%A9nerg%C3%A9tique"]
func script(paths: [String], cookies: [String]) -> String {
    """
    local cookies = {\(cookies.map { "\"\($0)\"" }.joined(separator: ","))}
    local paths = {\(paths.map { "\"\($0)\"" }.joined(separator: ","))}
    local counter = 0
    request = function()
      counter = counter + 1
      -- What a browser sends: its session cookie, and the encodings it accepts.
      local headers = { ["Cookie"] = cookies[(counter % #cookies) + 1], ["Accept-Encoding"] = "gzip, deflate, br" }
      return wrk.format("GET", paths[(counter % #paths) + 1], headers)
    end
    """
}
let homeScript = directory + "/home.lua", searchScript = directory + "/search.lua", soakScript = directory + "/soak.lua"
try script(paths: ["/"], cookies: cookies).write(toFile: homeScript, atomically: true, encoding: .utf8)
try script(paths: queries.map { "/recherche?q=\($0)" }, cookies: cookies).write(toFile: searchScript, atomically: true, encoding: .utf8)
try script(paths: ["/", "/catalogue", "/canaux/canal001", "/canaux/canal012", "/compte"] + queries.prefix(3).map { "/recherche?q=\($0)" }, cookies: cookies)
    .write(toFile: soakScript, atomically: true, encoding: .utf8)

/// Milliseconds per call of `work`, median of `n` runs: where a page's time goes.
func median(_ n: Int, _ work: () async throws -> Void) async rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<n {
        let start = ContinuousClock.now
        try await work()
        let d = start.duration(to: .now).components
        times.append(Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15)
    }
    return times.sorted()[n / 2]
}
if let agent = try await store.user(login: "agent1") {
    let home = try await median(30) { _ = try await store.homePage(userID: agent.id, limit: 60, perChannel: 5) }
    let river = try await median(30) { _ = try await store.homePage(userID: agent.id, limit: 60, perChannel: 0) }
    let user = try await median(30) { _ = try await store.user(id: agent.id) }
    print(String(format: "store alone (median): home grouped %.2f ms, home river %.2f ms, user %.2f ms", home, river, user))
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for n in 0..<640 {
            group.addTask { _ = try await store.homePage(userID: Int64(1 + n % 300), limit: 60, perChannel: 5) }
        }
        try await group.waitForAll()
    }
    let d = start.duration(to: .now).components
    print(String(format: "store alone, 640 concurrent home pages: %.0f per second", 640 / (Double(d.seconds) + Double(d.attoseconds) / 1e18)))
}
let application = web.application()
let server = Task.detached { try await application.runService() }  // off the main actor, as in `kiosque serve`
try await Task.sleep(for: .seconds(1))
let base = "http://127.0.0.1:\(options.port)"
print("WebBench: \(cookies.count) signed-in agents, database \(location)")
// Ma page twice: from cold (every agent's first visit renders the page, ~4 ms each), then with
// every agent's page already kept (the steady state between two fetch cycles); then search.
let connections = Int(ProcessInfo.processInfo.environment["WEBBENCH_C"] ?? "64") ?? 64  // WEBBENCH_C=1: one request at a time
for (label, scriptPath) in [("GET / (Ma page), from cold", homeScript), ("GET / (Ma page), every agent's page kept", homeScript),
                            ("GET /recherche", searchScript)] {
    let report = try wrk(["-t\(min(2, connections))", "-c\(connections)", "-d\(options.seconds)s", "--latency", "-s", scriptPath, base + "/"])
    print("\(label), \(connections) connections, \(options.seconds) s: \(figure(report, "Requests/sec:")); \(figure(report, "Transfer/sec:"));"
          + " latency \(figure(report, "50%")), \(figure(report, "90%")), \(figure(report, "99%"));"
          + " \(figure(report, "Non-2xx or 3xx responses:")); \(figure(report, "Socket errors:"))")
}
// Extra paths to measure one by one (e.g. WEBBENCH_PATHS="/compte /catalogue"), for finding where time goes.
for path in (ProcessInfo.processInfo.environment["WEBBENCH_PATHS"] ?? "").split(separator: " ").map(String.init) {
    let file = directory + "/extra.lua"
    try script(paths: [path], cookies: cookies).write(toFile: file, atomically: true, encoding: .utf8)
    let report = try wrk(["-t2", "-c64", "-d\(options.seconds)s", "--latency", "-s", file, base + "/"])
    print("GET \(path), 64 connections: \(figure(report, "Requests/sec:")); p99 \(figure(report, "99%"))")
}
if options.soakSeconds > 0 {
    let report = try wrk(["-t2", "-c\(cookies.count)", "-d\(options.soakSeconds)s", "--timeout", "10s", "--latency", "-s", soakScript, base + "/"])
    print("soak: \(cookies.count) agents browsing for \(options.soakSeconds) s: \(figure(report, "Requests/sec:")); p99 \(figure(report, "99%"));"
          + " errors: \(figure(report, "Non-2xx or 3xx responses:")) \(figure(report, "Socket errors:"))")
}
print(String(format: "server peak memory (VmHWM): %.1f MB", peakRSSMegabytes()))
print(String(format: "server memory at the end (VmRSS): %.1f MB", processMemoryMegabytes(pid: getpid()).rss))
if options.postgresURL != nil {
    if let pid = options.postgresPID {
        let (megabytes, processes) = processTreePSSMegabytes(pid: pid)
        print(String(format: "PostgreSQL server memory at the end: %.0f MB (PSS summed over its %d processes)", megabytes, processes))
    } else {
        print("PostgreSQL server memory: not measured (give --postgres-pid or KIOSQUE_BENCH_PGPID)")
    }
}
server.cancel()
try? FileManager.default.removeItem(atPath: directory)
