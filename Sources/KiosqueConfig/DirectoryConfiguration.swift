public import Foundation
public import KiosqueModel
import Yams

extension PortalConfiguration {
    /// The `auth.ldap:` section: sign-in against the organisation's directory (issue 14).
    public struct Directory: Sendable, Hashable {
        /// `ldaps://host[:port]` or `ldap://host[:port]`.
        public var url = ""
        /// The service account that searches people; nil searches anonymously.
        public var bindDN: String?
        /// Where the service account's password is read from (never written in channels.yml).
        public var bindPassword: SecretReference?
        /// Where people are searched (subtree).
        public var baseDN = ""
        /// The search filter; `{login}` is replaced by the typed login, escaped per RFC 4515.
        public var userFilter = "(&(objectClass=inetOrgPerson)(uid={login}))"
        /// The attribute holding the login.
        public var loginAttribute = "uid"
        /// The attribute holding the display name.
        public var nameAttribute = "displayName"
        /// The attribute holding the e-mail address.
        public var emailAttribute = "mail"
        /// The attribute listing the person's group DNs (`memberOf`); nil searches `groupOfNames` by `member`.
        public var groupsAttribute: String?
        /// Where `groupOfNames` entries are searched (defaults to the `dc=` suffix of `base_dn`).
        public var groupBaseDN: String?
        /// StartTLS on an `ldap://` URL.
        public var startTLS = false
        /// A PEM file of certificate authorities trusted for the directory (relative paths from the file).
        public var caFile: String?
        /// Plain `ldap://` to a host other than loopback, passwords in clear: only when set.
        public var allowInsecure = false
        /// Connection (TCP and TLS) timeout.
        public var connectTimeout: TimeInterval = 5
        /// Timeout of each bind or search.
        public var timeout: TimeInterval = 10
        /// How often `kiosque serve` refreshes directory accounts and disables those gone.
        public var syncInterval: TimeInterval = 86_400
        public init() {}
    }
}

/// Reads `auth.ldap`. Errors and warnings carry the line and column like the rest of the file.
struct DirectorySectionReader {
    let reader: NodeReader
    /// The process environment, to warn about a secret variable that is named but not set.
    var environment: [String: String] = ProcessInfo.processInfo.environment

    static let keys = ["url", "bind_dn", "bind_password_env", "bind_password_file", "base_dn", "user_filter", "attributes",
                       "group_base_dn", "start_tls", "ca_file", "allow_insecure", "connect_timeout", "timeout", "sync_interval",
                       "bind_password"]

