import ArgumentParser
import Foundation
import KiosqueConfig

/// The options every data-touching subcommand shares, with environment fallbacks.
struct LocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The portal's configuration file (env KIOSQUE_CONFIG).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("What must be backed up: database and documents (env KIOSQUE_DATA_DIR).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Downloaded feeds and validators, disposable (env KIOSQUE_CACHE_DIR).", valueName: "dir"))
    var cacheDir: String?

    var configPath: String { config ?? env("KIOSQUE_CONFIG") ?? "channels.yml" }
    var dataPath: String { dataDir ?? env("KIOSQUE_DATA_DIR") ?? "data" }
    var cachePath: String { cacheDir ?? env("KIOSQUE_CACHE_DIR") ?? "cache" }
    var databasePath: String { (dataPath as NSString).appendingPathComponent("kiosque.sqlite") }
    var documentsPath: String { (dataPath as NSString).appendingPathComponent("documents") }
    /// In the cache folder, which is each machine's own: instances on PostgreSQL share the data folder.
    var pidPath: String { (cachePath as NSString).appendingPathComponent("kiosque.pid") }

    private func env(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    /// Loads and validates the configuration; warnings go to stderr, errors become a user failure.
    func loadConfiguration(printWarnings: Bool = true) throws -> PortalConfiguration {
        do {
            let (configuration, warnings) = try ConfigLoader.load(path: configPath)
            if printWarnings { warnings.forEach { Terminal.error($0.description) } }
            return configuration
        } catch {
            error.diagnostics.forEach { Terminal.error($0.description) }
            throw CLIFailure.user("\(configPath): \(error.errors.count) error(s) in the configuration; nothing was started")
        }
    }

    /// The configuration only when one was named (`--config` or KIOSQUE_CONFIG): commands that can
    /// work without one (parse, sanitize) never read a channels.yml that happens to be nearby.
    func namedConfiguration() throws -> PortalConfiguration? {
        guard config != nil || env("KIOSQUE_CONFIG") != nil else { return nil }
        return try loadConfiguration(printWarnings: false)
    }

    /// Creates the data and cache folders if missing; a folder that cannot be created is a user error.
    func prepareDirectories() throws {
        for path in [dataPath, documentsPath, cachePath] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw CLIFailure.user("cannot create the folder \(path): \(error.localizedDescription)")
            }
        }
    }
}
