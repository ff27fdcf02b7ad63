import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueIdentity
import KiosqueRefresh

/// What a session keeps of an OpenID Connect sign-in: the provider and the id_token, sent back as
/// `id_token_hint` when the agent signs out.
struct OIDCSessionLink: Codable, Sendable, Hashable {
    var provider: String
    var idToken: String
}

/// Reads `auth.oidc` into the clients' settings, resolving each client secret.
enum OIDCSetup {
    /// A client secret named in channels.yml that cannot be read.
    struct MissingSecret: Error, CustomStringConvertible {
        var description: String
    }

    /// The providers' settings, in channels.yml order; throws when a secret cannot be read.
    static func settings(from configuration: PortalConfiguration,
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [OIDCProviderSettings] {
        let folder = (configuration.filePath as NSString).deletingLastPathComponent
        return try configuration.auth.oidc.map { provider in
            let secret: String
            switch provider.clientSecret {
            case .environment(let name)?:
                guard let value = environment[name], !value.isEmpty else {
                    throw MissingSecret(description: "auth.oidc `\(provider.id)`: client_secret_env: the environment variable \(name) is not set")
                }
                secret = value
            case .file(let path)?:
                let resolved = path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
                guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else {
                    throw MissingSecret(description: "auth.oidc `\(provider.id)`: client_secret_file: cannot read \(resolved)")
                }
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case nil:
                throw MissingSecret(description: "auth.oidc `\(provider.id)`: no client secret")
            }
            return OIDCProviderSettings(
                id: provider.id, title: provider.title, issuer: provider.issuer, clientID: provider.clientID, clientSecret: secret,
                scopes: provider.scopes,
                claims: .init(login: provider.loginClaim, name: provider.nameClaim, email: provider.emailClaim, groups: provider.groupsClaim),
                acrValues: provider.acrValues, acrAsClaimsRequest: provider.isProConnect, mfaACRValues: provider.mfaACRValues,
                isProConnect: provider.isProConnect)
        }
    }

    /// The libcurl engine for the providers: the feeds' proxy and limits, a shorter timeout (an agent waits).
    static func engine(for configuration: PortalConfiguration) -> HTTPEngine {
        var settings = RefreshPipeline.fetchSettings(for: configuration)
        settings.timeout = min(settings.timeout, 15)
        settings.maxBytes = 1 << 20
        settings.concurrency = 4
        return HTTPEngine(settings: settings)
    }
}
