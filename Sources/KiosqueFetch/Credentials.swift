import Foundation
import KiosqueModel

/// A source's credentials with the secret read: lives only for one transfer, never printed.
enum ResolvedCredentials: Sendable, CustomStringConvertible {
    case basic(user: String, password: String)
    case header(name: String, value: String)
    case cookie(String)

    /// Redacted on purpose: a stray print or log line must not reveal a secret.
    var description: String {
        switch self {
        case .basic(let user, _): "basic(user: \(user), password: <redacted>)"
        case .header(let name, _): "header(\(name): <redacted>)"
        case .cookie: "cookie(<redacted>)"
        }
    }

    /// Reads the secret behind `credentials` now (so a rotated secret is picked up on the next fetch).
    /// Failures name the variable or file, never its content.
    static func resolve(_ credentials: SourceCredentials, sourceID: String,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<ResolvedCredentials, FetchFailure> {
        func secret(_ reference: SecretReference) -> Result<String, FetchFailure> {
            switch reference {
            case .environment(let name):
                guard let value = environment[name], !value.isEmpty else {
                    return .failure(FetchFailure(.credentials,
                        "the environment variable \(name) holding source \(sourceID)'s secret is not set"))
                }
                return .success(value)
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    return .failure(FetchFailure(.credentials,
                        "the secret file \(path) for source \(sourceID) cannot be read"))
                }
                // Secret files usually end with a newline an editor added: it is not part of the secret.
                let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
                guard !value.isEmpty else {
                    return .failure(FetchFailure(.credentials, "the secret file \(path) for source \(sourceID) is empty"))
                }
                return .success(value)
            }
        }
        func headerSafe(_ value: String, what: String) -> Result<String, FetchFailure> {
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
                return .failure(FetchFailure(.credentials, "the \(what) for source \(sourceID) contains a line break or control character"))
            }
            return .success(value)
        }
        switch credentials {
        case .basic(let user, let password):
            return secret(password).map { .basic(user: user, password: $0) }
        case .header(let name, let value):
            let token = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0 != ":" && $0.value != 0x7F }
            guard token, !name.isEmpty else {
                return .failure(FetchFailure(.credentials, "the header name '\(name)' for source \(sourceID) is not a valid HTTP header name"))
            }
            return secret(value).flatMap { headerSafe($0, what: "header \(name)'s secret") }.map { .header(name: name, value: $0) }
        case .cookie(let reference):
            return secret(reference).flatMap { headerSafe($0, what: "cookie secret") }.map { .cookie($0) }
        }
    }
}
