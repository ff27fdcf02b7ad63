import ArgumentParser
import Foundation
import KiosqueModel
import KiosqueWeb

/// The `kiosque` command: one executable, thin over the library modules.
struct Kiosque: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosque",
        abstract: "Kiosque — the intranet news portal: feeds in channels and bouquets, documents from services.",
        discussion: """
        Configuration, data and cache locations are shared by every subcommand and may also come from
        KIOSQUE_CONFIG, KIOSQUE_DATA_DIR and KIOSQUE_CACHE_DIR.
        Exit codes: 0 success, 1 user or input error, 2 internal failure.
        """,
        subcommands: [
            CheckCommand.self, ServeCommand.self, FetchCommand.self, ParseCommand.self, SanitizeCommand.self,
            SearchCommand.self, UserCommand.self, BackupCommand.self, ReloadCommand.self, ImportOPMLCommand.self,
            DocumentsCommand.self, DigestCommand.self, MailCommand.self, DirectoryCommand.self, MigrateStoreCommand.self,
        ]
    )
}

/// An error whose message is for the person at the terminal: printed on one line, no stack trace.
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32 = KiosqueExit.userError
    var description: String { message }

    static func user(_ message: String) -> CLIFailure { CLIFailure(message: message) }
    static func `internal`(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: KiosqueExit.internalFailure) }
}

/// Entry point that maps every outcome onto Kiosque's exit codes (ArgumentParser alone would use 64 for usage errors).
@main
enum KiosqueMain {
    static func main() async {
        // What kiosque writes (the database with password and token hashes, documents, cache,
        // backups) is for its own account and group, never for every local user.
        umask(0o027)
        // Every command: serve's threads and a digest run's 90 KB bodies alike fragment glibc's arenas.
        ServerMemory.limitMallocArenas()
        do {
            var command = try Kiosque.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            Terminal.error("kiosque: \(failure.message)")
            exit(failure.exitCode)
        } catch {
            let code = Kiosque.exitCode(for: error)
            let message = Kiosque.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(KiosqueExit.success)
            }
            if code == .validationFailure {
                Terminal.error(message)
                exit(KiosqueExit.userError)
            }
            if error is ExitCode {
                exit(code.rawValue == 1 ? KiosqueExit.userError : code.rawValue)
            }
            Terminal.error("kiosque: internal error: \(message)")
            exit(KiosqueExit.internalFailure)
        }
    }
}

/// Writing to the terminal's error stream.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
