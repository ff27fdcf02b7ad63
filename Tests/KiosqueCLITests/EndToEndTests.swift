import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import KiosqueMedia
import KiosqueTestServer

/// A temporary portal folder with local file:// feeds, driven through the real `kiosque` binary.
struct Portal {
    let directory: URL
    var config: String { directory.appendingPathComponent("channels.yml").path }
    var environment: [String: String] {
        ["KIOSQUE_CONFIG": config, "KIOSQUE_DATA_DIR": directory.appendingPathComponent("data").path,
         "KIOSQUE_CACHE_DIR": directory.appendingPathComponent("cache").path]
    }

    static func make(brokenSource: Bool = false) throws -> Portal {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiosque-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Mairie</title><link>https://mairie.example.org/</link>
        <item><title>Délibérations du conseil municipal</title><link>https://mairie.example.org/a</link><guid>a</guid>
        <pubDate>Tue, 10 Nov 2026 09:00:00 +0100</pubDate>
        <description><![CDATA[<p>Les élus ont adopté <b>trois</b> délibérations.</p><img src="x" onerror="alert(1)">]]></description></item>
        <item><title>Budget primitif</title><link>/b</link><guid>b</guid><pubDate>Wed, 11 Nov 2026 09:00:00 +0100</pubDate></item>
        </channel></rss>
        """
        try feed.write(to: directory.appendingPathComponent("mairie.xml"), atomically: true, encoding: .utf8)
        try "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head><body>Accueil</body></html>"
            .write(to: directory.appendingPathComponent("page.html"), atomically: true, encoding: .utf8)
        let second = brokenSource ? "page.html" : "mairie.xml"
        let yaml = """
        sources:
          - { id: mairie, url: "file://\(directory.path)/mairie.xml", title: "Mairie" }
          - { id: seconde, url: "file://\(directory.path)/\(second)", title: "Seconde" }
        channels:
          - { id: vie-locale, title: "Vie locale", sources: [mairie, seconde] }
        bouquets:
          - { id: commune, title: "Commune", channels: [vie-locale], default: true }
        """
        try yaml.write(toFile: directory.appendingPathComponent("channels.yml").path, atomically: true, encoding: .utf8)
        return Portal(directory: directory)
    }

    func run(_ arguments: [String], stdin: String? = nil) async throws -> CLI.Result {
        try await CLI.run(arguments, stdin: stdin, environment: environment)
    }
}

@Suite("kiosque end to end", .serialized)
struct EndToEndTests {
    @Test func fetchStoresItemsAndSearchFindsFrenchForms() async throws {
        let portal = try Portal.make(brokenSource: true)
        let fetch = try await portal.run(["fetch", "--all"])
        #expect(fetch.status == 1, "one source is an HTML page: \(fetch.stdout)")
        #expect(fetch.stdout.contains("mairie") && fetch.stdout.contains("ok 2 new"), "\(fetch.stdout)")
        #expect(fetch.stdout.contains("FAILED not_a_feed"), "\(fetch.stdout)")
        #expect(fetch.stdout.contains("advertised feeds:"), "\(fetch.stdout)")
        let again = try await portal.run(["fetch"])
        #expect(again.stdout.contains("No source is due"), "\(again.stdout)")
        let search = try await portal.run(["search", "deliberation", "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])
        #expect(object["total"] as? Int == 1)
        let first = try #require((object["items"] as? [[String: Any]])?.first)
        #expect(first["title"] as? String == "Délibérations du conseil municipal")
        #expect(first["channel"] as? String == "vie-locale")
        let bad = try await portal.run(["search", "\"jamais fermé"])
        #expect(bad.status == 1 || bad.status == 0)
        #expect(!bad.stderr.contains("internal error"), "\(bad.stderr)")
    }

    @Test func parsePrintsTheContractWithSanitizedContent() async throws {
        let portal = try Portal.make()
        let result = try await portal.run(["parse", portal.directory.appendingPathComponent("mairie.xml").path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "rss2.0")
        let items = try #require(object["items"] as? [[String: Any]])
        let html = try #require(items.first?["content_html"] as? String)
        #expect(html.contains("<b>trois</b>"))
        #expect(!html.contains("onerror"))
        #expect(items.first?["summary"] as? String == "Les élus ont adopté trois délibérations.")
        #expect(items.last?["link"] as? String == "https://mairie.example.org/b")
        let notFeed = try await portal.run(["parse", portal.directory.appendingPathComponent("page.html").path])
        #expect(notFeed.status == 1)
        #expect(notFeed.stderr.split(separator: "\n").count == 1, "\(notFeed.stderr)")
    }

    @Test func sanitizeFromStandardInput() async throws {
        let portal = try Portal.make()
        let html = try await portal.run(["sanitize", "--base", "https://example.org/a/", "-"], stdin: "<a href=\"x\" onclick=\"evil()\">lien</a><script>alert(1)</script>")
        #expect(html.status == 0)
        #expect(html.stdout.contains("href=\"https://example.org/a/x\""))
        #expect(!html.stdout.contains("onclick") && !html.stdout.contains("script"))
        let text = try await portal.run(["sanitize", "--text", "-"], stdin: "<p>Un&nbsp;texte</p><p>deux</p>")
        #expect(text.stdout.contains("Un\u{00A0}texte") || text.stdout.contains("Un texte"))
    }

    @Test func usersAndTokensAndBackup() async throws {
        let portal = try Portal.make()
        let short = try await portal.run(["user", "add", "zoe", "--password-stdin"], stdin: "court\n")
        #expect(short.status == 1)
        #expect(short.stderr.contains("at least 12 characters"))
        let add = try await portal.run(["user", "add", "zoe", "--name", "Zoé", "--password-stdin"], stdin: "un-mot-de-passe-long\n")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(try await portal.run(["user", "add", "zoe", "--password-stdin"], stdin: "un-mot-de-passe-long\n").status == 1)
        let list = try await portal.run(["user", "list"])
        #expect(list.stdout.contains("zoe\tZoé"))
        let token = try await portal.run(["user", "token", "zoe"])
        #expect(token.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count >= 40)
        #expect(try await portal.run(["user", "disable", "zoe"]).status == 0)
        #expect(try await portal.run(["user", "list"]).stdout.contains("disabled"))
        #expect(try await portal.run(["user", "passwd", "personne", "--password-stdin"], stdin: "un-mot-de-passe-long\n").status == 1)
        let destination = portal.directory.appendingPathComponent("sauvegarde").path
        let key = Data((0..<32).map { UInt8($0) })
        try key.write(to: portal.directory.appendingPathComponent("data/kiosque.key"))
        // An announcement's attachment (data/announcements, content-addressed) travels too.
        let blob = portal.directory.appendingPathComponent("data/announcements/ab/cd")
        try FileManager.default.createDirectory(at: blob, withIntermediateDirectories: true)
        try Data("%PDF-1.4".utf8).write(to: blob.appendingPathComponent("abcd" + String(repeating: "0", count: 60)))
        let backup = try await portal.run(["backup", destination])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(FileManager.default.fileExists(atPath: destination + "/kiosque.sqlite"))
        #expect(FileManager.default.contents(atPath: destination + "/announcements/ab/cd/abcd" + String(repeating: "0", count: 60))
                == Data("%PDF-1.4".utf8))
        #expect(backup.stdout.contains("announcements/"))
        // The portal key travels with the backup (restored, the portal keeps its signatures), private to its owner.
        #expect(FileManager.default.contents(atPath: destination + "/kiosque.key") == key)
        let mode = try FileManager.default.attributesOfItem(atPath: destination + "/kiosque.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(backup.stdout.contains("as secret as the database"))
        #expect(try await portal.run(["backup", destination]).status == 1, "a second backup into the same folder is refused")
    }

    @Test func serveAnswersHealthReadinessAndMetricsThenStopsOnSIGTERM() async throws {
        let portal = try Portal.make()
        // Pictures from a loopback server are allowed for media, like an intranet host's.
        let yaml = try String(contentsOfFile: portal.config, encoding: .utf8)
        try (yaml + "\nmedia:\n  allowed_private_hosts: [\"127.0.0.1\"]\n").write(toFile: portal.config, atomically: true, encoding: .utf8)
        let port = 18_000 + Int.random(in: 0..<2_000)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["serve", "--port", "\(port)", "--log-format", "json"]
        process.environment = ProcessInfo.processInfo.environment.merging(portal.environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        var healthy = false
        for _ in 0..<100 where !healthy {
            healthy = (try? await get(base + "/healthz"))?.0 == 200
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        if !healthy { process.terminate() }
        #expect(healthy, "\(healthy ? "" : String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(3000))")
        #expect(try await get(base + "/readyz").0 == 200)
        // The scheduler fetches the file:// sources on its first tick.
        var metrics = ""
        for _ in 0..<50 {
            metrics = try await get(base + "/metrics").1
            if metrics.contains("kiosque_fetch_total") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(metrics.contains("kiosque_fetch_total"), "\(metrics.prefix(500))")
        #expect(metrics.contains("outcome=\"ok\""))
        let opml = try await get(base + "/catalogue.opml")
        #expect(opml.0 == 200 && opml.1.contains("<outline text=\"Vie locale\""))
        // The JSON API with a personal token made by the CLI, against the running server.
        _ = try await portal.run(["user", "add", "api-user", "--password-stdin"], stdin: "un-mot-de-passe-long\n")
        let token = try await portal.run(["user", "token", "api-user"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var request = URLRequest(url: URL(string: base + "/api/v1/channels")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (apiData, apiResponse) = try await URLSession.shared.data(for: request)
        #expect((apiResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: apiData, as: UTF8.self).contains("\"id\":\"vie-locale\""))
        request.setValue("Bearer wrong", forHTTPHeaderField: "Authorization")
        #expect(((try await URLSession.shared.data(for: request)).1 as? HTTPURLResponse)?.statusCode == 401)
        let atom = try await get(base + "/canaux/vie-locale.atom")
        #expect(atom.0 == 200 && atom.1.contains("Délibérations du conseil municipal"))
        // The media cache counts in /metrics: a miss then a hit for one picture, a refused SVG, the bytes fetched.
        var router = TestRouter()
        router.on("/photo.png", respond: .ok(try #require(ImageProcessor.makeTestImage(width: 320, height: 200, format: "png")),
                                              contentType: "image/png"))
        router.on("/script.svg", respond: .ok(Data("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8),
                                               contentType: "image/svg+xml"))
        let pictures = try TestHTTPServer(handler: router.handler)
        let key = try #require(FileManager.default.contents(atPath: portal.directory.appendingPathComponent("data/kiosque.key").path))
        let signer = MediaSigner(key: key)
        #expect(try await get(base + "/media/" + signer.id(for: pictures.url("/photo.png"))).0 == 200)
        #expect(try await get(base + "/media/" + signer.id(for: pictures.url("/photo.png"))).0 == 200)
        #expect(try await get(base + "/media/" + signer.id(for: pictures.url("/script.svg"))).0 == 404)
        let counted = try await get(base + "/metrics").1
        for line in ["kiosque_media_hits_total 1", "kiosque_media_misses_total 2", "kiosque_media_refusals_total 1"] {
            #expect(counted.contains(line + "\n"), "\(line) in \(counted.split(separator: "\n").filter { $0.contains("media") })")
        }
        let upstream = counted.split(separator: "\n").first { $0.hasPrefix("kiosque_media_upstream_bytes_total ") }
        #expect((upstream?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 100, "\(upstream ?? "no upstream counter")")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "graceful stop on SIGTERM")
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let firstLine = try #require(log.split(separator: "\n").first)
        #expect((try? JSONSerialization.jsonObject(with: Data(firstLine.utf8))) != nil, "JSON log lines: \(firstLine)")
    }

    private func get(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

@Suite("OPML import")
struct OPMLImportTests {
    @Test func proposesAndMergesKeepingComments() async throws {
        let portal = try Portal.make()
        let opml = portal.directory.appendingPathComponent("export.opml")
        try """
        <?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
        <outline text="Sécurité"><outline type="rss" text="ANSSI" xmlUrl="https://cyber.example.org/feed"/>
        <outline type="rss" text="Déjà là" xmlUrl="file://\(portal.directory.path)/mairie.xml"/></outline>
        </body></opml>
        """.write(to: opml, atomically: true, encoding: .utf8)
        let printed = try await portal.run(["import-opml", opml.path])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("{ id: anssi, url: \"https://cyber.example.org/feed\""))
        #expect(printed.stdout.contains("{ id: securite, title: \"Sécurité\", sources: [anssi] }"))
        #expect(!printed.stdout.contains("Déjà là"))
        var config = try String(contentsOfFile: portal.config, encoding: .utf8)
        config = "# Commentaire de la DSI\n" + config
        try config.write(toFile: portal.config, atomically: true, encoding: .utf8)
        let merged = portal.directory.appendingPathComponent("merged.yml").path
        #expect(try await portal.run(["import-opml", opml.path, "--merge-into", merged]).status == 0)
        let text = try String(contentsOfFile: merged, encoding: .utf8)
        #expect(text.hasPrefix("# Commentaire de la DSI\n"))
        let check = try await CLI.run(["check", merged])
        #expect(check.status == 0, "\(check.stdout)")
        let broken = portal.directory.appendingPathComponent("broken.opml")
        try "<opml><body><outline".write(to: broken, atomically: true, encoding: .utf8)
        #expect(try await portal.run(["import-opml", broken.path]).status == 1)
    }
}
