public import Foundation
public import KiosqueStoreContract

/// One pass of digests: agents read 500 at a time, each digest composed, rendered and recorded in
/// the outbox (a few dozen per transaction) before anything is sent, so that 10,000 agents never
/// hold 10,000 messages in memory and a crash loses nothing that was recorded.
public struct DigestRun: Sendable {
    /// What happened to one agent.
    public struct Line: Sendable {
        /// The agent's login.
        public var login: String
        /// The digest's Message-ID, when one was recorded.
        public var messageID: String?
        /// New items it holds.
        public var items: Int
        /// Why nothing was recorded ("nothing new", "a digest is waiting in the outbox").
        public var skipped: String?
    }

    /// The store read and written.
    public let store: any PortalStore
    /// Reads each agent's news.
    public let composer: DigestComposer
    /// Turns news into messages.
    public let writer: DigestWriter

    /// A run over `store`.
    public init(store: any PortalStore, composer: DigestComposer, writer: DigestWriter) {
        self.store = store
        self.composer = composer
        self.writer = writer
    }

    /// Records the digests up to `until` of the agents who chose one of `frequencies` (or of the
    /// one `login`) and for whom `isDue` holds; returns how many were recorded.
    @discardableResult
    public func enqueue(frequencies: [String], login: String? = nil, until: Date = Date(),
                        isDue: @Sendable (DigestRecipient) -> Bool = { _ in true },
                        report: (Line) -> Void = { _ in }) async throws(StoreError) -> Int {
        let until = await Self.closedSecond(until)
        var afterID: Int64 = 0, recorded = 0
        var pending: [OutboxEntry] = []
        while true {
            let recipients = try await store.digestRecipients(frequencies: frequencies, login: login, afterID: afterID, limit: 500)
            guard let last = recipients.last else { break }
            afterID = last.userID
            // The waiting digest goes first; the next one starts where it ends, so nothing is lost.
            var due: [DigestRecipient] = []
            for recipient in recipients where isDue(recipient) {
                if recipient.hasPendingDigest {
                    report(Line(login: recipient.login, items: 0, skipped: "a digest is waiting in the outbox"))
                } else {
                    due.append(recipient)
                }
            }
            // Composed and rendered on all cores but one (reads share the store's reader pool), then
            // reported and recorded in the agents' order, 50 per transaction.
            for start in stride(from: 0, to: due.count, by: 50) {
                let chunk = Array(due[start..<min(start + 50, due.count)])
                for (recipient, composed) in zip(chunk, try await compose(chunk, until: until)) {
                    guard let (entry, items) = composed else {
                        report(Line(login: recipient.login, items: 0, skipped: "nothing new"))
                        continue
                    }
                    pending.append(entry)
                    report(Line(login: recipient.login, messageID: entry.messageID, items: items))
                }
                if pending.count >= 50 {
                    recorded += try await store.enqueueMail(pending, at: until)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        recorded += try await store.enqueueMail(pending, at: until)
        return recorded
    }
}

extension DigestRun {
    /// The outbox entries of `recipients` (nil: nothing new), in their order, composed by a few
    /// concurrent tasks: a digest is mostly CPU (rendering and encoding ~45 KB of text and HTML).
    /// One core fewer than the machine has: digests are sent while they are composed, and the
    /// relay (often on the same machine) and the web front need a core. On two cores, composing
    /// on both starved the relay: 10,000 digests took 87 s for 54 s of the relay's CPU.
    func compose(_ recipients: [DigestRecipient], until: Date) async throws(StoreError) -> [(OutboxEntry, Int)?] {
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        let composer = composer, writer = writer
        let outcome = await withTaskGroup(of: (Int, Result<(OutboxEntry, Int)?, StoreError>).self) { group in
            var results = [Result<(OutboxEntry, Int)?, StoreError>](repeating: .success(nil), count: recipients.count)
            var next = 0
            func add() {
                let index = next, recipient = recipients[index]
                next += 1
                group.addTask {
                    do throws(StoreError) {
                        let content = try await composer.content(for: recipient, until: until)
                        guard !content.isEmpty else { return (index, .success(nil)) }
                        let message = writer.message(content)
                        let entry = OutboxEntry(messageID: message.messageID, userID: recipient.userID, recipient: recipient.email,
                                                sender: message.from.address, kind: "digest", coversUntil: until, body: message.rendered())
                        return (index, .success((entry, content.itemCount)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(width, recipients.count) { add() }
            for await (index, result) in group {
                results[index] = result
                if next < recipients.count { add() }
            }
            return results
        }
        return try outcome.map { result throws(StoreError) in try result.get() }
    }
}

extension DigestRun {
    /// `date` rounded up to a whole second, once that second is over. The store keeps times in
    /// seconds and a period ends before its `until` second: an item stored later in the second
    /// the run started would otherwise fall between this digest and the next.
    public static func closedSecond(_ date: Date) async -> Date {
        let end = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up))
        let wait = end.timeIntervalSinceNow
        if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
        return end
    }
}

/// When digests are due: the last daily slot (every day at `digest_time`) and the last weekly one
/// (`weekly_day` at `digest_time`) at or before a moment, in the configured time zone.
public struct DigestSchedule: Sendable {
    /// Hour and minute of the day.
    public var hour: Int, minute: Int
    /// 1 = Sunday … 7 = Saturday.
    public var weekday: Int
    /// The time zone of the above.
    public var timeZone: TimeZone

    /// A schedule from the settings' `mail:` section.
    public init(_ settings: MailSettings) {
        hour = settings.mail.digestHour
        minute = settings.mail.digestMinute
        weekday = settings.mail.weeklyDay
        timeZone = TimeZone(identifier: settings.mail.timeZone) ?? TimeZone(identifier: "Europe/Paris")!
    }

    /// The latest slot at or before `now` for "daily" or "weekly".
    public func lastSlot(_ frequency: String, before now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var components = DateComponents(hour: hour, minute: minute, second: 0)
        if frequency == "weekly" { components.weekday = weekday }
        return calendar.nextDate(after: now.addingTimeInterval(1), matching: components, matchingPolicy: .nextTime,
                                 direction: .backward) ?? now
    }

    /// Whether `recipient` should get a digest at `now`: the last slot of their frequency came
    /// after the end of their last digest (or, for a first one, after their account was made).
    /// Digests that end `settle` seconds behind the clock compare with the slot as far back, or
    /// the digest sent at a slot would look older than that slot and go again a minute later.
    public func isDue(_ recipient: DigestRecipient, now: Date, settle: TimeInterval = 0) -> Bool {
        let slot = lastSlot(recipient.frequency, before: now)
        return (recipient.coveredUntil ?? recipient.createdAt) < slot.addingTimeInterval(-settle)
    }
}
