public import Foundation

/// Signs agents in against the organisation's directory and reads who is still there. Each
/// operation opens its own connection (the library's handles are not shared between threads)
/// on a dedicated queue, off the server's event loops; libldap's network and operation timeouts
/// bound how long a dead directory can hold a sign-in.
public struct DirectoryClient: Sendable {
    /// The resolved settings.
    public let settings: DirectorySettings
    private static let queue = DispatchQueue(label: "kiosque.directory", qos: .userInitiated, attributes: .concurrent)
    /// At most this many entries are read for a login (two means "ambiguous").
    static let personLimit = 2

    /// A client for `settings`.
    public init(settings: DirectorySettings) {
        self.settings = settings
    }

    /// Checks `password` for `login`: service bind, search with the filter, bind as the person's DN.
    /// Returns the person read with the service account's rights.
    public func authenticate(login: String, password: String) async throws(DirectoryError) -> DirectoryPerson {
        // Refused before any bind: an empty simple bind is an anonymous bind, which servers accept.
        guard !password.isEmpty else { throw .emptyPassword }
        guard !login.isEmpty else { throw .unknownPerson }
        return try await run { connection throws(DirectoryError) in
            guard let person = try self.find(login: login, on: connection) else { throw .unknownPerson }
            try connection.bind(dn: person.dn, password: password)
            return person
        }
    }

    /// The person for each login, nil for those the directory no longer returns (removed, or
    /// failing the filter such as a disabled account), all read on one connection.
    public func people(logins: [String]) async throws(DirectoryError) -> [String: DirectoryPerson?] {
        try await run { connection throws(DirectoryError) in
            var found: [String: DirectoryPerson?] = [:]
            for login in logins { found[login] = .some(try self.find(login: login, on: connection)) }
            return found
        }
    }

    /// Service bind then one search; nil when nobody or more than one entry matches.
    private func find(login: String, on connection: LDAPConnection) throws(DirectoryError) -> DirectoryPerson? {
        if let dn = settings.bindDN {
            do { try connection.bind(dn: dn, password: settings.bindPassword ?? "") } catch {
                switch error {
                case .unreachable: throw error
                default: throw .serviceBindFailed(error.reason)
                }
            }
        }
        let a = settings.attributes
        let names = [a.login, a.name, a.email] + (a.groups.map { [$0] } ?? [])
        let entries = try connection.search(base: settings.baseDN, filter: LDAPFilter.userFilter(settings.userFilter, login: login),
                                            attributes: names, sizeLimit: Self.personLimit)
        guard entries.count == 1, let entry = entries.first else { return nil }
        var groups: [String]
        if let attribute = a.groups {
            groups = entry.all(attribute)
        } else {
            let filter = "(&(objectClass=groupOfNames)(member=\(LDAPFilter.escape(entry.dn))))"
            groups = try connection.search(base: settings.effectiveGroupBaseDN, filter: filter, attributes: ["cn"], sizeLimit: 1_000)
                .map(\.dn)
        }
        return DirectoryPerson(dn: entry.dn, login: entry.first(a.login) ?? login, name: entry.first(a.name),
                               email: entry.first(a.email), groups: groups)
    }

    /// Runs `work` on a fresh connection on the directory queue.
    private func run<T: Sendable>(_ work: @escaping @Sendable (LDAPConnection) throws(DirectoryError) -> T) async throws(DirectoryError) -> T {
        let settings = self.settings
        let result: Result<T, DirectoryError> = await withCheckedContinuation { continuation in
            Self.queue.async {
                do {
                    let connection = try LDAPConnection(settings: settings)
                    defer { connection.close() }
                    continuation.resume(returning: .success(try work(connection)))
                } catch let error as DirectoryError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.failed("\(error)")))
                }
            }
        }
        return try result.get()
    }
}
