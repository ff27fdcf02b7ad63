import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Holes found by attacking a running portal, each kept closed by a test.
@Suite("Attacks on the web front")
struct SecurityTests {
    @Test(arguments: StoreBackends.all) func oversizedBodiesAreRefusedWith413NotAnInternalError(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            let form = try await browser.post(client, "/compte/preferences",
                                              [("_csrf", token), ("layout", String(repeating: "a", count: 2 * 1_048_576))])
            #expect(form.status == .contentTooLarge)
            #expect(form.headers[.contentSecurityPolicy] != nil)
            let json = try await client.execute(uri: "/api/v1/subscriptions", method: .post,
                                                headers: browser.headers(extra: [.contentType: "application/json",
                                                                                 HTTPField.Name("X-CSRF-Token")!: token]),
                                                body: ByteBuffer(string: "{\"channel\": \"\(String(repeating: "a", count: 100_000))\"}"))
            #expect(json.status == .contentTooLarge)
            #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test(arguments: StoreBackends.all) func privateFeedAddressIsShownOnceAndNeverInAURL(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            // The address was put in the redirect's query (history, proxy logs), and the account
            // page showed whatever a crafted ?flux= link said.
            let created = try await browser.post(client, "/compte/flux-prive", [("_csrf", try await browser.csrf(client))])
            #expect(created.status == .ok)
            #expect(created.headers[.location] == nil)
            let feed = try #require(Self.privateFeedPath(in: created.body.string))
            #expect(try await client.execute(uri: feed, method: .get).status == .ok)
            let spoof = "/flux/agents/Compte suspendu : appelez le 01 23 45 67 89.atom"
            let spoofed = try await browser.get(client, "/compte?flux=" + FormData.percentEncode(spoof))
            #expect(spoofed.status == .ok)
            #expect(!spoofed.body.string.contains("appelez le"))
        }
    }

    /// The `/flux/agents/….atom` path shown on an account page.
    static func privateFeedPath(in html: String) -> String? {
        guard let range = html.range(of: #"/flux/agents/[A-Za-z0-9_-]+\.atom"#, options: .regularExpression) else { return nil }
        return String(html[range])
    }

    @Test func documentDownloadsAreNeverStoredByCaches() async throws {
        let fixture = try await WebFixture.withFinancesEditor()
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "edith")
            let id = try await WebFixture.publishBudget(client, as: &browser, visibility: "department")
            for path in ["/documents/\(id)/fichier", "/documents/\(id)/fichier?apercu=1", "/api/v1/documents/\(id)/file"] {
                let download = try await browser.get(client, path)
                #expect(download.status == .ok, "\(path)")
                #expect(download.headers[.cacheControl]?.contains("no-store") == true, "\(path)")
                #expect(download.headers[.xContentTypeOptions] == "nosniff", "\(path)")
            }
        }
    }

    /// A client that opens a connection and trickles (or never finishes) its request head is cut off.
    @Test(arguments: StoreBackends.all) func silentConnectionsAreClosed(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let server = try await WebServer(configuration: fixture.live, store: fixture.store, scheduler: nil,
                                         options: .init(port: 0, dataDirectory: fixture.dataDirectory, idleTimeout: .seconds(1)),
                                         logger: .init(label: "test"))
        try await server.application().test(.live) { client in  // the test client itself stays unused: it would go idle too
            let port = try #require(client.port)
            let started = Date()
            let slow = await Task.detached { Self.exchange(port: port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", waitAtMost: 10) }.value
            #expect(slow == "")
            #expect(Date().timeIntervalSince(started) < 8)
            // A whole request is still answered.
            let normal = await Task.detached {
                Self.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", waitAtMost: 10)
            }.value
            #expect(normal?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    /// Sends `request` on a new connection and returns what the server answered before closing it
    /// (nil when the connection failed or was still open after `seconds`).
    static func exchange(port: Int, _ request: String, waitAtMost seconds: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return String(decoding: answer, as: UTF8.self) }  // closed by the server
            if count < 0 { return errno == ECONNRESET ? String(decoding: answer, as: UTF8.self) : nil }  // EAGAIN: still open
            answer += buffer[..<count]
        }
    }
}

@Suite("Links taken from feeds")
struct FeedLinkTests {
    /// A feed may give an item any link; the item page already kept only http(s), but the Atom
    /// feeds and the API republished `javascript:` links to other readers.
    @Test(arguments: StoreBackends.all) func scriptLinksAreNotRepublished(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let now = Date()
        _ = try await fixture.store.ingest(sourceID: "cert", items: [
            PreparedItem(item: ParsedItem(id: "evil", title: "Lien piégé", link: "JavaScript:alert(document.cookie)", published: now),
                         contentText: "Lien piégé"),
        ], fetchedAt: now)
        try await fixture.application().test(.router) { client in
            let atom = try await client.execute(uri: "/canaux/securite.atom", method: .get)
            #expect(atom.status == .ok)
            #expect(atom.body.string.contains("Lien piégé"))
            #expect(!atom.body.string.lowercased().contains("javascript:"))
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let api = try await browser.get(client, "/api/v1/items?channel=securite")
            #expect(api.body.string.contains("Lien piégé"))
            #expect(!api.body.string.lowercased().contains("javascript:"))
            #expect(api.body.string.contains("https://cert.example.org/a1"))
        }
    }
}

@Suite("Response headers")
struct ResponseHeaderTests {
    @Test(arguments: StoreBackends.all) func everyAnswerIsSameOriginOnlyAndHTTPSPortalsAskForHSTS(_ backend: StoreBackend) async throws {
        let plain = try await WebFixture.make(backend: backend)
        try await plain.application().test(.router) { client in
            for path in ["/connexion", "/nexiste-pas", "/static/kiosque.css", "/api/v1/channels", "/canaux/securite.atom", "/healthz"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] == "same-origin", "\(path)")
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == nil, "\(path)")
            }
        }
        let secure = try await WebFixture.make(backend: backend) { $0.portal.baseURL = "https://intranet.example.org" }
        try await secure.application().test(.router) { client in
            for path in ["/connexion", "/nexiste-pas"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!]?.hasPrefix("max-age=") == true, "\(path)")
            }
        }
    }

    @Test(arguments: StoreBackends.all) func theAgentsPrivateFeedIsNotCached(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let created = try await browser.post(client, "/compte/flux-prive", [("_csrf", try await browser.csrf(client))])
            let feed = try #require(SecurityTests.privateFeedPath(in: created.body.string))
            let response = try await client.execute(uri: feed, method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl]?.contains("no-store") == true)
        }
    }
}

