#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Helper processes (openssl, tinyproxy) started by tests, found through PATH.
enum ChildProcess {
    /// Whether `command` is installed (lets tests skip cleanly where a tool is missing).
    static func exists(_ command: String) -> Bool {
        locate(command) != nil
    }

    /// The full path of `command` on PATH or in the sbin folders (Debian puts daemons such as nghttpd there).
    static func locate(_ command: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command to completion, throwing when it fails.
    static func run(_ arguments: [String]) throws {
        let process = try launch(arguments)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestServerError(message: "\(arguments.prefix(2).joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
    }

    /// Starts a long-running command with its output discarded, or written to `log`; `environment`
    /// is added to this process's own.
    static func launch(_ arguments: [String], environment: [String: String] = [:], log: URL? = nil) throws -> Process {
        guard let command = arguments.first, let executable = locate(command) else {
            throw TestServerError(message: "\(arguments.first ?? "command") is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        var output = FileHandle.nullDevice
        if let log {
            FileManager.default.createFile(atPath: log.path, contents: nil)
            output = try FileHandle(forWritingTo: log)
        }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// Starts a server process and waits up to five seconds for it to accept connections on `port`.
    static func launchServer(_ arguments: [String], port: UInt16) throws -> Process {
        let process = try launch(arguments)
        for _ in 0..<100 {
            if let fd = try? Socket.connectLoopback(port: port) {
                close(fd)
                return process
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop(process)
        throw TestServerError(message: "\(arguments[0]) did not start listening on port \(port)")
    }

    /// Kills and reaps a child. SIGKILL, not terminate(): the child inherits the signal mask of the
    /// spawning thread, and Swift's worker threads block SIGTERM, so the child would never see it.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A fresh private directory for a helper's files.
    static func makeDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
