public import Foundation
public import KiosqueStoreContract
public import Logging
import Metrics
import Synchronization

/// Hands the outbox to the relay: each message was recorded before, and is marked once the relay
/// answers. Temporary failures wait with a growing delay; a recipient refused for good goes on
/// the bounce list. Paced to `mail.max_per_minute`.
public struct MailDelivery: Sendable {
    /// One message's fate, for the command line's one line per message.
    public struct Report: Sendable {
        /// The message's Message-ID.
        public var messageID: String
        /// Its recipient.
        public var recipient: String
        /// What the relay did.
        public var outcome: SMTPOutcome
    }

    /// The store holding the outbox.
    public let store: any PortalStore
    /// The connections to the relay: `sender` and as many more on the same settings.
    public let senders: [SMTPSender]
    /// Messages per minute at most.
    public let maxPerMinute: Int
    private let logger: Logger

    /// A delivery over `sender` for the outbox of `store`, with up to `connections` messages in
    /// flight on as many connections (a relay takes the next message while it files the last;
    /// after a crash, at most one copy more per connection goes out again).
    public init(store: any PortalStore, sender: SMTPSender, maxPerMinute: Int, connections: Int = 3,
                logger: Logger = Logger(label: "kiosque.mail")) {
        self.store = store
        self.senders = [sender] + (1..<max(1, connections)).map { _ in SMTPSender(settings: sender.settings) }
        self.maxPerMinute = maxPerMinute
        self.logger = logger
    }

    /// Prometheus counters (/metrics): messages the relay accepted, deferred, refused for good.
    public static let sentCounter = "kiosque_mail_sent_total", deferredCounter = "kiosque_mail_deferred_total",
        bouncedCounter = "kiosque_mail_bounced_total"

    /// Creates the three counters, so /metrics shows them at 0 before the first message.
    public static func registerCounters() {
        for label in [sentCounter, deferredCounter, bouncedCounter] { _ = Counter(label: label) }
    }

