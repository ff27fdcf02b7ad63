import Foundation
import KiosqueModel
import Testing
@testable import KiosqueStore

/// `kiosque digest`, `kiosque mail test` and `kiosque user add --digest`, run as IT would, against
/// aiosmtpd on loopback.
@Suite("kiosque digest and mail commands", .serialized, .timeLimit(.minutes(3)))
struct DigestCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: String {
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle.appendingPathComponent("kiosque"), bundle.deletingLastPathComponent().appendingPathComponent("kiosque")]
            where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        return packageRoot.appendingPathComponent(".build/debug/kiosque").path
    }

    /// Runs kiosque in `folder` (channels.yml and data/ there), killed after `timeout` seconds;
    /// returns status and output.
    static func kiosque(_ arguments: [String], in folder: String, stdin: String = "", environment extra: [String: String] = [:],
                        timeout: TimeInterval = 60) throws -> (status: Int32, out: String, err: String) {
        var environment = ProcessInfo.processInfo.environment
        for key in ["KIOSQUE_CONFIG", "KIOSQUE_DATA_DIR", "KIOSQUE_CACHE_DIR"] { environment.removeValue(forKey: key) }
        environment.merge(extra) { $1 }
        let result = try BoundedProcess.run(executable, arguments + ["--config", folder + "/channels.yml", "--data-dir", folder + "/data",
                                                                     "--cache-dir", folder + "/cache"],
                                            environment: environment, stdin: stdin, timeout: timeout)
        return (result.status, result.out, result.err)
    }

    /// A portal folder whose relay is aiosmtpd on `relayPort`; `mail` adds lines to the `mail:` section.
    static func portal(relayPort: Int, mail: [String] = []) throws -> String {
        let folder = NSTemporaryDirectory() + "kiosque-mailcli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try """
            portal: { title: "Intranet de la Ville", base_url: "https://intranet.ville.example" }
            mail:
              smtp_url: "smtp://127.0.0.1:\(relayPort)"
              from: "Intranet de la Ville <intranet@ville.example>"
              starttls: off
              default_digest: weekly
              timeout: 10s
            \(mail.map { "  " + $0 + "\n" }.joined())sources:
              - { id: mairie, url: "file:///nonexistent/mairie.xml", title: "Mairie" }
            channels:
              - { id: conseil, title: "Conseil municipal", sources: [mairie] }
            bouquets:
              - { id: tout, title: "Tout", channels: [conseil], default: true }
            """.write(toFile: folder + "/channels.yml", atomically: true, encoding: .utf8)
        return folder
    }

    /// Items stored in the portal's database as if fetched now.
    static func news(_ folder: String, _ titles: [String], fetchedAt: Date = Date()) async throws {
        let db = try AppDatabase.open(path: folder + "/data/kiosque.sqlite")
        let items = titles.map { title in
            PreparedItem(item: ParsedItem(id: title, title: title, link: "https://ville.example/\(title.hashValue)", published: Date()),
                         contentText: "")
        }
        _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: fetchedAt)
        try db.close()
    }

    @Test func sendNowTwiceThenRelayDownThenUp() async throws {
        let server = try SMTPTestServer()
        let folder = try Self.portal(relayPort: server.port)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let add = try Self.kiosque(["user", "add", "alice", "--name", "Alice Dupré", "--email", "alice@ville.example",
                                    "--digest", "daily", "--password-stdin"], in: folder, stdin: "un mot de passe solide\n")
        #expect(add.status == 0, "\(add.err)")
        let bad = try Self.kiosque(["user", "add", "bob", "--digest", "hourly", "--password-stdin"], in: folder, stdin: "x\n")
        #expect(bad.status == 1)
        #expect(bad.err.contains("--digest must be never, daily or weekly"))
        try await Self.news(folder, ["Délibération sur le budget", "Séance publique"])

        let preview = try Self.kiosque(["digest", "--preview", "alice"], in: folder)
        #expect(preview.status == 0, "\(preview.err)")
        #expect(preview.out.contains("Délibération sur le budget"))
        #expect(preview.out.contains("https://intranet.ville.example/canaux/conseil"))
        #expect(try server.messages().isEmpty)

        let first = try Self.kiosque(["digest", "--send-now"], in: folder)
        #expect(first.status == 0, "\(first.out)\(first.err)")
        #expect(first.out.contains("alice@ville.example <kiosque.digest."))
        #expect(first.out.contains("accepted: 250"))
        let second = try Self.kiosque(["digest", "--send-now"], in: folder)
        #expect(second.status == 0, "\(second.out)\(second.err)")
        #expect(second.out.contains("alice: no digest (nothing new)"))
        #expect(second.out.contains("0 sent"))
        #expect(try server.messages().count == 1)
        #expect(try server.messages().first?.subject == "Intranet de la Ville — Résumé du jour : 2 nouveautés")

        server.stop()
        try await Self.news(folder, ["Arrêté de circulation"])
        let down = try Self.kiosque(["digest", "--send-now", "--user", "alice"], in: folder)
        #expect(down.status == 1)
        #expect(down.out.contains("deferred"))
        try server.start()
        let up = try Self.kiosque(["digest", "--send-now"], in: folder)
        #expect(up.status == 0, "\(up.out)\(up.err)")
        #expect(up.out.contains("1 sent"))
        let messages = try server.messages()
        #expect(messages.count == 2)
        #expect(messages.contains { $0.text.contains("Arrêté de circulation") && !$0.text.contains("Séance publique") })

        let test = try Self.kiosque(["mail", "test", "dsi@ville.example"], in: folder)
        #expect(test.status == 0, "\(test.err)")
        #expect(test.out.hasPrefix("dsi@ville.example: accepted: 250"))
    }

    @Test func killedBetweenTheRelaysAcceptanceAndTheOutboxMarkResendsOnceWithTheSameMessageID() async throws {
        let server = try SMTPTestServer()
        let folder = try Self.portal(relayPort: server.port)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let add = try Self.kiosque(["user", "add", "alice", "--email", "alice@ville.example", "--digest", "daily", "--password-stdin"],
                                   in: folder, stdin: "un mot de passe solide\n")
        #expect(add.status == 0, "\(add.err)")
        try await Self.news(folder, ["Délibération sur le budget"])

        // kill -9 right after the relay's 250 to DATA, before the outbox row is marked sent.
        let killed = try Self.kiosque(["digest", "--send-now"], in: folder, environment: ["KIOSQUE_TEST_KILL_AFTER_ACCEPT": "1"])
        #expect(killed.status == SIGKILL, "\(killed.out)\(killed.err)")
        #expect(!killed.out.contains("sent,"), "the process died before its summary")
        let accepted = try server.messages()
        #expect(accepted.count == 1)

        // The next run finds the message still pending: the relay gets it again, the same message.
        let again = try Self.kiosque(["digest", "--send-now"], in: folder)
        #expect(again.status == 0, "\(again.out)\(again.err)")
        // Composing and sending overlap: the waiting digest may leave before or after the composer
        // looks at alice ("a digest is waiting" or "nothing new"); either way no second digest.
        #expect(again.out.contains("alice: no digest ("), "\(again.out)")
        #expect(again.out.contains("1 sent"))
        let third = try Self.kiosque(["digest", "--send-now"], in: folder)
        #expect(third.out.contains("0 sent"), "\(third.out)")
        let delivered = try server.messages()
        #expect(delivered.count == 2, "one copy more, never two")
        #expect(Set(delivered.map(\.messageID)).count == 1, "the second copy has the first one's Message-ID")
        #expect(Set(delivered.map(\.text)).count == 1, "and the same content")
    }
}
