import Foundation
import KiosqueIdentity
import KiosqueStoreContract

/// Accounts of agents who sign in with an OpenID provider: found only by the (provider, sub) binding,
/// created at the first sign-in (default bouquets, bouquets and departments of their groups), never
/// bound to an existing account by e-mail or login (an administrator links them).
struct OIDCAccounts: Sendable {
    let store: any PortalStore
    let defaultLanguage: String
    let defaultDigest: String

    enum Outcome {
        case signedIn(UserAccount, created: Bool)
        case disabled(UserAccount)
    }

    /// The account bound to `person` at `provider`, refreshed, or a new one.
    func account(for person: OIDCPerson, provider: String, groupsClaimed: Bool) async throws -> Outcome {
        if let existing = try await store.oidcAccount(provider: provider, subject: person.subject) {
            if existing.isDisabled { return .disabled(existing) }
            var update = UserUpdate()
            if let name = person.name, name != existing.name { update.name = name }
            if let email = person.email, email != existing.email { update.email = .some(email) }
            let agent = update == UserUpdate() ? existing : try await store.updateUser(id: existing.id, update)
            if groupsClaimed {
                try await store.applyDepartmentGroups(userID: agent.id, groups: person.groups)
                try await store.setUserGroups(userID: agent.id, groups: person.groups)
            }
            try await store.touchOIDCIdentity(provider: provider, subject: person.subject, email: person.email)
            return .signedIn(agent, created: false)
        }
        let created = try await createAccount(for: person, provider: provider)
        do {
            try await store.linkOIDCIdentity(provider: provider, subject: person.subject, userID: created.id, email: person.email)
        } catch {
            // Two first sign-ins at once: the other one bound the identity; this account goes.
            try? await store.deleteUser(id: created.id)
            guard let winner = try await store.oidcAccount(provider: provider, subject: person.subject) else { throw error }
            return winner.isDisabled ? .disabled(winner) : .signedIn(winner, created: false)
        }
        _ = try await store.subscribeDefaults(userID: created.id, groups: person.groups)
        try await store.applyDepartmentGroups(userID: created.id, groups: person.groups)
        try await store.setUserGroups(userID: created.id, groups: person.groups)
        try await store.touchOIDCIdentity(provider: provider, subject: person.subject, email: person.email)
        return .signedIn(created, created: true)
    }

    /// A new account whose login is the provider's, or `login@provider` (then `-2`, `-3`…) when an
    /// account already has it: the existing account is not touched.
    private func createAccount(for person: OIDCPerson, provider: String) async throws -> UserAccount {
        let base = String(person.login.trimmingCharacters(in: .whitespacesAndNewlines).filter { !$0.isNewline }.prefix(100))
        let candidates = [base, "\(base)@\(provider)"] + (2...20).map { "\(base)@\(provider)-\($0)" }
        for login in candidates where try await store.user(login: login) == nil {
            do {
                return try await store.createUser(NewUser(login: login, name: person.name ?? base, email: person.email, passwordHash: nil,
                                                          language: defaultLanguage, digestFrequency: defaultDigest))
            } catch {
                if case .conflict = error { continue }  // taken meanwhile
                throw error
            }
        }
        throw StoreError.conflict(what: "login", detail: "no free login for \(base)")
    }
}
