public import Foundation

/// A message to record in the outbox before it is sent.
public struct OutboxEntry: Sendable, Hashable {
    /// The Message-ID (without angle brackets): unique, derived from the message's identity.
    public var messageID: String
    /// The agent it is for, when it is for one.
    public var userID: Int64?
    /// The envelope recipient.
    public var recipient: String
    /// The envelope sender.
    public var sender: String
    /// "digest", "alert:<channel>", "test"…
    public var kind: String
    /// For a digest: the end of the period it covers (becomes the agent's new digest start).
    public var coversUntil: Date?
    /// The rendered message.
    public var body: Data

    /// An entry from its parts.
    public init(messageID: String, userID: Int64?, recipient: String, sender: String, kind: String,
                coversUntil: Date? = nil, body: Data) {
        self.messageID = messageID
        self.userID = userID
        self.recipient = recipient
        self.sender = sender
        self.kind = kind
        self.coversUntil = coversUntil
        self.body = body
    }
}

/// A message waiting in the outbox.
public struct OutboxMessage: Sendable, Hashable {
    /// The outbox row.
    public var id: Int64
    /// The Message-ID.
    public var messageID: String
    /// The envelope recipient.
    public var recipient: String
    /// The envelope sender.
    public var sender: String
    /// The kind of message.
    public var kind: String
    /// The rendered message.
    public var body: Data
    /// Tries so far.
    public var attempts: Int

    /// Creates a value with every field.
    public init(id: Int64, messageID: String, recipient: String, sender: String, kind: String, body: Data,
                attempts: Int) {
        self.id = id
        self.messageID = messageID
        self.recipient = recipient
        self.sender = sender
        self.kind = kind
        self.body = body
        self.attempts = attempts
    }
}

/// An address the relay refused for good.
public struct MailBounce: Sendable, Hashable {
    /// The refused address.
    public var address: String
    /// The relay's reply.
    public var reason: String
    /// When it was refused (last time).
    public var bouncedAt: Date
    /// How many messages were refused.
    public var refusals: Int
    /// The logins of the agents with this address.
    public var logins: [String]

    /// Creates a value with every field.
    public init(address: String, reason: String, bouncedAt: Date, refusals: Int, logins: [String]) {
        self.address = address
        self.reason = reason
        self.bouncedAt = bouncedAt
        self.refusals = refusals
        self.logins = logins
    }
}

/// How many messages the outbox holds in each state.
public struct OutboxCounts: Sendable, Hashable {
    /// Waiting to be sent (new or deferred).
    public var pending: Int
    /// Waiting after at least one failed try.
    public var deferred: Int
    /// Accepted by the relay.
    public var sent: Int
    /// Refused for good (recipient or message).
    public var bounced: Int

    /// Creates a value with every field.
    public init(pending: Int, deferred: Int, sent: Int, bounced: Int) {
        self.pending = pending
        self.deferred = deferred
        self.sent = sent
        self.bounced = bounced
    }
}

/// An agent who may receive a digest.
public struct DigestRecipient: Sendable, Hashable {
    /// The store's user id.
    public var userID: Int64
    /// Sign-in name.
    public var login: String
    /// Display name.
    public var name: String
    /// E-mail address.
    public var email: String
    /// Interface language.
    public var language: String
    /// "daily" or "weekly".
    public var frequency: String
    /// The end of what the last digest covered, if one was ever recorded.
    public var coveredUntil: Date?
    /// Account creation (a first digest covers nothing older).
    public var createdAt: Date
    /// A digest for this agent is still waiting in the outbox.
    public var hasPendingDigest: Bool

    /// A recipient from its parts (the store builds them; previews and tests too).
    public init(userID: Int64, login: String, name: String, email: String, language: String, frequency: String,
                coveredUntil: Date?, createdAt: Date, hasPendingDigest: Bool) {
        self.userID = userID
        self.login = login
        self.name = name
        self.email = email
        self.language = language
        self.frequency = frequency
        self.coveredUntil = coveredUntil
        self.createdAt = createdAt
        self.hasPendingDigest = hasPendingDigest
    }
}

/// One followed channel as a digest shows it.
public struct DigestChannel: Sendable, Hashable {
    /// The channel's key.
    public var key: String
    /// Its title.
    public var title: String
    /// "feed" or "documents" (a department's documents).
    public var kind: String
    /// The agent's unread items in it.
    public var unread: Int

    /// Creates a value with every field.
    public init(key: String, title: String, kind: String, unread: Int) {
        self.key = key
        self.title = title
        self.kind = kind
        self.unread = unread
    }
}

/// An item new since a digest's start.
public struct DigestItem: Sendable, Hashable {
    /// The item's id (its page is /articles/<id>).
    public var id: Int64
    /// Its title.
    public var title: String
    /// The original link.
    public var link: String?
    /// The source's title.
    public var sourceTitle: String
    /// Its date.
    public var date: Date

    /// Creates a value with every field.
    public init(id: Int64, title: String, link: String? = nil, sourceTitle: String, date: Date) {
        self.id = id
        self.title = title
        self.link = link
        self.sourceTitle = sourceTitle
        self.date = date
    }
}

/// The newest items of one channel in a period, and how many there are in all.
public struct DigestChannelNews: Sendable, Hashable {
    /// Items new in the period.
    public var count: Int
    /// The most recent of them.
    public var items: [DigestItem]

    /// Creates a value with every field.
    public init(count: Int, items: [DigestItem]) {
        self.count = count
        self.items = items
    }
}