    /// The wait before try number `attempts + 1` after a temporary failure: 1, 2, 4… minutes, at most 6 hours.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(min(attempts, 20))), 6 * 3_600)
    }

    /// Sends what is due (everything pending with `ignoringBackoff`), in outbox order, and reports
    /// each message through `report`. A relay that is down stops the pass after the first failure
    /// to connect: the rest stays pending for the next pass, each message tried at most once here.
    @discardableResult
    public func deliver(now: Date = Date(), ignoringBackoff: Bool = false,
                        report: (Report) -> Void = { _ in }) async throws(StoreError) -> [String: Int] {
        var pass = Pass(spacing: spacing)
        try await deliverDue(&pass, now: now, ignoringBackoff: ignoringBackoff, report: report)
        return try await finish(&pass, now: now, ignoringBackoff: ignoringBackoff, report: report)
    }

    /// Runs `produce`, which records messages in the outbox, and sends them while it goes on:
    /// the relay takes the first digests while the last are still being composed (one core
    /// composes while the other core, and the relay, send). Each message is tried at most once;
    /// once the relay is down, nothing more is tried and what remains is deferred at the end.
    @discardableResult
    public func deliver(alongside produce: @escaping @Sendable () async throws(StoreError) -> Void, ignoringBackoff: Bool = false,
                        report: (Report) -> Void = { _ in }) async throws(StoreError) -> [String: Int] {
        let finished = Flag()
        let producer = Task { () async -> Result<Void, StoreError> in
            defer { finished.set() }
            do throws(StoreError) { try await produce() } catch { return .failure(error) }
            return .success(())
        }
        var pass = Pass(spacing: spacing)
        do {
            while true {
                // Read before the pass: what was recorded before production ended is then seen below.
                let produced = finished.isSet
                let before = pass.afterID
                try await deliverDue(&pass, now: Date(), ignoringBackoff: ignoringBackoff, report: report)
                if produced { break }
                // Nothing new yet (or the relay is down): wait for the composer, not in a busy loop.
                if pass.afterID == before { try? await Task.sleep(for: .milliseconds(100)) }
            }
        } catch {
            producer.cancel()
            _ = await producer.value
            throw error
        }
        // The last pass began after production had ended: it saw every recorded message.
        try await producer.value.get()
        return try await finish(&pass, now: Date(), ignoringBackoff: ignoringBackoff, report: report)
    }

    /// Where a delivery stands: what it counted, the last outbox entry it handled (it never goes
    /// back: a message deferred in this delivery is not tried again in it), its pacing, and why
    /// the relay is unreachable once it is.
    struct Pass {
        var tally: [String: Int] = ["sent": 0, "deferred": 0, "bounced": 0]
        var afterID: Int64 = 0
        var lastSend: ContinuousClock.Instant?
        var relayDown: String?
        let spacing: Duration
        init(spacing: Duration) { self.spacing = spacing }
    }

    /// Set once, read from another task.
    private final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    private var spacing: Duration { .milliseconds(60_000 / max(1, maxPerMinute)) }

    /// Sends the due messages after `pass.afterID`, in outbox order, until none is left or the
    /// relay cannot be reached (then `pass.relayDown` says why and the rest is left as it is).
    ///
    /// Each connection takes the next message as soon as the relay answered its last one, and
    /// that answer is recorded beside it: sending in groups that waited for their slowest message,
    /// then for the store (whose writer may be checkpointing the outbox's megabytes), left the
    /// relay idle a third of a 10,000-digest run. A crash still sends an accepted message again at
    /// most once, with the same Message-ID; the pass ends only once every answer is recorded.
    private func deliverDue(_ pass: inout Pass, now: Date, ignoringBackoff: Bool,
                            report: (Report) -> Void) async throws(StoreError) {
        enum Event: Sendable {
            case answered(connection: Int, OutboxMessage, SMTPOutcome)
            case recorded(StoreError?)
        }
        var queue: [OutboxMessage] = [], next = 0, exhausted = false
        var idle = Array(senders.indices)
        let failure = await withTaskGroup(of: Event.self) { tasks -> StoreError? in
            var failure: StoreError?
            while true {
                // Hand out messages while a connection is free and the relay is reachable.
                while failure == nil, pass.relayDown == nil, !idle.isEmpty, !exhausted {
                    if next == queue.count {
                        do throws(StoreError) {
                            queue = try await store.dueMail(now: now, ignoringBackoff: ignoringBackoff, afterID: pass.afterID,
                                                            limit: 100, withBodies: true)
                        } catch { failure = error; break }
                        next = 0
                        if queue.isEmpty { exhausted = true; break }
                    }
                    let message = queue[next]
                    next += 1
                    pass.afterID = message.id
                    if let lastSend = pass.lastSend, lastSend.duration(to: .now) < pass.spacing {
                        try? await Task.sleep(until: lastSend.advanced(by: pass.spacing), clock: .continuous)
                    }
                    pass.lastSend = .now
                    let connection = idle.removeLast(), sender = senders[connection]
                    tasks.addTask {
                        let outcome = await sender.send(message.body, from: message.sender, to: message.recipient)
                        Self.crashHookForTests(outcome)
                        return .answered(connection: connection, message, outcome)
                    }
                }
                guard let event = await tasks.next() else { break }
                switch event {
                case .recorded(let error):
                    if let error { failure = failure ?? error }
                case .answered(let connection, let message, let outcome):
                    idle.append(connection)
                    var row = message
                    row.body = Data()  // what recording needs is the row, not the 90 KB sent
                    let recorded = row
                    tasks.addTask {
                        do throws(StoreError) { try await record(outcome, for: recorded, now: now) } catch { return .recorded(error) }
                        return .recorded(nil)
                    }
                    report(Report(messageID: message.messageID, recipient: message.recipient, outcome: outcome))
                    switch outcome {
                    case .accepted: pass.tally["sent", default: 0] += 1
                    case .temporary: pass.tally["deferred", default: 0] += 1
                    case .relayUnavailable(let reason):
                        pass.tally["deferred", default: 0] += 1
                        // Every other message would fail the same way now: the caller defers them without trying.
                        pass.relayDown = pass.relayDown ?? reason
                    case .recipientRefused, .messageRefused: pass.tally["bounced", default: 0] += 1
                    }
                }
            }
            return failure
        }
        if let failure { throw failure }
    }

    /// Debug builds only: with KIOSQUE_TEST_KILL_AFTER_ACCEPT set, the process kills itself
    /// (SIGKILL, no clean-up) right after the relay accepted a message and before the outbox
    /// marks it, the crash the outbox is designed for. Release builds have no such hook.
    private static func crashHookForTests(_ outcome: SMTPOutcome) {
        #if DEBUG
        if case .accepted = outcome, ProcessInfo.processInfo.environment["KIOSQUE_TEST_KILL_AFTER_ACCEPT"] != nil {
            kill(getpid(), SIGKILL)
        }
        #endif
    }

    private func record(_ outcome: SMTPOutcome, for message: OutboxMessage, now: Date) async throws(StoreError) {
        switch outcome {
        case .accepted(let reply):
            try await store.markMailSent(id: message.id, reply: reply, at: now)
            Counter(label: Self.sentCounter).increment()
        case .temporary(let reason), .relayUnavailable(let reason):
            let retry = now.addingTimeInterval(Self.backoff(afterAttempts: message.attempts))
            try await store.markMailDeferred(id: message.id, error: reason, retryAt: retry)
            Counter(label: Self.deferredCounter).increment()
            logger.warning("mail deferred", metadata: ["to": "\(message.recipient)", "reason": "\(reason)"])
        case .recipientRefused(let reply):
            try await store.markMailRefused(id: message.id, reason: reply, bounceAddress: message.recipient, at: now)
            Counter(label: Self.bouncedCounter).increment()
            logger.warning("mail address bounces", metadata: ["to": "\(message.recipient)", "reply": "\(reply)"])
        case .messageRefused(let reply):
            try await store.markMailRefused(id: message.id, reason: reply, bounceAddress: nil, at: now)
            Counter(label: Self.bouncedCounter).increment()
            logger.error("mail refused", metadata: ["to": "\(message.recipient)", "reply": "\(reply)"])
        }
    }

    /// The pass's tally, once every message left is deferred untried when the relay was down.
    private func finish(_ pass: inout Pass, now: Date, ignoringBackoff: Bool,
                        report: (Report) -> Void) async throws(StoreError) -> [String: Int] {
        if let reason = pass.relayDown {
            pass.tally["deferred", default: 0] += try await deferRest(after: pass.afterID, reason: reason, now: now,
                                                                      ignoringBackoff: ignoringBackoff, report: report)
        }
        return pass.tally
    }

    /// Marks every other due message deferred without trying it; returns how many.
    private func deferRest(after id: Int64, reason: String, now: Date, ignoringBackoff: Bool,
                           report: (Report) -> Void) async throws(StoreError) -> Int {
        var afterID = id, count = 0
        while true {
            let batch = try await store.dueMail(now: now, ignoringBackoff: ignoringBackoff, afterID: afterID, limit: 500,
                                                withBodies: false)
            guard !batch.isEmpty else { return count }
            for message in batch {
                afterID = message.id
                let outcome = SMTPOutcome.relayUnavailable(reason: reason)
                try await record(outcome, for: message, now: now)
                report(Report(messageID: message.messageID, recipient: message.recipient, outcome: outcome))
                count += 1
            }
        }
    }
}
