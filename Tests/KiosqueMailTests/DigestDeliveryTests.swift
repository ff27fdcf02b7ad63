import Foundation
import Testing
@testable import KiosqueMail
@testable import KiosqueStore

/// Digests composed from a real store and handed to a real SMTP server (aiosmtpd) on loopback.
@Suite("Digests through a real relay", .serialized, .timeLimit(.minutes(2)))
struct DigestDeliveryTests {
    @Test func severalAgentsGetTheirOwnNewsAndNobodyGetsAnEmptyDigest() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store()
        let (recorded, tally) = try await MailTown.run(db, try MailTown.settings(url: server.url))
        #expect(recorded == 2)
        #expect(tally["sent"] == 2)
        let messages = try server.messages()
        #expect(Set(messages.map(\.to)) == ["Alice Dupré <alice@ville.example>", "Bob Dupré <bob@ville.example>"])
        let alice = try #require(messages.first { $0.to.contains("alice") })
        let bob = try #require(messages.first { $0.to.contains("bob") })
        // French subject and name came through RFC 2047 and decode back exactly.
        #expect(alice.subject == "Intranet de la Ville — Résumé du jour : 9 nouveautés")
        #expect(bob.subject == "Intranet de la Ville — Daily digest: 7 new items")
        #expect(alice.from == "Intranet de la Ville <intranet@ville.example>")
        #expect(alice.parts == ["multipart/alternative", "text/plain", "text/html"])
        #expect(alice.text.contains("Délibération n°12 : budget « participatif » été 2025"))
        #expect(alice.text.contains("== Conseil municipal (2 non lus) =="))
        #expect(alice.text.contains("https://intranet.ville.example/canaux/presse"))
        #expect(alice.text.contains("et 2 autres — Tout voir: <https://intranet.ville.example/canaux/presse>\n")) // 7 press items, 5 shown
        // One line an entry, its link at the end: a relay's work goes by the line.
        let entries = alice.text.split(separator: "\n").filter { $0.hasPrefix("- ") }
        #expect(entries.count == 7 && entries.allSatisfy { $0.contains("] <https://intranet.ville.example/articles/") && $0.hasSuffix(">") },
                "\(entries)")
        #expect(!bob.text.contains("Délibération"))
        #expect(bob.text.contains("Hello Bob Dupré"))
        #expect(alice.html.contains("<h2"))
        #expect(alice.html.contains("Délibération n°12 : budget « participatif » été 2025"))
        #expect(!alice.html.lowercased().contains("<script"))
        #expect(!alice.html.contains("<img"))
        for message in messages {
            #expect(message.autoSubmitted == "auto-generated")
            #expect(message.listUnsubscribePost == "List-Unsubscribe=One-Click")
            #expect(message.listUnsubscribe.hasPrefix("<https://intranet.ville.example/courriel/desabonnement?u="))
            #expect(message.messageID.hasPrefix("<kiosque.digest."))
            #expect(message.messageID.hasSuffix(".20250615T150640Z@ville.example>"))
            // Quoted-printable parts (mail.eight_bit's default), lines within 78 characters.
            #expect(message.longestLine <= 78)
            #expect(message.encodings == ["quoted-printable", "quoted-printable"])
            #expect(message.defects.isEmpty, "\(message.defects)")
            // The HTML has no line breaks of its own then: its encoded lines are full (a relay's
            // work goes by the line), at most one line more than 72 characters a line would take.
            #expect(message.htmlEncodedLines <= message.htmlEncodedCharacters / 72 + 1,
                    "\(message.htmlEncodedLines) lines for \(message.htmlEncodedCharacters) characters")
        }
        // A second run right after finds nothing new and sends nothing.
        let (again, second) = try await MailTown.run(db, try MailTown.settings(url: server.url), until: MailTown.now.addingTimeInterval(60))
        #expect(again == 0)
        #expect(second["sent"] == 0)
        #expect(try server.messages().count == 2)
    }

    /// `mail.eight_bit: true`, for a relay that announces 8BITMIME: the same digests, their rows
    /// whole (lines past 78 characters, within SMTP's 998), read back the same by Python's email.
    @Test func withEightBitThePartsGoWholeWithinSMTPLimits() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store()
        let (recorded, _) = try await MailTown.run(db, try MailTown.settings(url: server.url, eightBit: true))
        #expect(recorded == 2)
        let messages = try server.messages()
        let alice = try #require(messages.first { $0.to.contains("alice") })
        #expect(alice.encodings == ["8bit", "8bit"])
        #expect(alice.longestLine > 78 && alice.longestLine <= 998)
        #expect(alice.text.contains("Délibération n°12 : budget « participatif » été 2025"))
        #expect(alice.html.contains("Délibération n°12 : budget « participatif » été 2025"))
        #expect(alice.defects.isEmpty, "\(alice.defects)")
    }

    @Test func relayDownKeepsTheDigestsAndTheNextRunDeliversEachOnce() async throws {
        let port = try SMTPTestServer.freePort()
        let db = try await MailTown.store()
        let settings = try MailTown.settings(url: "smtp://127.0.0.1:\(port)")
        let (recorded, down) = try await MailTown.run(db, settings)
        #expect(recorded == 2)
        #expect(down["sent"] == 0)
        #expect(down["deferred"] == 2)
        #expect(try await db.outboxCounts().pending == 2)

        let server = try SMTPTestServer(port: port)
        let (again, up) = try await MailTown.run(db, settings, until: MailTown.now.addingTimeInterval(600))
        #expect(again == 0) // the waiting digests go first; nothing newer to add
        #expect(up["sent"] == 2)
        let (_, third) = try await MailTown.run(db, settings, until: MailTown.now.addingTimeInterval(1_200))
        #expect(third["sent"] == 0)
        let messages = try server.messages()
        #expect(messages.count == 2)
        #expect(Set(messages.map(\.messageID)).count == 2)
        let counts = try await db.outboxCounts()
        #expect(counts.pending == 0 && counts.sent == 2)
    }

    /// Many messages and the relay down: the first group fails, the rest is deferred without
    /// being tried (read without bodies), and every message goes out whole once the relay is back.
    @Test func relayDownDefersTheWholeOutboxAndLosesNoBody() async throws {
        let port = try SMTPTestServer.freePort()
        let db = try await MailTown.store()
        let settings = try MailTown.settings(url: "smtp://127.0.0.1:\(port)")
        let entries = (1...8).map { index in
            OutboxEntry(messageID: "m\(index)@ville.example", userID: nil, recipient: "agent\(index)@ville.example",
                        sender: "intranet@ville.example", kind: "test",
                        body: Data("Subject: n\(index)\r\nMessage-ID: <m\(index)@ville.example>\r\n\r\nCorps du message \(index)\r\n".utf8))
        }
        #expect(try await db.enqueueMail(entries, at: MailTown.now) == 8)
        let delivery = MailDelivery(store: db, sender: SMTPSender(settings: settings.smtp), maxPerMinute: 60_000)
        let down = try await delivery.deliver(now: MailTown.now, ignoringBackoff: true)
        #expect(down["deferred"] == 8 && down["sent"] == 0)
        let server = try SMTPTestServer(port: port)
        let up = try await delivery.deliver(now: MailTown.now.addingTimeInterval(60), ignoringBackoff: true)
        #expect(up["sent"] == 8)
        let messages = try server.messages()
        #expect(Set(messages.map(\.text)).count == 8)
        #expect(messages.allSatisfy { $0.text.contains("Corps du message") })
    }

    /// `mail.max_per_minute` holds with several connections: 600 a minute is one message every
    /// 100 ms, so 7 messages take at least 600 ms, and every one is delivered once.
    @Test func deliveryIsPacedToTheRelayLimitAcrossConnections() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store()
        let settings = try MailTown.settings(url: server.url)
        let entries = (1...7).map { index in
            OutboxEntry(messageID: "p\(index)@ville.example", userID: nil, recipient: "agent\(index)@ville.example",
                        sender: "intranet@ville.example", kind: "test",
                        body: Data("Subject: p\(index)\r\nMessage-ID: <p\(index)@ville.example>\r\n\r\nCorps \(index)\r\n".utf8))
        }
        #expect(try await db.enqueueMail(entries, at: MailTown.now) == 7)
        let delivery = MailDelivery(store: db, sender: SMTPSender(settings: settings.smtp), maxPerMinute: 600, connections: 3)
        let started = ContinuousClock.now
        let tally = try await delivery.deliver(now: MailTown.now, ignoringBackoff: true)
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        #expect(tally == ["sent": 7, "deferred": 0, "bounced": 0])
        #expect(Set(try server.messages().map(\.subject)) == Set((1...7).map { "p\($0)" }))
    }

    /// Composing and sending overlap: the relay takes the first message while later ones are
    /// still being recorded, and a message refused for now (451) is not tried twice in one run.
    @Test func messagesGoOutWhileLaterOnesAreStillBeingRecorded() async throws {
        actor Seen { var sentWhileRecording = false; func saw() { sentWhileRecording = true } }
        let server = try SMTPTestServer()
        let db = try await MailTown.store()
        let settings = try MailTown.settings(url: server.url)
        @Sendable func entry(_ name: String) -> OutboxEntry {
            OutboxEntry(messageID: "\(name)@ville.example", userID: nil, recipient: "\(name)@ville.example",
                        sender: "intranet@ville.example", kind: "test",
                        body: Data("Subject: \(name)\r\nMessage-ID: <\(name)@ville.example>\r\n\r\nCorps \(name)\r\n".utf8))
        }
        let seen = Seen()
        let delivery = MailDelivery(store: db, sender: SMTPSender(settings: settings.smtp), maxPerMinute: 60_000)
        let tally = try await delivery.deliver(alongside: { () async throws(StoreError) in
            _ = try await db.enqueueMail([entry("first")], at: MailTown.now)
            // Without overlap the first message would only leave after this closure returns.
            for _ in 0..<100 {
                if try await db.outboxCounts().sent == 1 { await seen.saw(); break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            _ = try await db.enqueueMail([entry("second"), entry("busy-third")], at: MailTown.now)
        }, ignoringBackoff: true)
        #expect(await seen.sentWhileRecording)
        #expect(tally == ["sent": 2, "deferred": 1, "bounced": 0])
        #expect(Set(try server.messages().map(\.subject)) == ["first", "second"])
    }

    @Test func permanentRefusalBouncesThatAddressOnlyAndStopsMailToIt() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store(aliceAddress: "bounce-alice@ville.example")
        let settings = try MailTown.settings(url: server.url)
        let (_, tally) = try await MailTown.run(db, settings)
        #expect(tally["sent"] == 1)
        #expect(tally["bounced"] == 1)
        #expect(try server.messages().map(\.to) == ["Bob Dupré <bob@ville.example>"])
        let bounces = try await db.mailBounces()
        #expect(bounces.map(\.address) == ["bounce-alice@ville.example"])
        #expect(bounces.first?.reason.hasPrefix("550") == true)
        #expect(bounces.first?.logins == ["alice"])

        // News arrive; alice's address still bounces, so only bob gets the next digest.
        _ = try await db.ingest(sourceID: "presse", items: [MailTown.item("p99", "Nouvel article")],
                                fetchedAt: MailTown.now.addingTimeInterval(3_600))
        let (recorded, next) = try await MailTown.run(db, settings, until: MailTown.now.addingTimeInterval(7_200))
        #expect(recorded == 1)
        #expect(next["sent"] == 1)
        #expect(try server.messages().filter { $0.to.contains("bounce-alice") }.isEmpty)
    }

    @Test func temporaryRefusalIsRetriedLater() async throws {
        let server = try SMTPTestServer()
        let db = try await MailTown.store(aliceAddress: "busy-alice@ville.example")
        let (_, tally) = try await MailTown.run(db, try MailTown.settings(url: server.url))
        #expect(tally["sent"] == 1)
        #expect(tally["deferred"] == 1)
        #expect(try await db.mailBounces().isEmpty)
        // Not due again before the backoff unless forced.
        #expect(try await db.dueMail(now: MailTown.now.addingTimeInterval(10)).isEmpty)
        #expect(try await db.dueMail(now: MailTown.now.addingTimeInterval(61)).count == 1)
    }
}
