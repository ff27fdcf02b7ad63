import ArgumentParser
import Foundation
import KiosqueConfig

/// `kiosque reload`: validate channels.yml, then ask the running portal to take it (SIGHUP).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Validate the configuration and make the running portal reload it.",
        discussion: "A file with errors is refused here and the running portal keeps its configuration."
    )

    @OptionGroup var locations: LocationOptions

    func run() throws {
        _ = try locations.loadConfiguration()  // refuses a broken file with its errors, before touching the server
        guard let pid = PIDFile.read(locations.pidPath) else {
            throw CLIFailure.user("no running portal found (\(locations.pidPath) is missing); is `kiosque serve` running with this --data-dir?")
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw CLIFailure.user("the portal (process \(pid)) cannot be signalled: \(String(cString: strerror(errno)))")
        }
        print("Configuration \(locations.configPath) is valid; the portal (process \(pid)) is reloading it.")
    }
}
