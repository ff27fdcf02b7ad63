#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Debian's PostgreSQL 15 as a real server on 127.0.0.1 (package postgresql), in a temporary folder.
///
/// PostgreSQL refuses to run as root: `initdb` and `postgres` run as the `postgres` user through
/// `runuser`, in a folder owned by it (mode 700) that also holds the unix sockets. Connections over
/// TCP need the password (SCRAM), so clients exercise the same authentication as a deployment.
/// Start one per test suite (a cluster takes about a second), give each test its own database
/// with `createDatabase()`, and `shutdown()` at the end (immediate stop, folder removed).
public final class PostgresServer: @unchecked Sendable {
    /// Where Debian installs the server's programs.
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The port the server listens on (127.0.0.1 only).
    public let port: UInt16
    /// The superuser's name.
    public let user = "postgres"
    /// The superuser's password.
    public let password = "kiosque-test-pw"
    /// Always the loopback address.
    public let host = "127.0.0.1"
    private let folder: URL
    private var process: Process?
    private let lock = NSLock()
    private var databases = 0

    /// Whether the server's programs and `runuser` are installed.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: binaries + "/postgres") && ChildProcess.exists("runuser")
    }

    /// Creates a cluster in a new temporary folder and starts it; waits until it accepts connections.
    /// `maxConnections`: raise it for a server that the whole test process shares. `durable`: keep
    /// fsync, synchronous_commit and full_page_writes on, as a deployment does (benchmarks); tests
    /// leave it off for speed. `settings`: more `name=value` server settings (e.g. `shared_buffers=1GB`).
    public init(maxConnections: Int = 200, durable: Bool = false, settings: [String] = []) throws {
        guard Self.isAvailable else {
            throw TestServerError(message: "PostgreSQL 15 is not installed (apt-get install postgresql)")
        }
        folder = URL(fileURLWithPath: "/tmp/kiosque-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let passwordFile = folder.appendingPathComponent("pw")
        try Data(password.utf8).write(to: passwordFile)
        try ChildProcess.run(["chown", "-R", "postgres:postgres", folder.path])
        try ChildProcess.run(["chmod", "700", folder.path])
        port = try Socket.freePort()
        self.maxConnections = maxConnections
        self.durable = durable
        self.settings = settings
        let data = folder.appendingPathComponent("data").path
        try Self.runAsPostgres([Self.binaries + "/initdb", "-D", data, "-U", user, "--pwfile", passwordFile.path,
                                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                                "--no-sync"], log: folder.appendingPathComponent("initdb.log"))
        let server = try launch()
        process = server
        for _ in 0..<200 {
            if let fd = try? Socket.connectLoopback(port: port) {
                close(fd)
                // The port answers a little before the server accepts sessions.
                if (try? psql("SELECT 1")) != nil { return }
            }
            guard server.isRunning else { break }
            usleep(50_000)
        }
        shutdown()
        throw TestServerError(message: "postgres did not start on port \(port)")
    }

    deinit {
        shutdown()
    }

    private let maxConnections: Int
    private let durable: Bool
    private let settings: [String]

    /// The folder holding the cluster (`data/`), its sockets and logs.
    public var folderPath: String { folder.path }

    /// The postmaster's process id while the server runs (its backends are its children).
    public var serverProcessID: Int32? { postmaster }

    /// Starts `postgres` on the cluster's data folder and port (as the `postgres` user).
    private func launch() throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: ChildProcess.locate("runuser") ?? "/usr/sbin/runuser")
        server.arguments = ["-u", "postgres", "--", Self.binaries + "/postgres", "-D", folder.appendingPathComponent("data").path,
                            "-p", String(port), "-k", folder.path, "-c", "listen_addresses=127.0.0.1",
                            "-c", "max_connections=\(maxConnections)"]
            + (durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            + settings.flatMap { ["-c", $0] }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        return server
    }

    /// The postmaster's process id, from its pid file.
    private var postmaster: pid_t? {
        let pidFile = folder.appendingPathComponent("data/postmaster.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let line = text.split(separator: "\n").first else { return nil }
        return pid_t(line)
    }

    /// Stops the server as `pg_ctl stop -m fast` does (SIGINT: sessions cut, clean shutdown) and
    /// keeps its data folder, so that `restart()` brings the same cluster back on the same port:
    /// for tests of an instance that loses its database. Blocking: call it in `blockingWork`.
    public func stop() {
        lock.withLock { stopProcess(SIGINT, waiting: 250) }
    }

    /// Sends `signal` to the postmaster, waits for it to go (`waiting` × 20 ms), then SIGKILL for
    /// anything left, and reaps `runuser`. Called with the lock held.
    private func stopProcess(_ signal: Int32, waiting: Int) {
        guard let server = process else { return }
        process = nil
        if let pid = postmaster {
            kill(pid, signal)
            for _ in 0..<waiting where kill(pid, 0) == 0 { usleep(20_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        ChildProcess.stop(server)
    }

    /// Starts a `stop()`ped server again on the same port and data folder; returns once the port
    /// accepts connections. Blocking: call it in `blockingWork`.
    public func restart() throws {
        try lock.withLock {
            guard process == nil else { return }
            let server = try launch()
            process = server
            for _ in 0..<250 {
                if let fd = try? Socket.connectLoopback(port: port) {
                    close(fd)
                    return
                }
                guard server.isRunning else { break }
                usleep(20_000)
            }
            throw TestServerError(message: "postgres did not start again on port \(port)")
        }
    }

    /// "postgres://postgres@127.0.0.1:PORT/DATABASE" (the password is given apart, as in channels.yml).
    public func url(database: String) -> String {
        "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// Creates an empty database with a fresh name (a copy of `template` when given: a database
    /// nobody is connected to) and returns its name.
    public func createDatabase(prefix: String = "kiosque", template: String? = nil) throws -> String {
        let name = lock.withLock { () -> String in
            databases += 1
            return "\(prefix)_\(databases)_\(UUID().uuidString.prefix(6).lowercased())"
        }
        try psql("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
        return name
    }

    /// Runs SQL through `psql` as the superuser (on the `postgres` database unless told).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.tool("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", String(port), "-U", user,
                               "-d", database, "-c", sql], environment: ["PGPASSWORD": password, "PATH": "/usr/bin:/bin"])
    }

    /// Runs one of the server's client programs (pg_dump, pg_restore…) to its end and returns what it
    /// printed (stdout and stderr), trimmed; a non-zero exit throws with that output.
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaries + "/" + name)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestServerError(message: "\(name): \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server at once (SIGQUIT: an immediate shutdown that still frees shared memory,
    /// then SIGKILL for anything left) and removes its folder.
    public func shutdown() {
        lock.withLock {
            stopProcess(SIGQUIT, waiting: 100)
            // A stop()ped server has no process left but still has its folder.
            if FileManager.default.fileExists(atPath: folder.path) { try? FileManager.default.removeItem(at: folder) }
        }
    }

    private static func runAsPostgres(_ arguments: [String], log: URL) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.locate("runuser") ?? "/usr/sbin/runuser")
        process.arguments = ["-u", "postgres", "--"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestServerError(message: "\(arguments[0]) failed: \(detail.suffix(500))")
        }
    }
}
