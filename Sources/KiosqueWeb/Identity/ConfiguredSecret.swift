import Foundation
import KiosqueConfig
import KiosqueModel

/// A secret that channels.yml names but never holds (`…_env: VARIABLE` or `…_file: path`), read at
/// start-up: the directory's service password and the OpenID providers' client secrets.
enum ConfiguredSecret {
    /// `path` as written in channels.yml: absolute, or relative to the folder of channels.yml.
    static func path(_ path: String, in configuration: PortalConfiguration) -> String {
        let folder = (configuration.filePath as NSString).deletingLastPathComponent
        return path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
    }

    /// The secret behind `reference` (a file's final newlines dropped), nil without a reference;
    /// throws `MissingSecret` saying, after `label(envKey or fileKey)`, what could not be read.
    static func read(_ reference: SecretReference?, envKey: String, fileKey: String, label: (String) -> String,
                     configuration: PortalConfiguration, environment: [String: String]) throws -> String? {
        switch reference {
        case .environment(let name)?:
            guard let value = environment[name], !value.isEmpty else {
                throw MissingSecret(description: "\(label(envKey)): the environment variable \(name) is not set")
            }
            return value
        case .file(let file)?:
            let resolved = path(file, in: configuration)
            guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else {
                throw MissingSecret(description: "\(label(fileKey)): cannot read \(resolved)")
            }
            return text.trimmingCharacters(in: .newlines)
        case nil:
            return nil
        }
    }
}

/// A secret named in channels.yml that cannot be read.
public struct MissingSecret: Error, CustomStringConvertible {
    /// What is missing.
    public var description: String
}