    func read(_ node: Node) -> PortalConfiguration.Directory? {
        guard let f = reader.fields(node, in: "auth.ldap", allowed: Self.keys) else { return nil }
        var d = PortalConfiguration.Directory()
        var host: String?
        if let v = f["url"], let s = reader.nonEmptyString(v, field: "auth.ldap.url") {
            let c = URLComponents(string: s)
            if let scheme = c?.scheme?.lowercased(), ["ldap", "ldaps"].contains(scheme), let h = c?.host, !h.isEmpty,
               c?.user == nil, c?.password == nil, (c?.path ?? "").count <= 1 {
                d.url = s
                host = h
            } else {
                reader.error(v, "`auth.ldap.url` must be an address such as ldaps://annuaire.ville.local or ldap://annuaire.ville.local:389, found `\(s)`")
            }
        } else if f["url"] == nil {
            reader.error(node, "`auth.ldap` needs `url` (e.g. ldaps://annuaire.ville.local)")
        }
        if let v = f["bind_dn"] { d.bindDN = reader.nonEmptyString(v, field: "auth.ldap.bind_dn") }
        if f["bind_password"] != nil {
            reader.error(f.values["bind_password"]?.key, "never write the directory password in channels.yml; use `bind_password_env: VARIABLE` or `bind_password_file: /path/to/secret`")
        }
        d.bindPassword = secret(f)
        if d.bindDN != nil && d.bindPassword == nil && f["bind_password"] == nil {
            reader.error(f.values["bind_dn"]?.key, "`auth.ldap.bind_dn` needs `bind_password_env` or `bind_password_file`")
        }
        if let v = f["base_dn"], let s = reader.nonEmptyString(v, field: "auth.ldap.base_dn") { d.baseDN = s } else if f["base_dn"] == nil {
            reader.error(node, "`auth.ldap` needs `base_dn` (where agents are searched, e.g. ou=agents,dc=ville,dc=local)")
        }
        if let v = f["group_base_dn"] { d.groupBaseDN = reader.nonEmptyString(v, field: "auth.ldap.group_base_dn") }
        if let v = f["user_filter"], let s = reader.nonEmptyString(v, field: "auth.ldap.user_filter") {
            if s.hasPrefix("("), s.hasSuffix(")"), s.contains("{login}") { d.userFilter = s } else {
                reader.error(v, "`auth.ldap.user_filter` must be a filter in parentheses containing {login}, such as (&(objectClass=inetOrgPerson)(uid={login})), found `\(s)`")
            }
        }
        if let v = f["attributes"] { readAttributes(v, into: &d) }
        if let v = f["start_tls"], let b = reader.bool(v, field: "auth.ldap.start_tls") { d.startTLS = b }
        if let v = f["ca_file"] { d.caFile = reader.nonEmptyString(v, field: "auth.ldap.ca_file") }
        if let v = f["allow_insecure"], let b = reader.bool(v, field: "auth.ldap.allow_insecure") { d.allowInsecure = b }
        if let v = f["connect_timeout"], let t = reader.duration(v, field: "auth.ldap.connect_timeout") { d.connectTimeout = t }
        if let v = f["timeout"], let t = reader.duration(v, field: "auth.ldap.timeout") { d.timeout = t }
        if let v = f["sync_interval"], let t = reader.duration(v, field: "auth.ldap.sync_interval", minimum: 60) { d.syncInterval = t }
        let plain = d.url.lowercased().hasPrefix("ldap://")
        if !plain && d.startTLS && !d.url.isEmpty {
            reader.error(f.values["start_tls"]?.key, "`auth.ldap.start_tls` is for ldap:// addresses; ldaps:// is already encrypted")
        }
        if plain, !d.startTLS, let host, !Self.isLoopback(host) {
            if d.allowInsecure {
                reader.warning(f.values["allow_insecure"]?.key, "`auth.ldap`: plain ldap:// to \(host) without start_tls: agents' passwords cross the network in clear")
            } else {
                reader.error(f["url"], "`auth.ldap.url`: plain ldap:// to \(host) would send agents' passwords in clear; use ldaps://, `start_tls: true`, or `allow_insecure: true` if you must")
            }
        }
        return d
    }

    private func readAttributes(_ node: Node, into d: inout PortalConfiguration.Directory) {
        guard let f = reader.fields(node, in: "auth.ldap.attributes", allowed: ["login", "name", "email", "groups"]) else { return }
        func name(_ key: String) -> String? {
            guard let v = f[key], let s = reader.nonEmptyString(v, field: "auth.ldap.attributes.\(key)") else { return nil }
            guard s.range(of: "^[A-Za-z][A-Za-z0-9-]*$", options: .regularExpression) != nil else {
                reader.error(v, "`auth.ldap.attributes.\(key)` must be an attribute name such as uid or memberOf, found `\(s)`")
                return nil
            }
            return s
        }
        if let s = name("login") { d.loginAttribute = s }
        if let s = name("name") { d.nameAttribute = s }
        if let s = name("email") { d.emailAttribute = s }
        d.groupsAttribute = name("groups")
    }

    private func secret(_ f: Fields) -> SecretReference? {
        reader.secretReference(f, envKey: "bind_password_env", fileKey: "bind_password_file", field: "auth.ldap",
                               label: { "`auth.ldap.\($0)`" }, example: "KIOSQUE_LDAP_PASSWORD",
                               consequence: "the directory will refuse the service account without it", environment: environment)
    }

    /// 127.0.0.0/8, ::1 and localhost: the only hosts plain ldap:// may reach without `allow_insecure`.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}
