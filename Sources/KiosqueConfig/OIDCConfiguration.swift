public import Foundation
public import KiosqueModel
import Yams

extension PortalConfiguration {
    /// One entry of `auth.oidc:`: an OpenID provider agents may sign in with (issue 14).
    public struct OIDCProvider: Sendable, Hashable {
        /// The id, in the callback path `/connexion/oidc/{id}/retour`.
        public var id = ""
        /// The button's label.
        public var title = ""
        /// The issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`).
        public var issuer = ""
        /// The portal's client id at the provider.
        public var clientID = ""
        /// Where the client secret is read from (never written in channels.yml).
        public var clientSecret: SecretReference?
        /// The scopes asked for (`openid` is always sent).
        public var scopes: [String] = ["openid", "profile", "email"]
        /// The claim holding the login.
        public var loginClaim = "preferred_username"
        /// The claim(s) holding the name; several separated by spaces are joined (`given_name usual_name`).
        public var nameClaim = "name"
        /// The claim holding the e-mail.
        public var emailClaim = "email"
        /// The claim holding the groups, if the provider sends one.
        public var groupsClaim: String?
        /// The authentication levels asked for; a weaker `acr` is refused.
        public var acrValues: [String] = []
        /// The `acr` values that mean the provider checked a second factor (no TOTP asked then).
        public var mfaACRValues: [String] = []
        /// `proconnect`: ProConnect's scopes, claims, level and button.
        public var preset: String?
        public init() {}

        /// Whether this is ProConnect.
        public var isProConnect: Bool { preset == "proconnect" }
    }
}

/// Reads `auth.oidc`, a list of providers, with line:column diagnostics like the rest of the file.
struct OIDCSectionReader {
    let reader: NodeReader
    /// The process environment, to warn about a secret variable that is named but not set.
    var environment: [String: String] = ProcessInfo.processInfo.environment

    static let keys = ["id", "title", "issuer", "client_id", "client_secret_env", "client_secret_file", "client_secret", "scopes",
                       "claims", "acr_values", "mfa_acr_values", "preset"]

    func read(_ node: Node) -> [PortalConfiguration.OIDCProvider] {
        guard let entries = reader.list(node, field: "auth.oidc") else { return [] }
        var seen: [String: Node] = [:]
        var providers: [PortalConfiguration.OIDCProvider] = []
        for entry in entries {
            guard let p = provider(entry) else { continue }
            if let first = seen[p.id] {
                let line = reader.location(first).map { " (first declared at line \($0.line))" } ?? ""
                reader.error(entry, "duplicate `auth.oidc` id `\(p.id)`\(line)")
                continue
            }
            seen[p.id] = entry
            providers.append(p)
        }
        return providers
    }

