import ArgumentParser
import Foundation
import KiosqueConfig
import KiosqueIdentity
import KiosqueWeb
import Logging
import ServiceLifecycle

/// `kiosque directory sync [--dry-run]`: accounts gone from the directory are disabled, the
/// others get their name, e-mail and groups refreshed; one line per change.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "directory", abstract: "The organisation's directory (auth.ldap).",
                                                    subcommands: [Sync.self])

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Disable accounts gone from the directory; refresh names, e-mails and groups.",
            discussion: "Prints one line per change. With --dry-run, prints what would change and writes nothing.")
        @OptionGroup var locations: LocationOptions
        @Flag(name: .customLong("dry-run"), help: "Print the changes without making them.") var dryRun = false

        func run() async throws {
            let configuration = try locations.loadConfiguration()
            let services = try await Services.open(locations, configuration: configuration)
            guard let accounts = try services.directoryAccounts() else {
                throw CLIFailure.user("\(locations.configPath) has no `auth.ldap` section")
            }
            let changes: [DirectoryAccounts.SyncChange]
            do { changes = try await accounts.sync(dryRun: dryRun) } catch let error as DirectoryError {
                throw CLIFailure.user("the directory did not answer: \(error.reason)")
            }
            for change in changes { print((dryRun ? "would change " : "") + change.description) }
            print(changes.isEmpty ? "nothing to change" : "\(changes.count) change(s)\(dryRun ? " (dry run: nothing written)" : "")")
        }
    }
}

extension Services {
    /// The directory accounts of `auth.ldap`, nil without one; a missing service password is a user error.
    func directoryAccounts() throws -> DirectoryAccounts? {
        let settings: DirectorySettings?
        do { settings = try DirectorySetup.settings(from: configuration) } catch { throw CLIFailure.user("\(error)") }
        return settings.map {
            DirectoryAccounts(client: DirectoryClient(settings: $0), store: store, defaultLanguage: configuration.portal.language,
                              defaultDigest: configuration.mail.defaultDigest)
        }
    }
}

/// The directory sync of `kiosque serve`: a minute after start, then every `auth.ldap.sync_interval`.
struct DirectorySyncService: Service {
    let accounts: DirectoryAccounts
    let interval: TimeInterval
    let logger: Logger

    func run() async throws {
        var wait: TimeInterval = min(60, interval)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
            } catch {
                break
            }
            wait = interval
            do {
                let changes = try await accounts.sync()
                for change in changes { logger.info("directory sync", metadata: ["change": "\(change)"]) }
                logger.info("directory sync done", metadata: ["changes": "\(changes.count)"])
            } catch {
                logger.error("directory sync failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
