public import Foundation

/// One agent's alert subscription that may get a message now.
public struct AlertRecipient: Sendable, Hashable {
    /// The agent, as digests see agents (name, address, language).
    public var recipient: DigestRecipient
    /// The channel, with the agent's unread count.
    public var channel: DigestChannel
    /// The end of what the last alert covered (the opt-in time before the first).
    public var coveredUntil: Date

    /// Creates a value with every field.
    public init(recipient: DigestRecipient, channel: DigestChannel, coveredUntil: Date) {
        self.recipient = recipient
        self.channel = channel
        self.coveredUntil = coveredUntil
    }
}
