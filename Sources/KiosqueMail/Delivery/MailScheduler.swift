public import Foundation
public import KiosqueStoreContract
public import Logging
public import ServiceLifecycle
import Synchronization

/// The mail service inside `kiosque serve`: once a minute it records the digests that became due
/// (each agent's daily or weekly slot passed since their last digest) and the alerts of channels
/// with new items, then hands the outbox to the relay, honouring each message's backoff. On shutdown it finishes the message in hand and stops.
public final class MailScheduler: Service, Sendable {
    /// What one set of settings composes and sends with; rebuilt when a reload changes the settings.
    private struct Parts: Sendable {
        let settings: MailSettings
        let run: DigestRun
        let alerts: AlertRun
        let delivery: MailDelivery
        let schedule: DigestSchedule
    }

    private let currentSettings: @Sendable () -> MailSettings?
    private let store: any PortalStore
    private let signer: UnsubscribeSigner
    private let parts: Mutex<Parts?>
    private let tick: Duration
    private let logger: Logger

    /// A scheduler that reads its settings before each pass from `currentSettings` (the running
    /// configuration: a SIGHUP reload changes the relay, the schedule or the sender without a
    /// restart; nil, no `mail:` section, makes passes do nothing).
    public init(currentSettings: @escaping @Sendable () -> MailSettings?, store: any PortalStore, signer: UnsubscribeSigner,
                tick: Duration = .seconds(60), logger: Logger = Logger(label: "kiosque.mail")) {
        self.currentSettings = currentSettings
        self.store = store
        self.signer = signer
        self.parts = Mutex(nil)
        self.tick = tick
        self.logger = logger
        MailDelivery.registerCounters()
    }

    /// A scheduler on fixed settings.
    public convenience init(settings: MailSettings, store: any PortalStore, signer: UnsubscribeSigner, tick: Duration = .seconds(60),
                            logger: Logger = Logger(label: "kiosque.mail")) {
        self.init(currentSettings: { settings }, store: store, signer: signer, tick: tick, logger: logger)
    }

    /// The parts for the settings in force, made anew when they changed since the last pass.
    private func currentParts() -> Parts? {
        guard let settings = currentSettings() else { return nil }
        return parts.withLock { kept in
            if let kept, kept.settings == settings { return kept }
            if kept != nil { logger.info("mail settings changed: the next pass uses the new ones") }
            let writer = DigestWriter(settings: settings, signer: signer)
            let made = Parts(settings: settings,
                             run: DigestRun(store: store, composer: DigestComposer(store: store), writer: writer),
                             alerts: AlertRun(store: store, writer: writer),
                             delivery: MailDelivery(store: store, sender: SMTPSender(settings: settings.smtp),
                                                    maxPerMinute: settings.mail.maxPerMinute, logger: logger),
                             schedule: DigestSchedule(settings))
            kept = made
            return made
        }
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

    /// One pass: due digests and alerts recorded while the outbox is delivered. Public for tests.
    public func pass(now: Date) async {
        guard let parts = currentParts() else { return }
        do {
            let schedule = parts.schedule, settle = parts.settings.settleDelay
            let run = parts.run, alerts = parts.alerts, logger = logger
            // Recorded and sent at once: the relay takes the first digests while the last are composed.
            let tally = try await parts.delivery.deliver(alongside: { () async throws(StoreError) in
                // Periods end settleDelay back, so that fetches still being stored fall in the next one.
                let until = now.addingTimeInterval(-settle)
                let recorded = try await run.enqueue(frequencies: ["daily", "weekly"], until: until,
                                                     isDue: { schedule.isDue($0, now: now, settle: settle) })
                if recorded > 0 { logger.info("digests recorded", metadata: ["count": "\(recorded)"]) }
                // Alerts: each tick sees what the last fetch cycle stored, at most one message per
                // channel and agent within mail.alert_min_interval.
                let alerted = try await alerts.enqueue(until: Date().addingTimeInterval(-settle))
                if alerted > 0 { logger.info("alerts recorded", metadata: ["count": "\(alerted)"]) }
            })
            if tally.values.contains(where: { $0 > 0 }) {
                logger.info("mail delivered", metadata: tally.mapValues { "\($0)" })
            }
        } catch {
            logger.error("mail pass failed", metadata: ["error": "\(error)"])
        }
    }
}