    private func provider(_ node: Node) -> PortalConfiguration.OIDCProvider? {
        guard let f = reader.fields(node, in: "auth.oidc entry", allowed: Self.keys) else { return nil }
        var p = PortalConfiguration.OIDCProvider()
        if let v = f["preset"], let s = reader.nonEmptyString(v, field: "auth.oidc.preset") {
            if s == "proconnect" {
                p.preset = s
                p.title = "ProConnect"
                p.scopes = ["openid", "email", "given_name", "usual_name", "uid", "siret", "organizational_unit"]
                p.loginClaim = "uid"
                p.nameClaim = "given_name usual_name"
                p.groupsClaim = "organizational_unit"
                p.acrValues = ["eidas1"]
                p.mfaACRValues = ["eidas2", "eidas3", "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
                                  "https://proconnect.gouv.fr/assurance/consistency-checked-2fa"]
            } else {
                reader.error(v, "`auth.oidc.preset` must be proconnect (or be left out for a generic provider), found `\(s)`")
            }
        }
        if let v = f["id"], let s = reader.nonEmptyString(v, field: "auth.oidc.id") {
            if URLRules.slug(s) { p.id = s } else {
                reader.error(v, "`auth.oidc.id` must be lowercase letters, digits, - or _ (it is part of the address /connexion/oidc/{id}/retour), found `\(s)`")
            }
        } else if f["id"] == nil {
            reader.error(node, "an `auth.oidc` entry needs `id` (e.g. proconnect, keycloak)")
        }
        if let v = f["title"], let s = reader.nonEmptyString(v, field: "auth.oidc.title") { p.title = s }
        if p.title.isEmpty { p.title = p.id }
        let context = p.id.isEmpty ? "auth.oidc" : "auth.oidc `\(p.id)`"
        if let v = f["issuer"], let s = reader.nonEmptyString(v, field: "auth.oidc.issuer") {
            if Self.acceptableIssuer(s) { p.issuer = s } else {
                reader.error(v, "\(context): `issuer` must be an https address such as https://auth.agentconnect.gouv.fr/api/v2 (plain http only to this machine), found `\(s)`")
            }
        } else if f["issuer"] == nil {
            reader.error(node, "\(context) needs `issuer` (the provider's address, whose /.well-known/openid-configuration describes it)")
        }
        if let v = f["client_id"], let s = reader.nonEmptyString(v, field: "auth.oidc.client_id") { p.clientID = s } else if f["client_id"] == nil {
            reader.error(node, "\(context) needs `client_id` (the portal's identifier at the provider)")
        }
        if f["client_secret"] != nil {
            reader.error(f.values["client_secret"]?.key, "\(context): never write the client secret in channels.yml; use `client_secret_env: VARIABLE` or `client_secret_file: /path/to/secret`")
        }
        p.clientSecret = secret(f, context: context)
        if p.clientSecret == nil && f["client_secret"] == nil {
            reader.error(node, "\(context) needs `client_secret_env` or `client_secret_file`")
        }
        if let v = f["scopes"], let l = reader.stringList(v, field: "auth.oidc.scopes") {
            for (element, scope) in zip(reader.list(v, field: "auth.oidc.scopes") ?? [], l) where !Self.token(scope) {
                reader.error(element, "\(context): scope `\(scope)` must be one word without spaces or quotes")
            }
            p.scopes = l
        }
        if let v = f["claims"] { readClaims(v, into: &p, context: context) }
        if let v = f["acr_values"], let l = reader.stringList(v, field: "auth.oidc.acr_values") { p.acrValues = l }
        if let v = f["mfa_acr_values"], let l = reader.stringList(v, field: "auth.oidc.mfa_acr_values") { p.mfaACRValues = l }
        return p
    }

    private func readClaims(_ node: Node, into p: inout PortalConfiguration.OIDCProvider, context: String) {
        guard let f = reader.fields(node, in: "\(context) claims", allowed: ["login", "name", "email", "groups"]) else { return }
        func claim(_ key: String) -> String? {
            guard let v = f[key], let s = reader.nonEmptyString(v, field: "auth.oidc.claims.\(key)") else { return nil }
            let words = s.split(separator: " ").map(String.init)
            guard !words.isEmpty, words.allSatisfy(Self.token), key == "name" || words.count == 1 else {
                reader.error(v, "\(context): `claims.\(key)` must be a claim name such as preferred_username, found `\(s)`")
                return nil
            }
            return s
        }
        if let s = claim("login") { p.loginClaim = s }
        if let s = claim("name") { p.nameClaim = s }
        if let s = claim("email") { p.emailClaim = s }
        if let s = claim("groups") { p.groupsClaim = s }
    }

    private func secret(_ f: Fields, context: String) -> SecretReference? {
        reader.secretReference(f, envKey: "client_secret_env", fileKey: "client_secret_file", field: "auth.oidc",
                               label: { "\(context): `\($0)`" }, example: "KIOSQUE_OIDC_SECRET",
                               consequence: "the provider will refuse the portal without it", environment: environment)
    }

    /// https with a host and no credentials; plain http only to loopback.
    static func acceptableIssuer(_ s: String) -> Bool {
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty,
              c.user == nil, c.password == nil, c.query == nil, c.fragment == nil else { return false }
        return scheme == "https" || (scheme == "http" && DirectorySectionReader.isLoopback(host))
    }

    /// A scope or claim name: printable ASCII without spaces, quotes or backslashes.
    static func token(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
    }
}
