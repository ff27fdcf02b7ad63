import Foundation
import KiosqueModel
import Yams

/// Reads and validates channels.yml. Every problem is reported with file, line and column;
/// warnings never stop the portal, errors do.
public enum ConfigLoader {
    /// The configuration and its warnings, or a `ConfigError` listing every error and warning.
    public static func load(path: String) throws(ConfigError) -> (PortalConfiguration, [ConfigDiagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check permissions)" : "does not exist"
            throw ConfigError(diagnostics: [ConfigDiagnostic(.error, file: path, at: nil, "the configuration file \(reason)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(diagnostics: [ConfigDiagnostic(.error, file: path, at: nil, "the file is not valid UTF-8 text; save it as UTF-8")])
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` is only used in messages and for relative paths.
    public static func parse(_ text: String, file: String = "channels.yml") throws(ConfigError) -> (PortalConfiguration, [ConfigDiagnostic]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(diagnostics: [yamlDiagnostic(error, file: file)])
        }
        let reader = NodeReader(file: file)
        var config = PortalConfiguration()
        config.filePath = file
        if let root {
            SectionReader(reader: reader).read(root, into: &config)
        } else {
            reader.error(nil, "the file is empty: it must declare at least `sources`, `channels` and `bouquets`")
        }
        CatalogValidator(reader: reader).validate(config)
        let diagnostics = reader.diagnostics.sorted { ($0.location ?? .init(line: 0, column: 0)) < ($1.location ?? .init(line: 0, column: 0)) }
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw ConfigError(diagnostics: diagnostics)
        }
        return (config, diagnostics)
    }

    /// Turns a YAML syntax error into a diagnostic with its place.
    static func yamlDiagnostic(_ error: any Error, file: String) -> ConfigDiagnostic {
        guard let yamlError = error as? YamlError else {
            return ConfigDiagnostic(.error, file: file, at: nil, "YAML error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigDiagnostic(.error, file: file, at: SourceLocation(line: mark.line, column: mark.column), message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigDiagnostic(.error, file: file, at: SourceLocation(line: context.mark.line, column: context.mark.column),
                                    "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in the same mapping")
        case .reader(let problem, _, _, _):
            return ConfigDiagnostic(.error, file: file, at: nil, "the file cannot be read as YAML: \(problem)")
        default:
            return ConfigDiagnostic(.error, file: file, at: nil, "YAML error: \(yamlError)")
        }
    }
}
