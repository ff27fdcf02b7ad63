import Foundation
import Testing
@testable import KiosqueMail
@testable import KiosqueStore

/// Immediate alerts of `alerts: true` channels, handed to a real relay (aiosmtpd) on loopback.
@Suite("Channel alerts through a real relay", .serialized, .timeLimit(.minutes(2)))
struct AlertTests {
    static func pass(_ db: AppDatabase, _ settings: MailSettings, at date: Date) async throws -> (recorded: Int, sent: Int) {
        let run = AlertRun(store: db, writer: DigestWriter(settings: settings, signer: MailTown.signer))
        let recorded = try await run.enqueue(until: date)
        let tally = try await MailDelivery(store: db, sender: SMTPSender(settings: settings.smtp), maxPerMinute: 60_000)
            .deliver(now: date, ignoringBackoff: true)
        return (recorded, tally["sent"] ?? 0)
    }

    @Test func optedInAgentsGetOneMessagePerCycleThrottledWithTheirOwnUnsubscribeKind() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store()
        let settings = try MailTown.settings(url: server.url, alerts: ["securite"])
        #expect(settings.mail.alertMinInterval == 15 * 60)
        let t0 = MailTown.now
        let carol = try #require(try await db.user(login: "carol")), bob = try #require(try await db.user(login: "bob"))
        try await db.setMailAlert(userID: carol.id, channelKey: "securite", enabled: true, at: t0)
        try await db.setMailAlert(userID: bob.id, channelKey: "securite", enabled: true, at: t0)
        // Opted in to a channel that is not marked for alerts: never alerted.
        try await db.setMailAlert(userID: bob.id, channelKey: "presse", enabled: true, at: t0)
        #expect(try await db.mailAlerts(userID: bob.id) == ["securite", "presse"])

        // Nothing new yet: nothing sent.
        #expect(try await Self.pass(db, settings, at: t0.addingTimeInterval(30)).recorded == 0)

        // A fetch cycle stores two advisories (and press news): one message each for carol and bob.
        _ = try await db.ingest(sourceID: "cert", items: [MailTown.item("c1", "Vulnérabilité critique dans « Exchange »"),
                                                          MailTown.item("c2", "Mise à jour de sécurité")],
                                fetchedAt: t0.addingTimeInterval(60))
        _ = try await db.ingest(sourceID: "presse", items: [MailTown.item("p50", "Un article")], fetchedAt: t0.addingTimeInterval(60))
        let first = try await Self.pass(db, settings, at: t0.addingTimeInterval(90))
        #expect(first.recorded == 2 && first.sent == 2)
        var messages = try server.messages()
        #expect(messages.count == 2)
        let carolMessage = try #require(messages.first { $0.to.contains("carol") })
        let bobMessage = try #require(messages.first { $0.to.contains("bob") })
        #expect(carolMessage.subject == "Intranet de la Ville — Alerte Sécurité : 2 nouveautés")
        #expect(bobMessage.subject == "Intranet de la Ville — Alert Sécurité: 2 new items")
        #expect(carolMessage.text.contains("Vulnérabilité critique dans « Exchange »"))
        #expect(!carolMessage.text.contains("Un article"))
        #expect(carolMessage.listUnsubscribe.contains("k=alert:securite"), "\(carolMessage.listUnsubscribe)")
        #expect(carolMessage.listUnsubscribePost == "List-Unsubscribe=One-Click")
        #expect(carolMessage.messageID.hasPrefix("<kiosque.alert.securite.\(carol.id)."))
        #expect(carolMessage.parts == ["multipart/alternative", "text/plain", "text/html"])
        #expect(carolMessage.defects.isEmpty)
        #expect(MailTown.signer.verify(userID: carol.id, kind: "alert:securite",
                                       signature: String(carolMessage.listUnsubscribe.split(separator: "s=").last?.dropLast() ?? "")))

        // Another advisory five minutes later: held back by mail.alert_min_interval…
        _ = try await db.ingest(sourceID: "cert", items: [MailTown.item("c3", "Nouvel avis")], fetchedAt: t0.addingTimeInterval(300))
        #expect(try await Self.pass(db, settings, at: t0.addingTimeInterval(360)).recorded == 0)
        // …and sent once the interval has passed, with only what is new since the last alert.
        let later = try await Self.pass(db, settings, at: t0.addingTimeInterval(90 + 15 * 60 + 1))
        #expect(later.recorded == 2 && later.sent == 2)
        messages = try server.messages()
        #expect(messages.count == 4)
        let carolSecond = messages.filter { $0.to.contains("carol") }.first { $0.text.contains("Nouvel avis") }
        #expect(carolSecond?.text.contains("Vulnérabilité critique") == false)
        #expect(carolSecond?.subject.hasSuffix("1 nouveauté") == true)

        // Opted out: nothing more, even with news.
        try await db.setMailAlert(userID: carol.id, channelKey: "securite", enabled: false)
        _ = try await db.ingest(sourceID: "cert", items: [MailTown.item("c4", "Encore un avis")], fetchedAt: t0.addingTimeInterval(3_000))
        let last = try await Self.pass(db, settings, at: t0.addingTimeInterval(4_000))
        #expect(last.recorded == 1)
        #expect(try server.messages().filter { $0.text.contains("Encore un avis") }.map(\.to) == ["Bob Dupré <bob@ville.example>"])
    }
}
