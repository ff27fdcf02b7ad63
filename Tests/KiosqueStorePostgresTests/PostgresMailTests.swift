import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// The outbox, bounces, alerts and digest reads on PostgreSQL behave as on SQLite for the same
/// agents and messages.
@Suite(.postgres)
struct PostgresMailTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    typealias Store = any MailStore & PeopleStore & CatalogStore & IngestStore & ReadsStoreMarks

    /// alice (daily), bruno (weekly, mixed-case address), chloe (daily, no address), dora (daily),
    /// eve (never); ids 1 to 5 on both stores.
    static func town(_ store: Store) async throws {
        _ = try await store.syncCatalog(PostgresCatalogTests.catalog, now: now)
        let people = [("alice", "alice@ville.test", "daily"), ("bruno", "Bruno@Ville.test", "weekly"), ("chloe", nil, "daily"),
                      ("dora", "dora@ville.test", "daily"), ("eve", "eve@ville.test", "never")]
        for (login, email, frequency) in people {
            _ = try await store.createUser(NewUser(login: login, name: login.capitalized, email: email, digestFrequency: frequency), at: now)
        }
    }

    static func entry(_ messageID: String, to recipient: String, user: Int64?, kind: String = "alert", covers: Date? = nil) -> OutboxEntry {
        OutboxEntry(messageID: "<\(messageID)@kiosque.test>", userID: user, recipient: recipient, sender: "kiosque@ville.test", kind: kind,
                    coversUntil: covers, body: Data("Subject: \(messageID)\r\n\r\n".utf8) + Data([0xFF, 0x00, 0xE9]))
    }

    /// One message's visible state, the same on both stores.
    static func describe(_ messages: [OutboxMessage]) -> [String] {
        messages.map { "\($0.id) \($0.messageID) \($0.recipient) \($0.kind) \($0.attempts) \($0.body.count)" }
    }

    @Test func outboxLifecycleMatchesSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            var logs: [[String]] = []
            for store in [sqlite as Store, postgres as Store] {
                try await Self.town(store)
                var log: [String] = []
                let first = [Self.entry("d1", to: "alice@ville.test", user: 1, kind: "digest", covers: Self.now),
                             Self.entry("a1", to: "Bruno@Ville.test", user: 2),
                             Self.entry("a2", to: "dora@ville.test", user: 4)]
                log.append("added \(try await store.enqueueMail(first, at: Self.now))")
                // Recorded before sending: a second run that composes the same messages adds nothing.
                log.append("again \(try await store.enqueueMail(first, at: Self.now))")
                let due = try await store.dueMail(now: Self.now, ignoringBackoff: false, afterID: 0, limit: 10, withBodies: true)
                log += Self.describe(due)
                #expect(due.first?.body == first[0].body, "the body is stored byte for byte")
                // The relay accepted d1 and the process died before marking it: the next run sends
                // the same recorded message (same Message-ID), once, and nothing after it is marked.
                log += Self.describe(try await store.dueMail(now: Self.now.addingTimeInterval(60), ignoringBackoff: false, afterID: 0,
                                                             limit: 10, withBodies: true)).map { "after crash " + $0 }
                try await store.markMailSent(id: due[0].id, reply: "250 2.0.0 Ok: queued", at: Self.now)
                log.append("re-recorded \(try await store.enqueueMail([first[0]], at: Self.now))")
                log += Self.describe(try await store.dueMail(now: Self.now, ignoringBackoff: false, afterID: 0, limit: 10, withBodies: true))
                    .map { "after sent " + $0 }
                // A temporary failure waits for its retry time (every pending one when asked).
                try await store.markMailDeferred(id: due[1].id, error: "451 4.3.0 try later", retryAt: Self.now.addingTimeInterval(600))
                for (label, at, ignoring) in [("backoff", 0.0, false), ("ignoring", 0, true), ("retry time", 600, false)] {
                    let listed = try await store.dueMail(now: Self.now.addingTimeInterval(at), ignoringBackoff: ignoring, afterID: 0,
                                                         limit: 10, withBodies: false)
                    log += Self.describe(listed).map { "\(label) " + $0 }
                }
                log += Self.describe(try await store.dueMail(now: Self.now, ignoringBackoff: true, afterID: due[1].id, limit: 1, withBodies: true))
                    .map { "after \(due[1].id) " + $0 }
                // A bounce stops mail to that address whatever its case, until it is cleared.
                try await store.markMailRefused(id: due[1].id, reason: "550 5.1.1 no such user", bounceAddress: "BRUNO@ville.test",
                                                at: Self.now)
                log.append("added \(try await store.enqueueMail([Self.entry("a3", to: "bruno@ville.TEST", user: 2)], at: Self.now))")
                log += Self.describe(try await store.dueMail(now: Self.now, ignoringBackoff: true, afterID: 0, limit: 10, withBodies: true))
                    .map { "bounced " + $0 }
                let refused = try #require(try await store.dueMail(now: Self.now, ignoringBackoff: true, afterID: 0, limit: 1, withBodies: false).first)
                try await store.markMailRefused(id: refused.id, reason: "554 5.7.1 rejected", bounceAddress: nil, at: Self.now)
                log.append("added \(try await store.enqueueMail([Self.entry("a4", to: "Bruno@Ville.test", user: 2)], at: Self.now))")
                let toBruno = try await store.dueMail(now: Self.now, ignoringBackoff: true, afterID: 0, limit: 10, withBodies: true)
                log.append("due to bruno \(toBruno.count)")
                try await store.markMailRefused(id: due[1].id, reason: "550 5.1.1 still", bounceAddress: "bruno@VILLE.test",
                                                at: Self.now.addingTimeInterval(30))
                log += try await store.mailBounces().map { "bounce \($0.address) \($0.reason) \($0.refusals) \($0.logins) \($0.bouncedAt.timeIntervalSince1970)" }
                log.append("counts \(try await store.outboxCounts())")
                log.append("cleared \(try await store.clearMailBounce(address: "bruno@ville.TEST"))")
                log.append("cleared again \(try await store.clearMailBounce(address: "bruno@ville.test"))")
                log += Self.describe(try await store.dueMail(now: Self.now, ignoringBackoff: true, afterID: 0, limit: 10, withBodies: true))
                    .map { "cleared " + $0 }
                log.append("purged \(try await store.purgeOutbox(before: Self.now.addingTimeInterval(1)))")
                log.append("purged again \(try await store.purgeOutbox(before: Self.now.addingTimeInterval(1)))")
                log.append("counts \(try await store.outboxCounts())")
                logs.append(log)
            }
            #expect(logs[1] == logs[0])
            let log = logs[1]
            #expect(log.prefix(2) == ["added 3", "again 0"])
            #expect(log.filter { $0.hasPrefix("after crash") }.map { $0.split(separator: " ")[3] } == ["<d1@kiosque.test>", "<a1@kiosque.test>",
                                                                                                         "<a2@kiosque.test>"])
            #expect(log.contains("re-recorded 0"))
            #expect(!log.contains { $0.hasPrefix("after sent") && $0.contains("<d1@") }, "a message marked sent is never due again")
            #expect(!log.contains { $0.hasPrefix("backoff") && $0.contains("<a1@") })
            #expect(log.contains { $0.hasPrefix("ignoring") && $0.contains("<a1@") && $0.contains(" 1 0") })
            #expect(log.contains { $0.hasPrefix("retry time") && $0.contains("<a1@") })
            #expect(!log.contains { $0.hasPrefix("bounced") && $0.contains("<a3@") })
            #expect(log.contains("due to bruno 0"))
            #expect(log.contains("bounce BRUNO@ville.test 550 5.1.1 still 2 [\"bruno\"] 1800000030.0"))
            #expect(log.contains("cleared true") && log.contains("cleared again false"))
            #expect(log.contains { $0.hasPrefix("cleared ") && $0.contains("<a3@") })
            #expect(log.last == "counts OutboxCounts(pending: 2, deferred: 0, sent: 0, bounced: 0)")
        }
    }

    static func items(_ prefix: String, count: Int, from start: Double) -> [PreparedItem] {
        (0..<count).map { index in
            PreparedItem(item: ParsedItem(id: "\(prefix)-\(index)", title: "\(prefix) \(index)", link: "http://127.0.0.1:9/\(prefix)/\(index)",
                                          published: Date(timeIntervalSince1970: start + Double(index * 60))),
                         contentText: "texte \(index)")
        }
    }

    @Test func dueDigestsAlertsAndChannelNewsMatchSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            var logs: [[String]] = []
            let earlier = Self.now.addingTimeInterval(-86_400)
            for store in [sqlite as Store, postgres as Store] {
                try await Self.town(store)
                var log: [String] = []
                func recipients(_ label: String, _ frequencies: [String], login: String? = nil, after: Int64 = 0, limit: Int = 500) async throws {
                    let listed = try await store.digestRecipients(frequencies: frequencies, login: login, afterID: after, limit: limit)
                    log += listed.map { "\(label) \($0.login) \($0.email) \($0.frequency) \($0.coveredUntil?.timeIntervalSince1970 ?? -1) \($0.hasPendingDigest) \($0.name) \($0.language)" }
                }
                try await recipients("daily", ["daily"])
                try await recipients("both", ["daily", "weekly"])
                try await recipients("login", ["daily", "weekly"], login: "BRUNO")
                try await recipients("page 1", ["daily", "weekly"], limit: 1)
                try await recipients("page 2", ["daily", "weekly"], after: 1, limit: 1)
                _ = try await store.enqueueMail([Self.entry("d1", to: "alice@ville.test", user: 1, kind: "digest", covers: earlier)], at: Self.now)
                _ = try await store.enqueueMail([Self.entry("d0", to: "alice@ville.test", user: 1, kind: "digest",
                                                            covers: earlier.addingTimeInterval(-60))], at: Self.now)
                try await recipients("pending", ["daily"])
                let digest = try #require(try await store.dueMail(now: Self.now, ignoringBackoff: false, afterID: 0, limit: 1, withBodies: false).first)
                try await store.markMailSent(id: digest.id, reply: "250 Ok", at: Self.now)
                let other = try #require(try await store.dueMail(now: Self.now, ignoringBackoff: false, afterID: 0, limit: 1, withBodies: false).first)
                try await store.markMailSent(id: other.id, reply: "250 Ok", at: Self.now)
                try await recipients("sent", ["daily"])
                var disabled = UserUpdate()
                disabled.isDisabled = true
                _ = try await store.updateUser(id: 4, disabled)
                try await store.markMailRefused(id: other.id, reason: "550", bounceAddress: "ALICE@ville.test", at: Self.now)
                try await recipients("bounced and disabled", ["daily", "weekly"])
                _ = try await store.clearMailBounce(address: "alice@ville.test")

                // What a digest or an alert tells: news by the time Kiosque stored them, unread counts.
                _ = try await store.ingest(sourceID: "mairie", items: Self.items("mairie", count: 4, from: 1_790_000_000), fetchedAt: earlier)
                _ = try await store.ingest(sourceID: "presse", items: Self.items("musique", count: 3, from: 1_790_100_000), fetchedAt: Self.now)
                try await store.subscribe(userID: 1, channelID: "actu", at: earlier)
                try await store.subscribe(userID: 1, channelID: "culture", at: earlier)
                _ = try await store.markRead(itemID: 5, userID: 1)
                log += try await store.digestChannels(userID: 1).map { "channel \($0.key) \($0.title) \($0.kind) \($0.unread)" }
                for (since, until) in [(earlier, Self.now), (earlier, Self.now.addingTimeInterval(1)), (Self.now, Self.now.addingTimeInterval(1))] {
                    let news = try await store.channelNews(channelKey: "actu", since: since, until: until, limit: 2)
                    log.append("news \(since.timeIntervalSince1970)..<\(until.timeIntervalSince1970) \(news.count) "
                               + news.items.map { "\($0.id) \($0.title) \($0.sourceTitle) \($0.link ?? "-") \($0.date.timeIntervalSince1970)" }.joined(separator: ", "))
                }
                log.append("unknown channel \(try await store.channelNews(channelKey: "nulle", since: earlier, until: Self.now, limit: 2).count)")

                try await store.setMailAlert(userID: 1, channelKey: "culture", enabled: true, at: earlier)
                try await store.setMailAlert(userID: 1, channelKey: "culture", enabled: true, at: Self.now)
                try await store.setMailAlert(userID: 2, channelKey: "culture", enabled: true, at: earlier)
                try await store.setMailAlert(userID: 5, channelKey: "actu", enabled: true, at: earlier)
                log.append("alerts \(try await store.mailAlerts(userID: 1).sorted())")
                func alerts(_ label: String, notSince: Date) async throws {
                    log += try await store.dueMailAlerts(channelKeys: ["culture", "sport"], notSince: notSince).map {
                        "\(label) \($0.recipient.login) \($0.channel.key) \($0.channel.unread) \($0.coveredUntil.timeIntervalSince1970) \($0.recipient.frequency)"
                    }
                }
                try await alerts("due", notSince: Self.now)
                let alert = Self.entry("alert-1", to: "alice@ville.test", user: 1, covers: Self.now)
                log.append("alert recorded \(try await store.enqueueAlert(alert, channelKey: "culture", at: Self.now))")
                log.append("alert again \(try await store.enqueueAlert(alert, channelKey: "culture", at: Self.now))")
                try await alerts("just sent", notSince: Self.now)
                try await alerts("later", notSince: Self.now.addingTimeInterval(1))
                try await store.setMailAlert(userID: 1, channelKey: "culture", enabled: false, at: Self.now)
                log.append("alerts off \(try await store.mailAlerts(userID: 1).sorted())")
                log.append("title \(try await store.channelTitle(key: "culture") ?? "-") \(try await store.channelTitle(key: "nulle") ?? "-")")
                do {
                    try await store.setMailAlert(userID: 1, channelKey: "nulle", enabled: true, at: Self.now)
                    log.append("alert on an unknown channel")
                } catch {
                    log.append("error \(error)")
                }
                logs.append(log)
            }
            #expect(logs[1] == logs[0])
            let log = logs[1]
            #expect(log.filter { $0.hasPrefix("daily ") }.map { $0.split(separator: " ")[1] } == ["alice", "dora"])
            #expect(log.filter { $0.hasPrefix("login ") }.count == 1)
            #expect(log.filter { $0.hasPrefix("page 2 ") }.map { $0.split(separator: " ")[2] } == ["bruno"])
            #expect(log.contains { $0.hasPrefix("pending alice") && $0.contains(" \(Self.now.timeIntervalSince1970 - 86_400) true") })
            #expect(log.contains { $0.hasPrefix("sent alice") && $0.hasSuffix("false Alice fr") })
            #expect(log.filter { $0.hasPrefix("bounced and disabled") }.map { $0.split(separator: " ")[3] } == ["bruno"])
            #expect(log.contains("channel culture Culture feed 2") && log.contains("channel actu Actualités feed 6"))
            #expect(log.contains { $0.hasPrefix("news \(Self.now.timeIntervalSince1970 - 86_400)..<\(Self.now.timeIntervalSince1970) 4 ") })
            #expect(log.contains { $0.hasPrefix("news \(Self.now.timeIntervalSince1970)..<") && $0.contains(" 3 ") })
            #expect(log.filter { $0.hasPrefix("due ") }.map { $0.split(separator: " ")[1] } == ["alice", "bruno"])
            #expect(log.contains("alert recorded true") && log.contains("alert again false"))
            #expect(log.filter { $0.hasPrefix("just sent") }.map { $0.split(separator: " ")[2] } == ["bruno"])
            #expect(log.contains { $0.hasPrefix("later alice culture") && $0.contains(" \(Self.now.timeIntervalSince1970) alert") })
            #expect(log.contains("alerts off []"))
        }
    }

    /// Digests and alerts never tell an agent about an announcement for an audience they are outside
    /// of: not in a channel's news, not in its unread count (PostgreSQL only: the SQLite side is issue 17's).
    @Test func targetedAnnouncementsReachOnlyTheirAudienceByMail() async throws {
        typealias T = AnnouncementTwins
        try await T.with { town in
            let postgres = town.postgres
            _ = try await town.create("communication", T.content("Fermeture estivale"), by: town.writer)
            _ = try await town.create("communication", T.content("Migration messagerie", audience: .init(departments: ["dsi"])), by: town.writer)
            let channel = "news-communication"
            var unread: [String: [Int]] = [:]
            for (name, viewer) in [("dsi", town.dsiMember), ("outsider", town.outsider)] {
                try await postgres.subscribe(userID: viewer.userID, channelID: channel, at: T.now)
                var address = UserUpdate()
                address.email = "\(name)@ville.test"
                _ = try await postgres.updateUser(id: viewer.userID, address)
                try await postgres.setMailAlert(userID: viewer.userID, channelKey: channel, enabled: true, at: T.now)
                let news = try await postgres.channelNews(channelKey: channel, since: Date(timeIntervalSince1970: 0),
                                                          until: T.now.addingTimeInterval(86_400), limit: 10, userID: viewer.userID)
                #expect(news.count == news.items.count)
                unread[name] = [news.count] + (try await postgres.digestChannels(userID: viewer.userID)).filter { $0.key == channel }.map(\.unread)
            }
            for alert in try await postgres.dueMailAlerts(channelKeys: [channel], notSince: T.now) {
                unread[alert.recipient.userID == town.dsiMember.userID ? "dsi" : "outsider", default: []].append(alert.channel.unread)
            }
            #expect(unread["dsi"] == [2, 2, 2], "news, digest's unread count, alert's unread count")
            #expect(unread["outsider"] == [1, 1, 1])
            let shared = try await postgres.channelNews(channelKey: channel, since: Date(timeIntervalSince1970: 0),
                                                        until: T.now.addingTimeInterval(86_400), limit: 10, userID: nil)
            #expect(shared.items.map(\.title) == ["Fermeture estivale"], "what every agent sees")
        }
    }
}
