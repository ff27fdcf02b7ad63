public import Foundation
public import KiosqueModel

/// E-mail: the outbox, bounces, alerts and what digests are built from.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol MailStore: Sendable {
    /// Turns an agent's alerts for a channel on (from `date` on: no backlog) or off.
    func setMailAlert(userID: Int64, channelKey: String, enabled: Bool, at date: Date) async throws(StoreError)
    /// A channel's title, for pages that name it (nil when the channel is gone).
    func channelTitle(key: String) async throws(StoreError) -> String?
    /// The keys of the channels whose alerts the agent chose.
    func mailAlerts(userID: Int64) async throws(StoreError) -> Set<String>
    /// Alert subscriptions to the `channelKeys` channels whose last alert was recorded before
    /// `notSince` (or never), of enabled agents with an address that does not bounce.
    func dueMailAlerts(channelKeys: [String], notSince: Date) async throws(StoreError) -> [AlertRecipient]
    /// Records an alert in the outbox and moves its subscription on, in one transaction: the
    /// next alert starts at `coveredUntil` and none is recorded before `at` + the minimum interval.
    @discardableResult
    func enqueueAlert(_ entry: OutboxEntry, channelKey: String, at date: Date) async throws(StoreError) -> Bool
    /// Up to `limit` agents after user id `afterID` who chose one of `frequencies`, are enabled,
    /// have an address that does not bounce, and (with `login`) have that login; keyset-paginated
    /// so that a digest run never holds every agent at once.
    func digestRecipients(frequencies: [String], login: String?, afterID: Int64, limit: Int) async throws(StoreError) -> [DigestRecipient]
    /// The live channels the agent follows, in catalogue order, with the agent's unread counts.
    func digestChannels(userID: Int64) async throws(StoreError) -> [DigestChannel]
    /// The items a channel received from `since` (included) to `until` (excluded), by the time
    /// Kiosque stored them, not the date the feed claims: how many, and the `limit` most recent.
    /// Half-open, so that consecutive periods neither overlap nor leave a second out. As agent
    /// `userID` sees them (items of announcements for a targeted audience only for that audience);
    /// nil: what every agent sees, shareable between agents (no targeted announcement at all).
    func channelNews(channelKey: String, since: Date, until: Date, limit: Int, userID: Int64?) async throws(StoreError) -> DigestChannelNews
    /// Records messages before they are sent, in one transaction; a digest also moves its agent's
    /// digest start to the end of what it covers. A Message-ID already recorded is left as it is.
    /// Returns how many were new.
    @discardableResult
    func enqueueMail(_ entries: [OutboxEntry], at date: Date) async throws(StoreError) -> Int
    /// Up to `limit` pending messages after outbox row `afterID`, oldest first, whose next try is
    /// due at `now` (every pending one with `ignoringBackoff`), never to a bouncing address.
    func dueMail(now: Date, ignoringBackoff: Bool, afterID: Int64, limit: Int, withBodies: Bool) async throws(StoreError) -> [OutboxMessage]
    /// Marks a message accepted by the relay, with the relay's reply.
    func markMailSent(id: Int64, reply: String, at date: Date) async throws(StoreError)
    /// Records a failed try; the message stays pending until `retryAt`.
    func markMailDeferred(id: Int64, error: String, retryAt: Date) async throws(StoreError)
    /// Records a permanent refusal. With `bounceAddress`, the recipient was refused: the address
    /// goes on the bounce list and nothing more is sent to it until it is cleared.
    func markMailRefused(id: Int64, reason: String, bounceAddress: String?, at date: Date) async throws(StoreError)
    /// The bouncing addresses, most recent first, with the agents who use them.
    func mailBounces() async throws(StoreError) -> [MailBounce]
    /// Takes an address off the bounce list (the mailbox was fixed); false if it was not on it.
    @discardableResult
    func clearMailBounce(address: String) async throws(StoreError) -> Bool
    /// How many messages the outbox holds in each state.
    func outboxCounts() async throws(StoreError) -> OutboxCounts
    /// Deletes sent and refused messages older than `date` (the outbox is not an archive).
    @discardableResult
    func purgeOutbox(before date: Date) async throws(StoreError) -> Int
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension MailStore {
    /// `channelNews` with userID = nil (what every agent sees).
    public func channelNews(channelKey: String, since: Date, until: Date, limit: Int) async throws(StoreError) -> DigestChannelNews {
        try await channelNews(channelKey: channelKey, since: since, until: until, limit: limit, userID: nil)
    }
    /// `setMailAlert` with at = Date().
    public func setMailAlert(userID: Int64, channelKey: String, enabled: Bool) async throws(StoreError) {
        try await setMailAlert(userID: userID, channelKey: channelKey, enabled: enabled, at: Date())
    }
    /// `digestRecipients` with login = nil.
    public func digestRecipients(frequencies: [String], afterID: Int64, limit: Int) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: nil, afterID: afterID, limit: limit)
    }
    /// `digestRecipients` with afterID = 0.
    public func digestRecipients(frequencies: [String], login: String?, limit: Int) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: login, afterID: 0, limit: limit)
    }
    /// `digestRecipients` with limit = 500.
    public func digestRecipients(frequencies: [String], login: String?, afterID: Int64) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: login, afterID: afterID, limit: 500)
    }
    /// `digestRecipients` with login = nil, afterID = 0.
    public func digestRecipients(frequencies: [String], limit: Int) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: nil, afterID: 0, limit: limit)
    }
    /// `digestRecipients` with login = nil, limit = 500.
    public func digestRecipients(frequencies: [String], afterID: Int64) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: nil, afterID: afterID, limit: 500)
    }
    /// `digestRecipients` with afterID = 0, limit = 500.
    public func digestRecipients(frequencies: [String], login: String?) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: login, afterID: 0, limit: 500)
    }
    /// `digestRecipients` with login = nil, afterID = 0, limit = 500.
    public func digestRecipients(frequencies: [String]) async throws(StoreError) -> [DigestRecipient] {
        try await digestRecipients(frequencies: frequencies, login: nil, afterID: 0, limit: 500)
    }
    /// `enqueueMail` with at = Date().
    @discardableResult
    public func enqueueMail(_ entries: [OutboxEntry]) async throws(StoreError) -> Int {
        try await enqueueMail(entries, at: Date())
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, afterID = 0.
    public func dueMail(limit: Int, withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: 0, limit: limit, withBodies: withBodies)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, limit = 100.
    public func dueMail(afterID: Int64, withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: afterID, limit: 100, withBodies: withBodies)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, withBodies = true.
    public func dueMail(afterID: Int64, limit: Int) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: afterID, limit: limit, withBodies: true)
    }
    /// `dueMail` with now = Date(), afterID = 0, limit = 100.
    public func dueMail(ignoringBackoff: Bool, withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: ignoringBackoff, afterID: 0, limit: 100, withBodies: withBodies)
    }
    /// `dueMail` with now = Date(), afterID = 0, withBodies = true.
    public func dueMail(ignoringBackoff: Bool, limit: Int) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: ignoringBackoff, afterID: 0, limit: limit, withBodies: true)
    }
    /// `dueMail` with now = Date(), limit = 100, withBodies = true.
    public func dueMail(ignoringBackoff: Bool, afterID: Int64) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: ignoringBackoff, afterID: afterID, limit: 100, withBodies: true)
    }
    /// `dueMail` with ignoringBackoff = false, afterID = 0, limit = 100.
    public func dueMail(now: Date, withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: now, ignoringBackoff: false, afterID: 0, limit: 100, withBodies: withBodies)
    }
    /// `dueMail` with ignoringBackoff = false, afterID = 0, withBodies = true.
    public func dueMail(now: Date, limit: Int) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: now, ignoringBackoff: false, afterID: 0, limit: limit, withBodies: true)
    }
    /// `dueMail` with ignoringBackoff = false, limit = 100, withBodies = true.
    public func dueMail(now: Date, afterID: Int64) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: now, ignoringBackoff: false, afterID: afterID, limit: 100, withBodies: true)
    }
    /// `dueMail` with afterID = 0, limit = 100, withBodies = true.
    public func dueMail(now: Date, ignoringBackoff: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: now, ignoringBackoff: ignoringBackoff, afterID: 0, limit: 100, withBodies: true)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, afterID = 0, limit = 100.
    public func dueMail(withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: 0, limit: 100, withBodies: withBodies)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, afterID = 0, withBodies = true.
    public func dueMail(limit: Int) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: 0, limit: limit, withBodies: true)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, limit = 100, withBodies = true.
    public func dueMail(afterID: Int64) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: afterID, limit: 100, withBodies: true)
    }
    /// `dueMail` with now = Date(), afterID = 0, limit = 100, withBodies = true.
    public func dueMail(ignoringBackoff: Bool) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: ignoringBackoff, afterID: 0, limit: 100, withBodies: true)
    }
    /// `dueMail` with ignoringBackoff = false, afterID = 0, limit = 100, withBodies = true.
    public func dueMail(now: Date) async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: now, ignoringBackoff: false, afterID: 0, limit: 100, withBodies: true)
    }
    /// `dueMail` with now = Date(), ignoringBackoff = false, afterID = 0, limit = 100, withBodies = true.
    public func dueMail() async throws(StoreError) -> [OutboxMessage] {
        try await dueMail(now: Date(), ignoringBackoff: false, afterID: 0, limit: 100, withBodies: true)
    }
    /// `markMailSent` with at = Date().
    public func markMailSent(id: Int64, reply: String) async throws(StoreError) {
        try await markMailSent(id: id, reply: reply, at: Date())
    }
    /// `markMailRefused` with at = Date().
    public func markMailRefused(id: Int64, reason: String, bounceAddress: String?) async throws(StoreError) {
        try await markMailRefused(id: id, reason: reason, bounceAddress: bounceAddress, at: Date())
    }
}
