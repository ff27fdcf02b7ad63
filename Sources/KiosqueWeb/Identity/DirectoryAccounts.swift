public import Foundation
public import KiosqueConfig
public import KiosqueIdentity
public import KiosqueStoreContract

/// Agents known through the organisation's directory: created at their first sign-in (default
/// bouquets, bouquets and departments of their groups, through the same matching as the proxy's
/// groups header), refreshed at each sign-in and by `sync`, disabled once the directory no longer
/// holds them.
public struct DirectoryAccounts: Sendable {
    /// The directory.
    public let client: DirectoryClient
    let store: any PortalStore
    let defaultLanguage: String
    let defaultDigest: String

    /// Accounts of `store` kept from `client`'s directory.
    public init(client: DirectoryClient, store: any PortalStore, defaultLanguage: String = "fr", defaultDigest: String = "never") {
        self.client = client
        self.store = store
        self.defaultLanguage = defaultLanguage
        self.defaultDigest = defaultDigest
    }

    /// Why a directory sign-in did not open a session.
    enum Refusal: Error {
        case directory(DirectoryError)
        /// An administrator disabled the account in Kiosque.
        case disabledHere(UserAccount)
        /// The login belongs to a local (password) account, which the directory does not take over.
        case localAccount

        var reason: String {
            switch self {
            case .directory(let error): error.reason
            case .disabledHere: "account disabled in Kiosque"
            case .localAccount: "local account"
            }
        }
    }

    /// Checks the password against the directory, then creates or refreshes the account.
    func signIn(login: String, password: String) async throws -> Result<UserAccount, Refusal> {
        let person: DirectoryPerson
        do { person = try await client.authenticate(login: login, password: password) } catch { return .failure(.directory(error)) }
        let existing = try await store.user(login: person.login)
        if let existing, existing.passwordHash != nil { return .failure(.localAccount) }
        var link: DirectoryLink?
        if let existing { link = try await store.directoryLink(userID: existing.id) }
        if let existing, existing.isDisabled, link?.disabledBySync != true { return .failure(.disabledHere(existing)) }
        return .success(try await provision(person, existing: existing, link: link))
    }

    /// Creates the account of a person met for the first time, or brings an existing one up to date.
    private func provision(_ person: DirectoryPerson, existing: UserAccount?, link: DirectoryLink?) async throws -> UserAccount {
        let identity = SingleSignOn.Identity(login: person.login, name: person.name, email: person.email, groups: person.groups)
        let agent = try await SingleSignOn(store: store).agent(for: identity, defaultLanguage: defaultLanguage, defaultDigest: defaultDigest)
        // A first directory sign-in (new, or an account made by the proxy) follows no earlier groups.
        try await store.followDirectoryGroups(userID: agent.id, previous: link?.groups ?? person.groups, current: person.groups)
        try await store.confirmDirectoryAccount(userID: agent.id, dn: person.dn, groups: person.groups)
        return try await store.user(id: agent.id) ?? agent
    }

    /// What one sync changed (or would change, with `dryRun`).
    public struct SyncChange: Sendable, Hashable, CustomStringConvertible {
        /// The account's login.
        public var login: String
        /// "disabled", "name", "email", "groups".
        public var what: String
        /// A readable detail: old → new.
        public var detail: String
        /// "alice: name Alice → Alice Martin".
        public var description: String { "\(login): \(what) \(detail)" }
    }

    /// Reads every directory account from the directory: those it no longer returns are disabled,
    /// the others get their name, e-mail and groups refreshed. Nothing is written with `dryRun`.
    public func sync(dryRun: Bool = false) async throws -> [SyncChange] {
        let accounts = try await store.directoryAccounts()
        let found = try await client.people(logins: accounts.map(\.account.login))
        var changes: [SyncChange] = []
        for (account, link) in accounts {
            guard let person = found[account.login] ?? nil else {
                if !account.isDisabled {
                    changes.append(SyncChange(login: account.login, what: "disabled", detail: "(gone from the directory)"))
                    if !dryRun { try await store.disableGoneDirectoryAccount(userID: account.id) }
                }
                continue
            }
            var personal: [SyncChange] = []
            if let name = person.name, name != account.name {
                personal.append(SyncChange(login: account.login, what: "name", detail: "\(account.name) → \(name)"))
            }
            if let email = person.email, email != account.email {
                personal.append(SyncChange(login: account.login, what: "email", detail: "\(account.email ?? "—") → \(email)"))
            }
            if Set(person.groups.map { $0.lowercased() }) != Set(link.groups.map { $0.lowercased() }) {
                personal.append(SyncChange(login: account.login, what: "groups",
                                           detail: "\(link.groups.joined(separator: "; ")) → \(person.groups.joined(separator: "; "))"))
            }
            changes += personal
            guard !dryRun else { continue }
            if account.isDisabled && !link.disabledBySync {
                // Disabled by an administrator: refreshed, never enabled by the sync.
                try await store.confirmDirectoryAccount(userID: account.id, dn: person.dn, groups: person.groups)
                continue
            }
            if !personal.isEmpty || account.isDisabled {
                _ = try await provision(person, existing: account, link: link)
            } else {
                try await store.confirmDirectoryAccount(userID: account.id, dn: person.dn, groups: person.groups)
            }
        }
        return changes
    }
}

/// Reads `auth.ldap` into the directory client's settings, resolving the service password.
public enum DirectorySetup {
    /// The settings, nil when `auth.ldap` is absent; throws when the password cannot be read.
    public static func settings(from configuration: PortalConfiguration,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DirectorySettings? {
        guard let ldap = configuration.auth.ldap else { return nil }
        var settings = DirectorySettings(url: ldap.url, baseDN: ldap.baseDN)
        settings.bindDN = ldap.bindDN
        settings.bindPassword = try ConfiguredSecret.read(ldap.bindPassword, envKey: "bind_password_env", fileKey: "bind_password_file",
                                                          label: { "auth.ldap.\($0)" }, configuration: configuration, environment: environment)
        settings.userFilter = ldap.userFilter
        settings.attributes.login = ldap.loginAttribute
        settings.attributes.name = ldap.nameAttribute
        settings.attributes.email = ldap.emailAttribute
        settings.attributes.groups = ldap.groupsAttribute
        settings.groupBaseDN = ldap.groupBaseDN
        settings.startTLS = ldap.startTLS
        settings.caFile = ldap.caFile.map { ConfiguredSecret.path($0, in: configuration) }
        settings.connectTimeout = ldap.connectTimeout
        settings.timeout = ldap.timeout
        return settings
    }
}