@Suite("Origin of state changes")
struct OriginTests {
    /// Behind a reverse proxy that rewrites Host, the browser's Origin is the public address:
    /// forms keep working there, and every other origin is still refused.
    @Test(arguments: StoreBackends.all) func thePublicAddressIsASameSiteOrigin(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { $0.portal.baseURL = "https://intranet.example.org" }
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            for origin in ["https://intranet.example.org.evil.example", "https://evil.example", "null", "https://intranet.example.org:8443"] {
                let refused = try await browser.post(client, "/compte/presentation", [("_csrf", token), ("layout", "river")],
                                                     extra: [.origin: origin])
                #expect(refused.status == .forbidden, "\(origin)")
            }
            let accepted = try await browser.post(client, "/compte/presentation", [("_csrf", token), ("layout", "river")],
                                                  extra: [.origin: "https://intranet.example.org"])
            #expect(accepted.status == .seeOther)
        }
    }
}

@Suite("Documents API failures")
struct DocumentsAPIFailureTests {
    /// A storage failure is the server's problem: the answer says so without the data folder's paths.
    @Test func storageFailuresDoNotRevealServerPaths() async throws {
        let fixture = try await WebFixture.withFinancesEditor()
        // Uploads cannot start: the temporary folder is now a file.
        let dataDirectory = fixture.dataDirectory
        let temporary = dataDirectory + "/documents/tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data("x".utf8)))
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "edith")
            let response = try await DocumentsPermissionTests.publish(client, as: &browser, department: "finances",
                                                                      [("title", "Budget"), ("category", "Délibérations")], name: "budget.pdf")
            #expect(response.status.code >= 500)
            #expect(!response.body.string.contains(dataDirectory))
            #expect(!response.body.string.contains("/documents/tmp"))
        }
    }
}

