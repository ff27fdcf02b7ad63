import ArgumentParser
import Foundation
import KiosqueDocuments
import KiosqueStore
import KiosqueStorePostgres

/// `kiosque migrate-store --to postgres://…`: moves the SQLite portal of the data folder into PostgreSQL.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the SQLite portal of the data folder into a PostgreSQL database, then verify the counts.",
        discussion: """
        Everything is copied (accounts, sessions, subscriptions, read states, items, documents' records, announcements,
        mail outbox, fetch health…); the documents' files stay in the data folder, which the instances share.
        Stop `kiosque serve` first. If the copy stops half-way, run the same command again: it finishes the job.
        The password comes from --password-env, --password-file or KIOSQUE_DB_PASSWORD, never from the address.
        """
    )

    @OptionGroup var locations: LocationOptions

    @Option(name: .customLong("to"), help: ArgumentHelp("The PostgreSQL database, e.g. postgres://kiosque@db.ville.local:5432/kiosque (without password).", valueName: "url"))
    var target: String

    @Option(name: .customLong("password-env"), help: ArgumentHelp("The environment variable holding the database password (default KIOSQUE_DB_PASSWORD).", valueName: "name"))
    var passwordEnvironment: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("A file holding the database password.", valueName: "file"))
    var passwordFile: String?

    @Flag(help: "Replace whatever the target database holds (another portal, or one already in use) with this portal.")
    var force = false

    func run() async throws {
        let configuration = try postgresConfiguration()
        guard FileManager.default.fileExists(atPath: locations.databasePath) else {
            throw CLIFailure.user("no SQLite portal at \(locations.databasePath) (see --data-dir)")
        }
        if let pid = PIDFile.read(locations.pidPath), kill(pid, 0) == 0 {
            Terminal.error("warning: kiosque serve (pid \(pid)) runs on this portal: what it writes from now on will not be copied; stop it first")
        }
        let database: AppDatabase
        let source: any StoreCopySource
        do {
            database = try AppDatabase.open(path: locations.databasePath)
            source = try database.copySource()
        } catch {
            throw CLIFailure.user("cannot open the SQLite portal: \(error)")
        }
        let portal = SharedDataFolder.portalFingerprint(dataDirectory: locations.dataPath)
            ?? "sqlite:" + URL(fileURLWithPath: locations.databasePath).standardizedFileURL.path
        let store: PostgresStore
        do { store = try PostgresStore(configuration: configuration) } catch {
            throw CLIFailure.user("cannot prepare the connection to \(configuration.redactedURL): \(error)")
        }
        let running = Task { try await store.run() }
        defer { running.cancel() }
        print("Copying \(locations.databasePath) into \(configuration.redactedURL)…")
        let report: StoreCopyReport
        do {
            report = try await store.copy(from: source, portal: portal, force: force) { table, rows in
                if rows > 0 { print("  copied \(table): \(rows) row(s)") }
            }
        } catch {
            switch error {
            case .otherPortal, .targetNewer, .sourceUnknown, .busy, .unreachable: throw CLIFailure.user(error.description)
            default: throw CLIFailure.internal(error.description)
            }
        }
        if report.alreadyComplete {
            print("\(configuration.redactedURL) already holds a complete copy of this portal; nothing was copied (--force copies it again).")
        } else if report.resumed {
            print("An interrupted copy was finished (tables copied before were kept).")
        }
        print(Self.table(report.tables))
        let rows = report.tables.reduce(0) { $0 + $1.target }
        let differing = report.tables.filter { $0.source != $0.target }
        if differing.isEmpty {
            let omitted = report.sourceOnly.isEmpty ? "." : " (SQLite's own index tables not copied: \(report.sourceOnly.joined(separator: ", ")))."
            print("Counts match: \(report.tables.count) tables, \(rows) rows. Full-text search vectors were built by PostgreSQL" + omitted)
        } else if !report.alreadyComplete {
            throw CLIFailure.internal("counts differ for \(differing.map(\.table).joined(separator: ", "))")
        } else {
            print("Counts now differ for \(differing.map(\.table).joined(separator: ", ")): the PostgreSQL portal has been used since the copy.")
        }
        print("Next: set `storage: { url: \"\(configuration.redactedURL)\", password_env: KIOSQUE_DB_PASSWORD }` in channels.yml and start kiosque serve; "
              + "the documents stay in \(locations.documentsPath).")
    }

    /// The target from --to, with its password from the options or KIOSQUE_DB_PASSWORD.
    func postgresConfiguration() throws -> PostgresStoreConfiguration {
        if let components = URLComponents(string: target), components.password != nil {
            throw CLIFailure.user("--to must not contain the password (it would show in the process list): use --password-env, --password-file or KIOSQUE_DB_PASSWORD")
        }
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CLIFailure.user("cannot read the password file \(passwordFile)")
            }
            password = text.trimmingCharacters(in: .newlines)
        } else {
            let name = passwordEnvironment ?? "KIOSQUE_DB_PASSWORD"
            password = ProcessInfo.processInfo.environment[name]
            if passwordEnvironment != nil && password == nil { throw CLIFailure.user("the environment variable \(name) is not set") }
        }
        do {
            return try PostgresStoreConfiguration.parse(url: target, password: password, poolSize: 2)
        } catch {
            throw CLIFailure.user("--to: \(error)")
        }
    }

    /// The counts, one table a line.
    static func table(_ counts: [CopiedTableCount]) -> String {
        let width = max(24, (counts.map(\.table.count).max() ?? 0) + 2)
        func pad(_ text: String, _ size: Int, left: Bool = false) -> String {
            let space = String(repeating: " ", count: max(0, size - text.count))
            return left ? text + space : space + text
        }
        var lines = [pad("table", width, left: true) + pad("SQLite", 10) + pad("PostgreSQL", 12)]
        for count in counts {
            lines.append(pad(count.table, width, left: true) + pad(String(count.source), 10) + pad(String(count.target), 12)
                         + (count.source == count.target ? "" : "  ≠"))
        }
        return lines.joined(separator: "\n")
    }
}
