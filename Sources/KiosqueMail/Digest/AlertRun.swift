public import Foundation
public import KiosqueStoreContract

/// One pass of immediate alerts: for every agent opted in to a channel marked `alerts: true`,
/// the channel's items stored since that agent's last alert go out as one message, at most one
/// per channel and agent within `mail.alert_min_interval`. Recorded in the outbox with the
/// subscription moved on in the same transaction, so a crash neither loses nor doubles one.
public struct AlertRun: Sendable {
    /// The store read and written.
    public let store: any PortalStore
    /// Turns news into messages.
    public let writer: DigestWriter
    /// The keys of the channels marked `alerts: true`.
    public let channels: [String]
    /// The least time between two alerts of one channel to one agent.
    public let minInterval: TimeInterval
    /// Items listed per alert (the most recent); the rest are counted.
    public let itemsPerAlert: Int

    /// An alert run over `store` for the `alerts: true` channels of the settings.
    public init(store: any PortalStore, writer: DigestWriter, itemsPerAlert: Int = 20) {
        self.store = store
        self.writer = writer
        channels = writer.settings.alertChannels
        minInterval = writer.settings.mail.alertMinInterval
        self.itemsPerAlert = itemsPerAlert
    }

    /// Records the alerts due at `until`; returns how many.
    @discardableResult
    public func enqueue(until: Date = Date()) async throws(StoreError) -> Int {
        guard !channels.isEmpty else { return 0 }
        let until = await DigestRun.closedSecond(until)
        var recorded = 0
        for due in try await store.dueMailAlerts(channelKeys: channels, notSince: until.addingTimeInterval(-minInterval)) {
            let news = try await store.channelNews(channelKey: due.channel.key, since: due.coveredUntil, until: until, limit: itemsPerAlert,
                                                   userID: due.recipient.userID)
            guard news.count > 0 else { continue }
            let content = DigestContent(recipient: due.recipient, since: due.coveredUntil, until: until,
                                        channels: [DigestContent.Section(channel: due.channel, news: news)], documents: [])
            let message = writer.message(content)
            let entry = OutboxEntry(messageID: message.messageID, userID: due.recipient.userID, recipient: due.recipient.email,
                                    sender: message.from.address, kind: "alert", coversUntil: until, body: message.rendered())
            if try await store.enqueueAlert(entry, channelKey: due.channel.key, at: until) { recorded += 1 }
        }
        return recorded
    }
}
