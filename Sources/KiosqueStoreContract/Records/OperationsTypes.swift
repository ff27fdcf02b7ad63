public import Foundation

/// A channel's counts for the administration dashboard (aggregates only, no agent named).
public struct ChannelStatistics: Sendable, Hashable {
    /// The channel.
    public var channel: ChannelRef
    /// Items listed.
    public var items: Int
    /// Agents subscribed.
    public var subscribers: Int
    /// Read marks on its items, all agents together ("most-read channels").
    public var reads: Int

    /// Creates a value with every field.
    public init(channel: ChannelRef, items: Int, subscribers: Int, reads: Int) {
        self.channel = channel
        self.items = items
        self.subscribers = subscribers
        self.reads = reads
    }
}

/// The number of items stored for one day.
public struct DailyCount: Sendable, Hashable {
    /// The day, "2025-03-14" (UTC).
    public var day: String
    /// Items whose date falls on that day.
    public var count: Int

    /// Creates a value with every field.
    public init(day: String, count: Int) {
        self.day = day
        self.count = count
    }
}

/// What `optimize()` did.
public struct OptimizeReport: Sendable, Hashable {
    /// Free pages given back to the file system by the incremental vacuum.
    public var freedPages: Int
    /// Database size after optimisation, in bytes.
    public var sizeBytes: Int64

    /// Creates a value with every field.
    public init(freedPages: Int, sizeBytes: Int64) {
        self.freedPages = freedPages
        self.sizeBytes = sizeBytes
    }
}

/// One day's count of an action, kept after the detailed log is purged.
public struct DailyActivity: Sendable, Hashable {
    /// The day, "2025-03-14" (UTC).
    public var day: String
    /// The action name ("login", "read", "search"…).
    public var action: String
    /// Number of events.
    public var events: Int
    /// Number of distinct agents.
    public var users: Int

    /// Creates a value with every field.
    public init(day: String, action: String, events: Int, users: Int) {
        self.day = day
        self.action = action
        self.events = events
        self.users = users
    }
}

/// One sign-in attempt, kept for administrators per `retention.activity_days`.
public struct SignInEvent: Sendable, Hashable {
    /// How the agent signed in: `local`, `directory`, `proxy` (or `oidc`).
    public var method: String
    /// The identity provider's id, when there are several (OpenID Connect).
    public var provider: String?
    /// The login as typed or asserted.
    public var login: String
    /// The account, when one was found.
    public var userID: Int64?
    /// The client's address.
    public var address: String?
    /// Whether the attempt succeeded.
    public var success: Bool
    /// Why it failed (a short English reason, for administrators), nil on success.
    public var reason: String?
    /// When it happened.
    public var at: Date

    /// An attempt as the web layer saw it.
    public init(method: String, provider: String? = nil, login: String, userID: Int64? = nil, address: String?,
                success: Bool, reason: String? = nil, at: Date = Date()) {
        self.method = method
        self.provider = provider
        self.login = login
        self.userID = userID
        self.address = address
        self.success = success
        self.reason = reason
        self.at = at
    }
}
