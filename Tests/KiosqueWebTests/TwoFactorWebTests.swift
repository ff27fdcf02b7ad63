import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueConfig
import KiosqueIdentity
import KiosqueRefresh
import KiosqueStore
@testable import KiosqueWeb
import KiosqueTestServer
import Logging
import Testing

/// Two-factor authentication (TOTP, issue 14) through the real pages, with codes made by Debian's oathtool.
@Suite("Two-factor authentication")
struct TwoFactorWebTests {
    /// The code oathtool makes for `base32` at `date` (nil when oathtool fails).
    static func oathtool(_ base32: String, at date: Date = Date()) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/oathtool")
        let formatter = ISO8601DateFormatter()
        process.arguments = ["--totp", "-b", "--now", formatter.string(from: date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"), base32]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(process.terminationStatus == 0 && output.count == 6, "oathtool: \(output)")
        return output
    }

    /// The secret shown for manual entry on an enrolment page.
    static func secret(in html: String) throws -> String {
        let range = try #require(html.range(of: #"id="two-factor-secret" class="secret">[A-Z2-7 ]+<"#, options: .regularExpression))
        return String(html[range]).split(separator: ">")[1].dropLast().filter { $0 != " " }
    }

    static func recoveryCodes(in html: String) -> [String] {
        var codes: [String] = []
        var rest = html[...]
        while let range = rest.range(of: #"<li><code>[A-Z2-7-]+</code></li>"#, options: .regularExpression) {
            codes.append(String(rest[range].dropFirst(10).dropLast(12)))
            rest = rest[range.upperBound...]
        }
        return codes
    }

    /// Enrols `login` from /compte with an oathtool code; returns the secret and the recovery codes.
    static func enrol(_ client: some TestClientProtocol, _ browser: inout Browser) async throws -> (secret: String, codes: [String]) {
        let page = try await browser.get(client, "/compte/double-authentification")
        #expect(page.status == .ok)
        let html = page.body.string
        let secret = try Self.secret(in: html)
        #expect(html.contains("otpauth://totp/"))
        #expect(html.contains("secret=\(secret)"))
        #expect(html.contains("<svg") && html.contains("<title id=\"qr-title\">") && html.contains("<path fill=\"#000\" d=\"M"))
        let csrf = try #require(Browser.csrf(in: html))
        let wrong = try await browser.post(client, "/compte/double-authentification/confirmer", [("_csrf", csrf), ("code", "000000")])
        #expect(wrong.status == .unprocessableContent)
        let noCSRF = try await browser.post(client, "/compte/double-authentification/confirmer", [("code", try oathtool(secret))])
        #expect(noCSRF.status == .forbidden)
        let confirmed = try await browser.post(client, "/compte/double-authentification/confirmer", [("_csrf", csrf), ("code", try oathtool(secret))])
        #expect(confirmed.status == .ok)
        let codes = recoveryCodes(in: confirmed.body.string)
        #expect(codes.count == 10)
        return (secret, codes)
    }

    /// Enrols `login` straight in the store (sealed like the pages do); returns the secret.
    @discardableResult
    static func enrolInStore(_ fixture: WebFixture, login: String) async throws -> Data {
        let store = fixture.store
        let id = try #require(try await store.user(login: login)?.id)
        let vault = TwoFactorVault(secrets: try Secrets.loadOrCreate(at: fixture.dataDirectory + "/kiosque.key"))
        let secret = TOTP.newSecret()
        #expect(try await store.beginTwoFactor(userID: id, sealedSecret: try vault.seal(secret, userID: id)))
        #expect(try await store.confirmTwoFactor(userID: id, step: 0, recoveryHashes: []))
        return secret
    }

    /// Signs in with the password; returns the answer (a redirect to the second step or to the page).
    static func password(_ client: some TestClientProtocol, _ browser: inout Browser, login: String, extra: HTTPFields = [:]) async throws -> HummingbirdTesting.TestResponse {
        try await browser.signIn(client, login: login, extra: extra)
    }

    static func secondStep(_ client: some TestClientProtocol, _ browser: inout Browser, code: String, extra: HTTPFields = [:]) async throws -> HummingbirdTesting.TestResponse {
        let page = try await browser.get(client, "/connexion/double-authentification", extra: extra)
        #expect(page.status == .ok)
        let csrf = try #require(Browser.csrf(in: page.body.string))
        return try await browser.post(client, "/connexion/double-authentification", [("_csrf", csrf), ("code", code)], extra: extra)
    }

    @Test func enrolmentSignInReplayAndRecoveryCodes() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        let bruno = try #require(try await store.user(login: "bruno"))
        let keyFile = fixture.dataDirectory + "/kiosque.key"
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let (secret, codes) = try await Self.enrol(client, &browser)

            // The secret is sealed in the store: neither its bytes nor its base32 text are there,
            // and it opens only with the portal key's derived key, for this account.
            let record = try #require(try await store.twoFactor(userID: bruno.id))
            let raw = try #require(Base32.decode(secret))
            #expect(record.enrolledAt != nil && record.recoveryCodesLeft == 10)
            #expect(record.sealedSecret.range(of: raw) == nil)
            #expect(!String(decoding: record.sealedSecret, as: UTF8.self).contains(secret))
            let vault = TwoFactorVault(secrets: try Secrets.loadOrCreate(at: keyFile))
            #expect(vault.open(record.sealedSecret, userID: bruno.id) == raw)
            #expect(vault.open(record.sealedSecret, userID: bruno.id + 1) == nil)

            // Sign out, then the password alone opens nothing.
            let home = try await browser.get(client, "/")
            _ = try await browser.post(client, "/deconnexion", [("_csrf", try #require(Browser.csrf(in: home.body.string)))])
            var agent = Browser()
            let first = try await Self.password(client, &agent, login: "bruno")
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/connexion/double-authentification")
            #expect(!first.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            for path in ["/", "/compte", "/compte/double-authentification", "/api/v1/channels"] {
                let response = try await agent.get(client, path)
                #expect(response.status == .seeOther || response.status == .unauthorized, "\(path)")
                if response.status == .seeOther { #expect(response.headers[.location]?.hasPrefix("/connexion") == true, "\(path)") }
            }
            // A forged pending cookie is worthless.
            var forger = agent
            forger.cookies[PendingSignIn.cookie] = "e30.AAAA"
            #expect(try await forger.get(client, "/connexion/double-authentification").headers[.location] == "/connexion")

            let wrong = try await Self.secondStep(client, &agent, code: "123456")
            #expect(wrong.status == .unauthorized)
            // The next step's code (accepted within ±1 step) signs in.
            let next = try Self.oathtool(secret, at: Date().addingTimeInterval(30))
            let ok = try await Self.secondStep(client, &agent, code: next)
            #expect(ok.status == .seeOther && ok.headers[.location] == "/")
            #expect(try await agent.get(client, "/").status == .ok)

            // The same code again, from a new sign-in: refused (no replay).
            var replayer = Browser()
            _ = try await Self.password(client, &replayer, login: "bruno")
            #expect(try await Self.secondStep(client, &replayer, code: next).status == .unauthorized)
            #expect(try await replayer.get(client, "/").status == .seeOther)

            // A recovery code works once.
            let recovered = try await Self.secondStep(client, &replayer, code: codes[3].lowercased())
            #expect(recovered.status == .seeOther && recovered.headers[.location] == "/")
            var again = Browser()
            _ = try await Self.password(client, &again, login: "bruno")
            #expect(try await Self.secondStep(client, &again, code: codes[3]).status == .unauthorized)
            #expect(try await store.twoFactor(userID: bruno.id)?.recoveryCodesLeft == 9)

            let log = try await store.signIns(limit: 50)
            #expect(log.contains { $0.login == "bruno" && !$0.success && $0.reason == "second factor: code already used" })
            #expect(log.contains { $0.login == "bruno" && $0.success && $0.reason == "second factor: recovery code" })
        }
    }

    @Test func secondStepIsThrottled() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        let secret = try await Self.enrolInStore(fixture, login: "bruno")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await Self.password(client, &browser, login: "bruno")
            for _ in 0..<5 { #expect(try await Self.secondStep(client, &browser, code: "000000").status == .unauthorized) }
            // Even the right code waits now, and signing in with the password again does not clear it.
            var fresh = Browser()
            _ = try await Self.password(client, &fresh, login: "bruno")
            let blocked = try await Self.secondStep(client, &fresh, code: try Self.oathtool(Base32.encode(secret)))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers[.retryAfter] != nil)
        }
    }

