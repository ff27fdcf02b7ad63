import ArgumentParser
import Foundation
import KiosqueConfig

/// `kiosque check`: validate channels.yml and print every error and warning with its place.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration file and print its errors and warnings (exit 1 on errors)."
    )

    @OptionGroup var locations: LocationOptions

    @Argument(help: ArgumentHelp("The file to check (default: --config, KIOSQUE_CONFIG or channels.yml).", valueName: "file"))
    var file: String?

    /// The database address with its password (allowed in KIOSQUE_DATABASE_URL) masked.
    static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    func run() throws {
        let path = file ?? locations.configPath
        do {
            let (configuration, warnings) = try ConfigLoader.load(path: path)
            warnings.forEach { print($0.description) }
            let catalog = configuration.catalog
            print("\(path): OK — \(catalog.sources.count) sources, \(catalog.channels.count) channels, "
                  + "\(catalog.bouquets.count) bouquets, \(catalog.departments.count) departments"
                  + (warnings.isEmpty ? "" : ", \(warnings.count) warning(s)"))
            if let url = configuration.storage.url {
                let origin = configuration.storage.urlFromEnvironment ? "KIOSQUE_DATABASE_URL" : "storage.url"
                print("storage: PostgreSQL from \(origin) (\(Self.withoutPassword(url)), pool \(configuration.storage.pool))")
            } else {
                print("storage: SQLite under the data folder")
            }
        } catch {
            error.diagnostics.forEach { print($0.description) }
            throw CLIFailure.user("\(path): \(error.errors.count) error(s)")
        }
    }
}
