import Foundation

/// Child processes of the mail tests, every wait bounded: a child that outlives its deadline is
/// killed with SIGKILL (not terminate(): children inherit the spawning thread's signal mask, and
/// Swift's worker threads block SIGTERM, so SIGTERM would never arrive and the wait never end).
enum BoundedProcess {
    /// What a finished child left.
    struct Result {
        var status: Int32
        var out: String
        var err: String
        /// The child was killed at its deadline.
        var timedOut: Bool
    }

    /// Runs `executable` to completion within `timeout` seconds. Output goes to files rather than
    /// pipes, so a chatty child or a grandchild holding a pipe cannot block the test.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String = "",
                    directory: String? = nil, timeout: TimeInterval = 60) throws -> Result {
        let folder = NSTemporaryDirectory() + "kiosque-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: folder + "/in"))
        FileManager.default.createFile(atPath: folder + "/out", contents: nil)
        FileManager.default.createFile(atPath: folder + "/err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let input = FileHandle(forReadingAtPath: folder + "/in"), out = FileHandle(forWritingAtPath: folder + "/out"),
            err = FileHandle(forWritingAtPath: folder + "/err")
        defer { try? input?.close(); try? out?.close(); try? err?.close() }
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let timedOut = !wait(process, timeout: timeout)
        if timedOut { kill(process) }
        let output = (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? ""
        return Result(status: timedOut ? -1 : process.terminationStatus, out: output,
                      err: timedOut ? errors + "\n(killed after \(Int(timeout)) s)" : errors, timedOut: timedOut)
    }

    /// Starts a long-running child (a server) with its output appended to `log`; stop it with
    /// `stop(_:)` or `kill(_:)`.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String], log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: log)  // one handle: two would overwrite each other
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// Asks `process` to stop with SIGTERM (kiosque serve unblocks it) and waits `timeout` seconds,
    /// then kills it; true when it stopped by itself.
    @discardableResult
    static func stop(_ process: Process, timeout: TimeInterval = 15) -> Bool {
        guard process.isRunning else { return true }
        Glibc.kill(process.processIdentifier, SIGTERM)
        if wait(process, timeout: timeout) { return true }
        kill(process)
        return false
    }

    /// Waits at most `timeout` seconds for `process` to end; true when it did.
    @discardableResult
    static func wait(_ process: Process, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Kills `process` with SIGKILL and reaps it (SIGKILL cannot be blocked, so this ends).
    static func kill(_ process: Process) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        if !wait(process, timeout: 10) { print("warning: pid \(process.processIdentifier) survived SIGKILL for 10 s") }
    }
}
