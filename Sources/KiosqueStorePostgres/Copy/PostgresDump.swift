public import Foundation

/// `pg_dump --format=custom` of the portal's PostgreSQL database (`kiosque backup`): Debian's
/// postgresql-client found on PATH, the password given to the child alone (PGPASSWORD in its
/// environment, never on its command line).
public struct PostgresDump: Sendable {
    /// The database to dump.
    public let configuration: PostgresStoreConfiguration

    public init(configuration: PostgresStoreConfiguration) {
        self.configuration = configuration
    }

    /// Why the dump was not written; `description` says what to run instead.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// pg_dump on `path` (the PATH variable), or nil.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = String(folder) + "/pg_dump"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The arguments after `pg_dump` writing the dump into `file`.
    public func arguments(file: String) -> [String] {
        ["--format=custom", "--no-password", "--file=\(file)", "--host=\(configuration.host)", "--port=\(configuration.port)",
         "--username=\(configuration.user)", "--dbname=\(configuration.database)"]
    }

    /// The command an administrator can run by hand (the password left to them).
    public func manualCommand(file: String) -> String {
        let variables = "PGPASSWORD=…" + (configuration.requiresTLS ? " PGSSLMODE=require" : "")
        return variables + " pg_dump " + arguments(file: file).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// Runs pg_dump (found on PATH) into `file`; waits for it.
    public func run(into file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) {
        let manual = manualCommand(file: file)
        guard let program = Self.locate(path: environment["PATH"]) else {
            throw Failure(description: "pg_dump was not found on PATH: install Debian's PostgreSQL client (apt-get install postgresql-client), "
                          + "or run yourself: \(manual)")
        }
        var childEnvironment = environment
        childEnvironment["PGPASSWORD"] = configuration.password
        if configuration.requiresTLS { childEnvironment["PGSSLMODE"] = "require" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments(file: file)
        process.environment = childEnvironment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(description: "pg_dump could not be started (\(error.localizedDescription)); run yourself: \(manual)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: file)
            let detail = message.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "pg_dump failed (exit \(process.terminationStatus))"
                          + (detail.isEmpty ? "" : ": \(detail)") + ". Once the cause is fixed, run: \(manual)")
        }
    }
}
