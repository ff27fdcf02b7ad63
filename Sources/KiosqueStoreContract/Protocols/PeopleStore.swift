public import Foundation
public import KiosqueModel

/// Accounts: users, the first administrator, directory links, memberships, second factors.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol PeopleStore: Sendable {
    /// The directory link of an account, nil for local and proxy accounts.
    func directoryLink(userID: Int64) async throws(StoreError) -> DirectoryLink?
    /// Every directory-provisioned account with its link, by login.
    func directoryAccounts() async throws(StoreError) -> [(account: UserAccount, link: DirectoryLink)]
    /// Records that the directory confirmed the account now, with its DN and groups; an account
    /// disabled by a sync is enabled again (not one an administrator disabled).
    func confirmDirectoryAccount(userID: Int64, dn: String, groups: [String], at date: Date) async throws(StoreError)
    /// Disables an account the directory no longer holds (its sessions end with it).
    func disableGoneDirectoryAccount(userID: Int64) async throws(StoreError)
    /// Follows a change of directory groups: bouquets of newly matched groups are subscribed,
    /// departments of matched groups joined, and departments only the lost groups matched left
    /// (editors stay: an administrator made them so). Returns the department ids joined and left.
    @discardableResult
    func followDirectoryGroups(userID: Int64, previous: [String], current: [String], at date: Date) async throws(StoreError) -> (joined: [String], left: [String])
    /// Whether an enabled administrator account exists.
    func administratorExists() async throws(StoreError) -> Bool
    /// Replaces any earlier set-up token with this one (a new one at each start), valid until `expiresAt`.
    /// Returns false, storing nothing, when an administrator already exists.
    @discardableResult
    func issueSetupToken(hash: String, expiresAt: Date) async throws(StoreError) -> Bool
    /// Whether this token hash opens the set-up page now: known, not expired, and still no administrator.
    func setupTokenIsValid(hash: String, at date: Date) async throws(StoreError) -> Bool
    /// Creates the first administrator and voids the token, in one transaction (two browsers
    /// submitting at once create one account). `.notFound` when the token is unknown, expired
    /// or an administrator appeared meanwhile; `.conflict` when the login is taken.
    func createFirstAdministrator(_ user: NewUser, tokenHash: String, at date: Date) async throws(StoreError) -> UserAccount
    /// The agent's second factor, enrolled or being set up; nil when there is none.
    func twoFactor(userID: Int64) async throws(StoreError) -> TwoFactorRecord?
    /// Starts (or restarts) an enrolment with a new sealed secret; refused (false) when the agent
    /// is already enrolled: an enrolled secret is only removed by `removeTwoFactor`.
    func beginTwoFactor(userID: Int64, sealedSecret: Data) async throws(StoreError) -> Bool
    /// Confirms an enrolment with the step of its first code and the hashes of new recovery codes
    /// (the old ones are dropped); false when there is no enrolment being set up.
    func confirmTwoFactor(userID: Int64, step: Int64, recoveryHashes: [String], at date: Date) async throws(StoreError) -> Bool
    /// Accepts a code's step once: true only when it is later than every step accepted before
    /// (checked and written in one statement, so two requests cannot both use a code).
    func acceptTwoFactorStep(userID: Int64, step: Int64) async throws(StoreError) -> Bool
    /// Uses a recovery code (by its hash) once; false when unknown or already used.
    func useRecoveryCode(userID: Int64, hash: String, at date: Date) async throws(StoreError) -> Bool
    /// Removes the agent's second factor and recovery codes (disabling, or an administrator's reset);
    /// true when there was one.
    @discardableResult
    func removeTwoFactor(userID: Int64) async throws(StoreError) -> Bool
    /// Creates an account; a login already taken (case-insensitively) is a `.conflict`.
    func createUser(_ user: NewUser, at date: Date) async throws(StoreError) -> UserAccount
    /// The account with this id, or nil.
    func user(id: Int64) async throws(StoreError) -> UserAccount?
    /// The account with this login (case-insensitive), or nil.
    func user(login: String) async throws(StoreError) -> UserAccount?
    /// The account whose API token hash is this one, or nil.
    func user(apiTokenHash: String) async throws(StoreError) -> UserAccount?
    /// The account whose private Atom feed token is this one, or nil.
    func user(atomToken: String) async throws(StoreError) -> UserAccount?
    /// All accounts, by login.
    func users() async throws(StoreError) -> [UserAccount]
    /// Applies `update` to an account and returns it; `.notFound` if it does not exist.
    @discardableResult
    func updateUser(id: Int64, _ update: UserUpdate) async throws(StoreError) -> UserAccount
    /// Records a visit: the previous "last seen" becomes the reference for "since my last visit".
    func touchUser(id: Int64, at date: Date) async throws(StoreError)
    /// Deletes an account with its subscriptions, marks and sessions.
    func deleteUser(id: Int64) async throws(StoreError)
    /// Makes the agent a member (or editor) of a department, or changes the editor flag.
    func setMembership(userID: Int64, departmentID: String, isEditor: Bool) async throws(StoreError)
    /// Removes the agent from a department.
    func removeMembership(userID: Int64, departmentID: String) async throws(StoreError)
    /// The agent's departments.
    func memberships(userID: Int64) async throws(StoreError) -> [DepartmentMembership]
    /// Adds the agent to every department whose channels.yml `groups` meet the directory groups given.
    func applyDepartmentGroups(userID: Int64, groups: [String]) async throws(StoreError)
    /// The account bound to this OpenID provider's subject, or nil (never found by e-mail or login).
    func oidcAccount(provider: String, subject: String) async throws(StoreError) -> UserAccount?
    /// The OpenID identities bound to an account, by provider.
    func oidcIdentities(userID: Int64) async throws(StoreError) -> [OIDCIdentityLink]
    /// Binds a provider's subject to an account. `.conflict` when the subject is already bound (to any
    /// account) or the account already has an identity at this provider; `.notFound` without the account.
    func linkOIDCIdentity(provider: String, subject: String, userID: Int64, email: String?, at date: Date) async throws(StoreError)
    /// Unbinds the account's identity at `provider`; true when there was one.
    @discardableResult
    func unlinkOIDCIdentity(provider: String, userID: Int64) async throws(StoreError) -> Bool
    /// Records a sign-in through an identity, with the e-mail the provider gave this time.
    func touchOIDCIdentity(provider: String, subject: String, email: String?, at date: Date) async throws(StoreError)
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension PeopleStore {
    /// `linkOIDCIdentity` with at = Date().
    public func linkOIDCIdentity(provider: String, subject: String, userID: Int64, email: String?) async throws(StoreError) {
        try await linkOIDCIdentity(provider: provider, subject: subject, userID: userID, email: email, at: Date())
    }
    /// `touchOIDCIdentity` with at = Date().
    public func touchOIDCIdentity(provider: String, subject: String, email: String?) async throws(StoreError) {
        try await touchOIDCIdentity(provider: provider, subject: subject, email: email, at: Date())
    }
    /// `confirmDirectoryAccount` with at = Date().
    public func confirmDirectoryAccount(userID: Int64, dn: String, groups: [String]) async throws(StoreError) {
        try await confirmDirectoryAccount(userID: userID, dn: dn, groups: groups, at: Date())
    }
    /// `followDirectoryGroups` with at = Date().
    @discardableResult
    public func followDirectoryGroups(userID: Int64, previous: [String], current: [String]) async throws(StoreError) -> (joined: [String], left: [String]) {
        try await followDirectoryGroups(userID: userID, previous: previous, current: current, at: Date())
    }
    /// `setupTokenIsValid` with at = Date().
    public func setupTokenIsValid(hash: String) async throws(StoreError) -> Bool {
        try await setupTokenIsValid(hash: hash, at: Date())
    }
    /// `createFirstAdministrator` with at = Date().
    public func createFirstAdministrator(_ user: NewUser, tokenHash: String) async throws(StoreError) -> UserAccount {
        try await createFirstAdministrator(user, tokenHash: tokenHash, at: Date())
    }
    /// `confirmTwoFactor` with at = Date().
    public func confirmTwoFactor(userID: Int64, step: Int64, recoveryHashes: [String]) async throws(StoreError) -> Bool {
        try await confirmTwoFactor(userID: userID, step: step, recoveryHashes: recoveryHashes, at: Date())
    }
    /// `useRecoveryCode` with at = Date().
    public func useRecoveryCode(userID: Int64, hash: String) async throws(StoreError) -> Bool {
        try await useRecoveryCode(userID: userID, hash: hash, at: Date())
    }
    /// `createUser` with at = Date().
    public func createUser(_ user: NewUser) async throws(StoreError) -> UserAccount {
        try await createUser(user, at: Date())
    }
    /// `touchUser` with at = Date().
    public func touchUser(id: Int64) async throws(StoreError) {
        try await touchUser(id: id, at: Date())
    }
}