@Suite("Password guessing")
struct PasswordGuessingTests {
    /// The password-change form checks the current password: with someone else's session it was a
    /// way to guess that password without the sign-in form's limits.
    @Test(arguments: StoreBackends.all) func theCurrentPasswordOfTheAccountPageIsThrottledWithTheSignIn(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            for attempt in 0..<5 {
                let wrong = try await browser.post(client, "/compte/mot-de-passe",
                                                   [("_csrf", token), ("current", "essai-\(attempt)"), ("new", "nouveau-mot-de-passe"),
                                                    ("confirm", "nouveau-mot-de-passe")])
                #expect(wrong.status == .badRequest)
            }
            let blocked = try await browser.post(client, "/compte/mot-de-passe",
                                                 [("_csrf", token), ("current", WebFixture.password), ("new", "nouveau-mot-de-passe"),
                                                  ("confirm", "nouveau-mot-de-passe")])
            #expect(blocked.status == .tooManyRequests)
            #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
            // The sign-in form counts the same failures.
            var other = Browser()
            let signIn = try await other.signIn(client, login: "bruno")
            #expect(signIn.status == .tooManyRequests)
            #expect(Int(signIn.headers[.retryAfter] ?? "") ?? 0 > 60)
        }
    }
}

@Suite("Documents in public feeds")
struct DocumentFeedTests {
    @Test func departmentChannelFeedsAreForSignedInAgentsOnly() async throws {
        let fixture = try await WebFixture.withFinancesEditor()
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "edith")
            let created = try await DocumentsPermissionTests.publish(client, as: &browser, department: "finances",
                                                                     [("title", "Budget primitif interne"), ("category", "Délibérations"),
                                                                      ("visibility", "organisation")], name: "budget.pdf")
            #expect(created.status == .created)
            let anonymous = try await client.execute(uri: "/canaux/service-finances.atom", method: .get)
            #expect(anonymous.status == .notFound)
            #expect(!anonymous.body.string.contains("Budget primitif interne"))
            let signedIn = try await browser.get(client, "/canaux/service-finances.atom")
            #expect(signedIn.status == .ok)
            #expect(signedIn.body.string.contains("Budget primitif interne"))
            // News channels stay public.
            #expect(try await client.execute(uri: "/canaux/securite.atom", method: .get).status == .ok)
        }
    }
}

extension WebFixture {
    /// The usual portal plus a "finances" department whose editor is `edith`.
    static func withFinancesEditor() async throws -> WebFixture {
        let fixture = try await make { configuration in
            configuration.catalog.departments = [DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations"])]
        }
        let editor = try await fixture.store.createUser(NewUser(login: "edith", passwordHash: await AccountTools.hashPassword(password)))
        try await fixture.store.setMembership(userID: editor.id, departmentID: "finances", isEditor: true)
        return fixture
    }

    /// `browser` (edith) publishes budget.pdf in finances through the API; returns the document's id.
    static func publishBudget(_ client: some TestClientProtocol, as browser: inout Browser, visibility: String) async throws -> String {
        let created = try await DocumentsPermissionTests.publish(client, as: &browser, department: "finances",
                                                                 [("title", "Budget"), ("category", "Délibérations"), ("visibility", visibility)],
                                                                 name: "budget.pdf")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
        return try #require(json["id"] as? String)
    }
}

@Suite("API error answers")
struct APIErrorEchoTests {
    @Test(arguments: StoreBackends.all) func echoedInputNeverComesBackAsMarkup(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let payload = "<svg/onload=alert(1)>&"
            let response = try await browser.get(client, "/api/v1/items?channel=" + FormData.percentEncode(payload))
            #expect(response.status == .notFound)
            #expect(!response.body.string.contains("<svg"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: [String: String]])
            #expect(json["error"]?["message"]?.contains(payload) == true)
        }
    }
}

@Suite("Document previews")
struct DocumentPreviewTests {
    /// Every answer forbids framing (frame-ancestors 'none', X-Frame-Options DENY) and pages allow
    /// frames from video hosts only: a PDF preview in an iframe could never show. It opens inline instead.
    @Test func thePDFPreviewOpensInlineRatherThanInAFrameTheHeadersForbid() async throws {
        let fixture = try await WebFixture.withFinancesEditor()
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "edith")
            let id = try await WebFixture.publishBudget(client, as: &browser, visibility: "organisation")
            let page = try await browser.get(client, "/documents/\(id)")
            #expect(!page.body.string.contains("<iframe"))
            #expect(page.body.string.contains("href=\"/documents/\(id)/fichier?apercu=1\""))
            let preview = try await browser.get(client, "/documents/\(id)/fichier?apercu=1")
            #expect(preview.headers[.contentDisposition]?.hasPrefix("inline") == true)
            #expect(preview.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }
}
