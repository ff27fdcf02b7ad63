import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
@testable import KiosqueMail
@testable import KiosqueStore

/// `kiosque serve` sends the digests that are due on its own (the mail service in its service
/// group) and counts them in /metrics.
@Suite("kiosque serve sends digests", .serialized, .timeLimit(.minutes(2)))
struct ServeMailTests {
    /// "HH:MM" twelve hours from now in UTC: the last daily slot is then twelve hours ago, far
    /// from any account made during the test.
    static func digestTimeTwelveHoursAway() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.hour, .minute], from: Date().addingTimeInterval(12 * 3_600))
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    static func get(_ url: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func dueDigestsGoOutOnScheduleAndMetricsCountThem() async throws {
        let server = try SMTPTestServer()
        let folder = try DigestCommandTests.portal(relayPort: server.port,
                                                   mail: ["digest_time: \"\(Self.digestTimeTwelveHoursAway())\"", "time_zone: UTC"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (login, address) in [("alice", "alice@ville.example"), ("bob", "bob@ville.example")] {
            let add = try DigestCommandTests.kiosque(["user", "add", login, "--email", address, "--digest", "daily", "--password-stdin"],
                                                     in: folder, stdin: "un mot de passe solide\n")
            #expect(add.status == 0, "\(add.err)")
        }
        // alice's account is two days old: the last daily slot came after it, her digest is due;
        // bob's was made just now, after that slot: his first digest waits for the next one.
        let db = try AppDatabase.open(path: folder + "/data/kiosque.sqlite")
        try await db.write("backdating alice", changes: .shared) { db in
            try db.execute(sql: "UPDATE users SET created_at = ? WHERE login = 'alice'", arguments: [Int(Date().timeIntervalSince1970) - 2 * 86_400])
        }
        try db.close()
        // Fetched five minutes ago: serve's periods end settleDelay (70 s here) behind the clock.
        try await DigestCommandTests.news(folder, ["Délibération sur le budget"], fetchedAt: Date().addingTimeInterval(-300))
        try await DigestCommandTests.news(folder, ["Arrivé à l’instant"])

        let port = try SMTPTestServer.freePort()
        var environment = ProcessInfo.processInfo.environment
        for key in ["KIOSQUE_CONFIG", "KIOSQUE_DATA_DIR", "KIOSQUE_CACHE_DIR"] { environment.removeValue(forKey: key) }
        let serve = try BoundedProcess.start(DigestCommandTests.executable,
                                             ["serve", "--no-fetch", "--port", "\(port)", "--config", folder + "/channels.yml",
                                              "--data-dir", folder + "/data", "--cache-dir", folder + "/cache"],
                                             environment: environment, log: folder + "/serve.log")
        defer { BoundedProcess.kill(serve) }

        var messages: [DeliveredMessage] = []
        for _ in 0..<150 where messages.isEmpty && serve.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            messages = try server.messages()
        }
        let log = (try? String(contentsOfFile: folder + "/serve.log", encoding: .utf8)) ?? ""
        #expect(messages.map(\.to) == ["alice <alice@ville.example>"], "\(log)")
        #expect(messages.first?.text.contains("Délibération sur le budget") == true)
        #expect(messages.first?.text.contains("Arrivé à l’instant") == false, "still within the settle delay: next digest")

        let metrics = try await Self.get("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.0 == 200)
        #expect(metrics.1.contains("kiosque_mail_sent_total 1"), "\(metrics.1)")
        #expect(metrics.1.contains("kiosque_mail_deferred_total 0"))
        #expect(metrics.1.contains("kiosque_mail_bounced_total 0"))
        #expect(BoundedProcess.stop(serve), "kiosque serve stops on SIGTERM, the mail service with it")
        #expect(serve.terminationStatus == 0)
        #expect(try server.messages().count == 1, "nothing for bob before the next slot")
    }

    /// A reload (SIGHUP) that adds or changes the `mail:` section applies from the next pass,
    /// without a restart: the scheduler reads the running settings before each pass.
    @Test func theSchedulerFollowsTheRunningSettings() async throws {
        let first = try SMTPTestServer()
        let second = try SMTPTestServer()
        let db = try await MailTown.store()
        let toFirst = try MailTown.settings(url: first.url)
        let toSecond = try MailTown.settings(url: second.url)
        let current = Mutex<MailSettings?>(nil)
        let scheduler = MailScheduler(currentSettings: { current.withLock { $0 } }, store: db, signer: MailTown.signer)

        await scheduler.pass(now: MailTown.now)
        var counts = try await db.outboxCounts()
        #expect(counts.pending == 0 && counts.sent == 0, "no mail: section, nothing recorded")

        current.withLock { $0 = toFirst }
        await scheduler.pass(now: MailTown.now)
        #expect(try first.messages().count == 2, "alice's and bob's digests, once mail is configured")

        // The relay changes; the next day's news goes through the new one.
        _ = try await db.ingest(sourceID: "presse", items: [MailTown.item("p8", "Le lendemain", at: MailTown.now.addingTimeInterval(80_000))],
                                fetchedAt: MailTown.now.addingTimeInterval(80_000))
        current.withLock { $0 = toSecond }
        await scheduler.pass(now: MailTown.now.addingTimeInterval(86_400))
        let moved = try second.messages()
        #expect(!moved.isEmpty && moved.allSatisfy { $0.text.contains("Le lendemain") })
        #expect(try first.messages().count == 2, "nothing more through the old relay")
        counts = try await db.outboxCounts()
        #expect(counts.pending == 0)
    }

    @Test func aDigestEndingSettleDelayBehindItsSlotIsNotDueAgain() throws {
        let settings = try MailTown.settings(url: "smtp://127.0.0.1:1")
        let schedule = DigestSchedule(settings)
        let settle = settings.settleDelay
        #expect(settle == 2 * 20 + 30)
        // 2025-06-16 07:30 in Paris is 05:30 UTC; the pass runs five seconds after the slot.
        let slot = Date(timeIntervalSince1970: 1_750_051_800)
        #expect(schedule.lastSlot("daily", before: slot.addingTimeInterval(5)) == slot)
        func agent(coveredUntil: Date?) -> DigestRecipient {
            DigestRecipient(userID: 1, login: "a", name: "", email: "a@ville.example", language: "fr", frequency: "daily",
                            coveredUntil: coveredUntil, createdAt: slot.addingTimeInterval(-10 * 86_400), hasPendingDigest: false)
        }
        // Yesterday's digest: due.
        #expect(schedule.isDue(agent(coveredUntil: slot.addingTimeInterval(-86_400 - settle + 5)), now: slot.addingTimeInterval(5), settle: settle))
        // The digest just recorded ends settle seconds before the pass: not due again a minute later.
        let covered = slot.addingTimeInterval(5 - settle)
        #expect(!schedule.isDue(agent(coveredUntil: covered), now: slot.addingTimeInterval(65), settle: settle))
        #expect(schedule.isDue(agent(coveredUntil: covered), now: slot.addingTimeInterval(86_400 + 5), settle: settle))
    }
}
