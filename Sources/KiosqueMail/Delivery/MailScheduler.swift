public import Foundation
public import KiosqueStore
public import Logging
public import ServiceLifecycle

/// The mail service inside `kiosque serve`: once a minute it records the digests that became due
/// (each agent's daily or weekly slot passed since their last digest) and the alerts of channels
/// with new items, then hands the outbox to the relay, honouring each message's backoff. On shutdown it finishes the message in hand and stops.
public final class MailScheduler: Service, Sendable {
    private let run: DigestRun
    private let alerts: AlertRun
    private let delivery: MailDelivery
    private let schedule: DigestSchedule
    private let settleDelay: TimeInterval
    private let tick: Duration
    private let logger: Logger

    /// A scheduler composing with `run` and sending with `delivery`, on `settings`' schedule.
    public init(settings: MailSettings, store: AppDatabase, signer: UnsubscribeSigner, tick: Duration = .seconds(60),
                logger: Logger = Logger(label: "kiosque.mail")) {
        let writer = DigestWriter(settings: settings, signer: signer)
        run = DigestRun(store: store, composer: DigestComposer(store: store), writer: writer)
        alerts = AlertRun(store: store, writer: writer)
        delivery = MailDelivery(store: store, sender: SMTPSender(settings: settings.smtp), maxPerMinute: settings.mail.maxPerMinute,
                                logger: logger)
        schedule = DigestSchedule(settings)
        settleDelay = settings.settleDelay
        self.tick = tick
        self.logger = logger
        MailDelivery.registerCounters()
    }

    public func run() async throws {
        logger.info("mail scheduler started")
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await pass(now: Date())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.tick) }
            } catch {
                break
            }
        }
        logger.info("mail scheduler stopped")
    }

    /// One pass: due digests recorded, then the outbox delivered. Public for tests.
    public func pass(now: Date) async {
        do {
            let schedule = schedule, settle = settleDelay
            // Periods end settleDelay back, so that fetches still being stored fall in the next one.
            let until = now.addingTimeInterval(-settleDelay)
            let recorded = try await run.enqueue(frequencies: ["daily", "weekly"], until: until,
                                                 isDue: { schedule.isDue($0, now: now, settle: settle) })
            if recorded > 0 { logger.info("digests recorded", metadata: ["count": "\(recorded)"]) }
            // Alerts: each tick sees what the last fetch cycle stored, at most one message per
            // channel and agent within mail.alert_min_interval.
            let alerted = try await alerts.enqueue(until: Date().addingTimeInterval(-settleDelay))
            if alerted > 0 { logger.info("alerts recorded", metadata: ["count": "\(alerted)"]) }
            // Now, not `now`: the run waited for the end of its last second, and what it recorded is due from then.
            let tally = try await delivery.deliver(now: Date())
            if tally.values.contains(where: { $0 > 0 }) {
                logger.info("mail delivered", metadata: tally.mapValues { "\($0)" })
            }
        } catch {
            logger.error("mail pass failed", metadata: ["error": "\(error)"])
        }
    }
}
