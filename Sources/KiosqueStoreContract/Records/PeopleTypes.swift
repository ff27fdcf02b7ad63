public import Foundation

/// An agent's second factor (TOTP, issue 14) as the store keeps it: the secret only sealed by the
/// web layer (AES-GCM under a key derived from the portal key), never in clear.
public struct TwoFactorRecord: Sendable, Hashable {
    /// The sealed secret (nonce, ciphertext and tag).
    public var sealedSecret: Data
    /// The last step whose code was accepted: a code works once.
    public var lastStep: Int64?
    /// When the agent confirmed the enrolment with a first code; nil while it is being set up.
    public var enrolledAt: Date?
    /// Recovery codes not used yet.
    public var recoveryCodesLeft: Int

    /// Creates a value with every field.
    public init(sealedSecret: Data, lastStep: Int64? = nil, enrolledAt: Date? = nil, recoveryCodesLeft: Int) {
        self.sealedSecret = sealedSecret
        self.lastStep = lastStep
        self.enrolledAt = enrolledAt
        self.recoveryCodesLeft = recoveryCodesLeft
    }
}

/// What the store remembers of an account provisioned from the directory (issue 14).
public struct DirectoryLink: Sendable, Hashable {
    /// The person's entry DN at the last sign-in or sync.
    public var dn: String
    /// The directory groups (DNs) seen then.
    public var groups: [String]
    /// When the directory last confirmed the account.
    public var syncedAt: Date
    /// Whether the account was disabled because the directory no longer holds it (a sign-in after
    /// the person reappears enables it again; an administrator's disabling is never undone).
    public var disabledBySync: Bool

    /// Creates a value with every field.
    public init(dn: String, groups: [String], syncedAt: Date, disabledBySync: Bool) {
        self.dn = dn
        self.groups = groups
        self.syncedAt = syncedAt
        self.disabledBySync = disabledBySync
    }
}
