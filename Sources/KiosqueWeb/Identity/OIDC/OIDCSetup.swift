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
    /// The providers' settings, in channels.yml order; throws when a secret cannot be read.
    static func settings(from configuration: PortalConfiguration,
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [OIDCProviderSettings] {
        try configuration.auth.oidc.map { provider in
            guard let read = try ConfiguredSecret.read(provider.clientSecret, envKey: "client_secret_env", fileKey: "client_secret_file",
                                                       label: { "auth.oidc `\(provider.id)`: \($0)" }, configuration: configuration,
                                                       environment: environment) else {
                throw MissingSecret(description: "auth.oidc `\(provider.id)`: no client secret")
            }
            let secret = read.trimmingCharacters(in: .whitespacesAndNewlines)
            return OIDCProviderSettings(
                id: provider.id, title: provider.title, issuer: provider.issuer, clientID: provider.clientID, clientSecret: secret,
                scopes: provider.scopes,
                claims: .init(login: provider.loginClaim, name: provider.nameClaim, email: provider.emailClaim, groups: provider.groupsClaim),
                acrValues: provider.acrValues, mfaACRValues: provider.mfaACRValues,
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
