public import Foundation

/// An OpenID Connect identity bound to an account: the provider's id and its `sub` for the agent (issue 14).
public struct OIDCIdentityLink: Sendable, Hashable {
    /// The provider's id in channels.yml.
    public var provider: String
    /// The provider's subject identifier.
    public var subject: String
    /// The account.
    public var userID: Int64
    /// The e-mail the provider gave at the last sign-in (shown to administrators).
    public var email: String?
    /// When the identity was bound (first sign-in, or an administrator's link).
    public var linkedAt: Date
    /// The last sign-in through it.
    public var lastSignInAt: Date?

    /// A binding as stored.
    public init(provider: String, subject: String, userID: Int64, email: String?, linkedAt: Date, lastSignInAt: Date?) {
        self.provider = provider
        self.subject = subject
        self.userID = userID
        self.email = email
        self.linkedAt = linkedAt
        self.lastSignInAt = lastSignInAt
    }
}