    @Test func requiredForAdminsForcesEnrolmentAtSignIn() async throws {
        let fixture = try await WebFixture.make { $0.auth.twoFactor.requiredFor = .admins }
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            // Not an administrator: straight in.
            var bruno = Browser()
            #expect(try await Self.password(client, &bruno, login: "bruno").headers[.location] == "/")
            var alice = Browser()
            let signIn = try await Self.password(client, &alice, login: "alice")
            #expect(signIn.headers[.location] == "/connexion/double-authentification")
            #expect(try await alice.get(client, "/").status == .seeOther)
            #expect(try await alice.get(client, "/admin").status == .seeOther)
            let page = try await alice.get(client, "/connexion/double-authentification")
            let html = page.body.string
            #expect(html.contains("otpauth://totp/") && html.contains("<svg"))
            let secret = try Self.secret(in: html)
            let csrf = try #require(Browser.csrf(in: html))
            #expect(try await alice.post(client, "/connexion/double-authentification", [("_csrf", csrf), ("code", "999999")]).status == .unauthorized)
            let done = try await alice.post(client, "/connexion/double-authentification", [("_csrf", csrf), ("code", try Self.oathtool(secret))])
            #expect(done.status == .ok)
            #expect(Self.recoveryCodes(in: done.body.string).count == 10)
            #expect(done.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            #expect(try await alice.get(client, "/admin").status == .ok)
            let aliceID = try #require(try await store.user(login: "alice")?.id)
            #expect(try await store.twoFactor(userID: aliceID)?.enrolledAt != nil)
        }
    }

    @Test func trustedNetworkSkipsTheSecondStep() async throws {
        let fixture = try await WebFixture.make { config in
            config.auth.trustedProxies = ["127.0.0.1"]
            config.auth.twoFactor.trustedNetworks = [try! #require(NetworkRange("10.0.0.0/8"))]
        }
        let store = fixture.store
        let bruno = try #require(try await store.user(login: "bruno"))
        try await Self.enrolInStore(fixture, login: "bruno")
        let forwarded = HTTPField.Name("X-Forwarded-For")!
        try await fixture.application().test(.live) { client in
            var inside = Browser()
            let lan = try await Self.password(client, &inside, login: "bruno", extra: [forwarded: "10.20.30.40"])
            #expect(lan.headers[.location] == "/")
            var outside = Browser()
            let remote = try await Self.password(client, &outside, login: "bruno", extra: [forwarded: "203.0.113.9"])
            #expect(remote.headers[.location] == "/connexion/double-authentification")
        }
        // A peer that is not a trusted proxy cannot claim to be on the LAN.
        let direct = try await WebFixture.make { $0.auth.twoFactor.trustedNetworks = [try! #require(NetworkRange("10.0.0.0/8"))] }
        try await Self.enrolInStore(direct, login: "bruno")
        try await direct.application().test(.live) { client in
            var claimer = Browser()
            let response = try await Self.password(client, &claimer, login: "bruno", extra: [forwarded: "10.20.30.40"])
            #expect(response.headers[.location] == "/connexion/double-authentification")
        }
    }

    @Test func administratorResetsASecondFactor() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        let bruno = try #require(try await store.user(login: "bruno"))
        try await Self.enrolInStore(fixture, login: "bruno")
        try await fixture.application().test(.router) { client in
            var admin = Browser()
            _ = try await admin.signIn(client, login: "alice")
            let users = try await admin.get(client, "/admin/utilisateurs")
            #expect(users.body.string.contains("/admin/double-authentification/\(bruno.id)/reinitialiser"))
            let csrf = try #require(Browser.csrf(in: users.body.string))
            #expect(try await admin.post(client, "/admin/double-authentification/\(bruno.id)/reinitialiser", []).status == .forbidden)
            #expect(try await store.twoFactor(userID: bruno.id) != nil)
            // A session bruno opened before losing his phone.
            try await store.sessionSet(key: "session-of-bruno", value: Data("{}".utf8), expires: Date().addingTimeInterval(3_600), userID: bruno.id)
            #expect(try await store.sessionOwner(key: "session-of-bruno") != nil)
            let reset = try await admin.post(client, "/admin/double-authentification/\(bruno.id)/reinitialiser", [("_csrf", csrf)])
            #expect(reset.status == .seeOther)
            #expect(try await store.twoFactor(userID: bruno.id) == nil)
            #expect(try await store.sessionOwner(key: "session-of-bruno") == nil, "the reset ends the agent's sessions")
            let log = try await store.signIns(limit: 10)
            #expect(log.contains { $0.method == "second_factor_reset" && $0.login == "bruno" && $0.reason == "second factor reset by alice" })
            var after = Browser()
            #expect(try await Self.password(client, &after, login: "bruno").headers[.location] == "/")
            let home = try await after.get(client, "/")
            let agentToken = try #require(Browser.csrf(in: home.body.string))
            let refused = try await after.post(client, "/admin/double-authentification/\(bruno.id)/reinitialiser", [("_csrf", agentToken)])
            #expect(refused.status == .forbidden || refused.status == .notFound)
        }
    }

    /// `kiosque user reset-two-factor` for an administrator nobody can reset on the web.
    @Test func resetFromTheCommandLine() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        try await Self.enrolInStore(fixture, login: "alice")
        func run(_ login: String) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = Self.kiosqueBinary
            process.arguments = ["user", "reset-two-factor", "--config", fixture.dataDirectory + "/channels.yml",
                                 "--data-dir", fixture.dataDirectory, login]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let (status, output) = try run("alice")
        #expect(status == 0 && output.contains("Removed the second factor of alice"), "\(output)")
        let alice = try #require(try await store.user(login: "alice"))
        #expect(try await store.twoFactor(userID: alice.id) == nil)
        #expect(try await store.signIns(limit: 5).contains { $0.method == "second_factor_reset" && $0.login == "alice" })
        #expect(try run("alice").1.contains("has no second factor"))
        #expect(try run("personne").0 != 0)
    }

    @Test func disableNeedsACodeOrThePassword() async throws {
        let fixture = try await WebFixture.make()
        let store = fixture.store
        let bruno = try #require(try await store.user(login: "bruno"))
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            _ = try await Self.enrol(client, &browser)
            let page = try await browser.get(client, "/compte/double-authentification")
            let csrf = try #require(Browser.csrf(in: page.body.string))
            let refused = try await browser.post(client, "/compte/double-authentification/desactiver", [("_csrf", csrf), ("password", "pas-le-bon")])
            #expect(refused.status == .unauthorized)
            #expect(try await store.twoFactor(userID: bruno.id) != nil)
            let done = try await browser.post(client, "/compte/double-authentification/desactiver", [("_csrf", csrf), ("password", WebFixture.password)])
            #expect(done.status == .seeOther)
            #expect(try await store.twoFactor(userID: bruno.id) == nil)
        }
    }

    /// A directory account (real slapd) answers the same second step, enrolment first when required.
    @Test(.timeLimit(.minutes(2))) func directoryAccountsAnswerTheSecondStep() async throws {
        let slapd = try await SlapdServer.startTownHall()
        defer { slapd.shutdown() }
        try slapd.add(SlapdServer.person("gaelle", "Gaëlle Roux", suffix: slapd.suffix))
        let passwordFile = NSTemporaryDirectory() + "kiosque-ldap-secret-\(UUID().uuidString)"
        try "kiosque-pw\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let suffix = slapd.suffix, url = slapd.url
        let fixture = try await WebFixture.make { configuration in
            var ldap = PortalConfiguration.Directory()
            ldap.url = url
            ldap.bindDN = "cn=kiosque,ou=services,\(suffix)"
            ldap.bindPassword = .file(passwordFile)
            ldap.baseDN = "ou=agents,\(suffix)"
            ldap.connectTimeout = 2
            ldap.timeout = 2
            configuration.auth.ldap = ldap
            configuration.auth.twoFactor.requiredFor = .everyone
        }
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let signIn = try await browser.signIn(client, login: "gaelle", password: "gaelle-pw")
            #expect(signIn.headers[.location] == "/connexion/double-authentification")
            #expect(try await browser.get(client, "/").status == .seeOther)
            let page = try await browser.get(client, "/connexion/double-authentification")
            let secret = try Self.secret(in: page.body.string)
            let csrf = try #require(Browser.csrf(in: page.body.string))
            let done = try await browser.post(client, "/connexion/double-authentification", [("_csrf", csrf), ("code", try Self.oathtool(secret))])
            #expect(done.status == .ok && Self.recoveryCodes(in: done.body.string).count == 10)
            #expect(try await browser.get(client, "/").status == .ok)

            var again = Browser()
            let second = try await again.signIn(client, login: "gaelle", password: "gaelle-pw")
            #expect(second.headers[.location] == "/connexion/double-authentification")
            let ok = try await Self.secondStep(client, &again, code: try Self.oathtool(secret, at: Date().addingTimeInterval(30)))
            #expect(ok.status == .seeOther && ok.headers[.location] == "/")
            let log = try await store.signIns(limit: 20)
            #expect(log.contains { $0.method == "directory" && $0.login == "gaelle" && $0.reason == "second factor: code" })
        }
    }

    /// The `kiosque` binary next to the test bundle (built with the tests).
    static var kiosqueBinary: URL {
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle.appendingPathComponent("kiosque"), bundle.deletingLastPathComponent().appendingPathComponent("kiosque")]
            where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/kiosque")
    }

    /// `kiosque backup` carries the portal key: a portal restored from it into an empty folder still
    /// opens the sealed secrets, and an enrolled agent signs in with an oathtool code.
    @Test func enrolledAgentSignsInOnARestoredBackup() async throws {
        let fixture = try await WebFixture.make()
        let secret = try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            return try await Self.enrol(client, &browser).secret
        }
        let destination = NSTemporaryDirectory() + "kiosque-restore-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = Self.kiosqueBinary
        process.arguments = ["backup", "--data-dir", fixture.dataDirectory, destination]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: destination + "/kiosque.key"))

        // The same database without the key (as backups were before): the portal makes a new key and no code opens.
        let keyless = NSTemporaryDirectory() + "kiosque-restore-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: keyless, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: destination + "/kiosque.sqlite", toPath: keyless + "/kiosque.sqlite")
        let code = try Self.oathtool(secret, at: Date().addingTimeInterval(30))
        for (folder, works) in [(keyless, false), (destination, true)] {
            let restoredStore = try AppDatabase.open(path: folder + "/kiosque.sqlite")
            let live = LiveConfiguration(fixture.configuration, path: folder + "/channels.yml", store: restoredStore)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let restored = try await WebServer(configuration: live, store: restoredStore, scheduler: nil,
                                               options: .init(dataDirectory: folder), logger: logger)
            try await Application(router: restored.routes).test(.router) { client in
                var browser = Browser()
                let signIn = try await browser.signIn(client, login: "bruno")
                #expect(signIn.headers[.location] == "/connexion/double-authentification")
                let answer = try await Self.secondStep(client, &browser, code: code)
                #expect(answer.status == (works ? .seeOther : .unauthorized), "\(folder)")
                #expect(try await browser.get(client, "/").status == (works ? .ok : .seeOther), "\(folder)")
            }
        }
    }

    /// The server's QR code is a real one: a version's size (17 + 4v modules, four of quiet zone each
    /// side) and the three finder patterns where a reader looks for them; titled for screen readers.
    @Test func qrCodeHasTheShapeOfAQRCode() throws {
        let uri = TOTP(secret: Data(repeating: 7, count: 20)).provisioningURI(account: "bruno", issuer: "Mairie <test>")
        let svg = try #require(QRCodeSVG.svg(for: uri, title: "Code <QR>"))
        #expect(svg.contains("<title id=\"qr-title\">Code &lt;QR&gt;</title>") && svg.contains("aria-labelledby=\"qr-title\""))
        let viewBox = try #require(svg.range(of: #"viewBox="0 0 \d+"#, options: .regularExpression))
        let size = try #require(Int(svg[viewBox].split(separator: " ").last!))
        let width = size - 8
        #expect(width >= 21 && (width - 17) % 4 == 0)
        var dark = Set<Int>()
        let path = try #require(svg.range(of: #" d="M[^"]+""#, options: .regularExpression))
        for move in svg[path].dropFirst(4).dropLast().split(separator: "M") {
            let numbers = move.prefix { $0 != "h" }.split(separator: " ").compactMap { Int($0) }
            try #require(numbers.count == 2, "\(move)")
            dark.insert((numbers[1] - 4) * width + (numbers[0] - 4))
        }
        func isFinder(_ x0: Int, _ y0: Int) -> Bool {
            (0..<7).allSatisfy { y in
                (0..<7).allSatisfy { x in
                    let ring = x == 0 || y == 0 || x == 6 || y == 6, core = (2...4).contains(x) && (2...4).contains(y)
                    return dark.contains((y0 + y) * width + x0 + x) == (ring || core)
                }
            }
        }
        #expect(isFinder(0, 0) && isFinder(width - 7, 0) && isFinder(0, width - 7))
        #expect(!isFinder(width - 7, width - 7))
    }

    @Test func policyDiagnostics() throws {
        let base = """
            sources:
              - { id: cert, url: "https://cert.example.org/feed", title: "CERT" }
            channels:
              - { id: securite, title: "Sécurité", sources: [cert] }
            bouquets:
              - { id: administration, title: "Administration", channels: [securite], default: true }
            """
        let good = "auth:\n  two_factor: { required_for: admins, trusted_networks: [\"10.0.0.0/8\", \"fd00::/8\", \"192.168.1.7\"] }\n" + base
        let (config, _) = try ConfigLoader.parse(good)
        #expect(config.auth.twoFactor.requiredFor == .admins)
        #expect(config.auth.twoFactor.isTrusted(address: "10.200.1.2"))
        #expect(config.auth.twoFactor.isTrusted(address: "::ffff:10.1.1.1"))
        #expect(config.auth.twoFactor.isTrusted(address: "fd12::1"))
        #expect(config.auth.twoFactor.isTrusted(address: "192.168.1.7"))
        #expect(!config.auth.twoFactor.isTrusted(address: "192.168.1.8"))
        #expect(!config.auth.twoFactor.isTrusted(address: "11.0.0.1"))
        #expect(!config.auth.twoFactor.isTrusted(address: "unknown"))
        let bad = "auth:\n  two_factor:\n    required_for: tout-le-monde\n    trusted_network: []\n    trusted_networks: [\"10.0.0.0/33\", \"réseau\"]\n" + base
        do {
            _ = try ConfigLoader.parse(bad)
            Issue.record("bad two_factor section accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(":3:19: error: `auth.two_factor.required_for` must be none, admins or everyone"), "\(text)")
            #expect(text.contains(":4:5: error: auth.two_factor: unknown key `trusted_network`"), "\(text)")
            #expect(text.contains(":5:24:") && text.contains("`10.0.0.0/33` is not a network"), "\(text)")
            #expect(text.contains("`réseau` is not a network"), "\(text)")
        }
    }
}
