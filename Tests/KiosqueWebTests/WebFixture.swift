import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueConfig
import KiosqueModel
import KiosqueRefresh
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Logging
import Synchronization
import Testing

/// A clock a test moves (`WebServer.Options.now`).
final class TestClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date { value.withLock { $0 } }
    func set(_ date: Date) { value.withLock { $0 = date } }
}

/// A portal with a real store (SQLite unless told otherwise) in a temporary folder, two channels with items and two agents.
struct WebFixture {
    static let password = "un-mot-de-passe-solide"
    /// bcrypt's minimum: the suites sign in hundreds of times at once on two cores, and a hash at the
    /// portal's cost 11 queued behind the others outlasted the test client's 20-second read timeout.
    static let testPasswordCost: UInt8 = 4
    let store: any PortalStore
    let server: WebServer
    let dataDirectory: String
    let configuration: PortalConfiguration
    let live: LiveConfiguration

    /// `clock`: the web layer's clock (`WebServer.Options.now`), for tests that move time; nil: the system's.
    static func make(backend: StoreBackend = StoreBackends.sqlite, clock: TestClock? = nil,
                     configure: (inout PortalConfiguration) -> Void = { _ in }) async throws -> WebFixture {
        let yaml = """
        portal: { title: "Intranet de test", language: fr }
        sources:
          - { id: cert, url: "https://cert.example.org/feed", title: "CERT test", trusted: true }
          - { id: presse, url: "https://presse.example.org/rss", title: "Presse test" }
        channels:
          - { id: securite, title: "Sécurité", description: "Alertes", sources: [cert] }
          - { id: collectivites, title: "Collectivités", sources: [presse] }
        bouquets:
          - { id: administration, title: "Administration", channels: [securite], default: true }
          - { id: vie-locale, title: "Vie locale", channels: [collectivites], groups: [urbanisme] }
        """
        var (configuration, _) = try ConfigLoader.parse(yaml, file: "test.yml")
        configure(&configuration)
        let directory = NSTemporaryDirectory() + "kiosque-web-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try await backend.make(directory)
        _ = try await store.syncCatalog(configuration.catalog)
        let now = Date()
        _ = try await store.ingest(sourceID: "cert", items: [
            PreparedItem(item: ParsedItem(id: "a1", title: "Faille critique dans un pare-feu", link: "https://cert.example.org/a1",
                                          published: now.addingTimeInterval(-3_600), summary: "Une faille permet l'exécution de code.",
                                          contentHTML: "<p>Appliquez les <strong>correctifs</strong> des délibérations.</p>"),
                         contentText: "Appliquez les correctifs des délibérations."),
            PreparedItem(item: ParsedItem(id: "a2", title: "Bulletin <hebdomadaire> & \"sécurité\"", link: "https://cert.example.org/a2",
                                          published: now.addingTimeInterval(-7_200), summary: "Résumé de la semaine."),
                         contentText: "Résumé de la semaine."),
        ], fetchedAt: now)
        _ = try await store.ingest(sourceID: "presse", items: [
            PreparedItem(item: ParsedItem(id: "p1", title: "Le conseil municipal vote le budget", link: "https://presse.example.org/p1",
                                          published: now.addingTimeInterval(-600), summary: "Les élus ont voté."),
                         contentText: "Les élus ont voté le budget primitif."),
        ], fetchedAt: now)
        let hash = await PasswordHasher(cost: testPasswordCost).hash(password)
        for (login, admin) in [("alice", true), ("bruno", false)] {
            let user = try await store.createUser(NewUser(login: login, name: login.capitalized, passwordHash: hash, isAdmin: admin))
            _ = try await store.subscribeDefaults(userID: user.id)
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let live = LiveConfiguration(configuration, path: directory + "/channels.yml", store: store)
        try yaml.write(toFile: directory + "/channels.yml", atomically: true, encoding: .utf8)
        var options = WebServer.Options(dataDirectory: directory, passwordCost: testPasswordCost)
        if let clock { options.now = { clock.now } }
        let server = try await WebServer(configuration: live, store: store, scheduler: nil, options: options, logger: logger)
        return WebFixture(store: store, server: server, dataDirectory: directory, configuration: configuration, live: live)
    }

    func application() -> some ApplicationProtocol {
        Application(router: server.routes)
    }

    func itemID(_ guid: String) async throws -> Int64 {
        let results = try await store.search(query: guid == "a1" ? "pare-feu" : guid == "p1" ? "budget" : "hebdomadaire", userID: nil)
        return try #require(results.items.first?.item.id)
    }
}

/// A browser-like client: keeps cookies and reads CSRF tokens from pages.
struct Browser {
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func remember(_ response: TestResponse) {
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]), value = String(pair[1])
            if value.isEmpty || field.contains("1970") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    func headers(form: Bool = false, extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
        if form { headers[.contentType] = "application/x-www-form-urlencoded" }
        return headers
    }

    mutating func get(_ client: some TestClientProtocol, _ uri: String, extra: HTTPFields = [:]) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers(extra: extra), body: nil)
        remember(response)
        return response
    }

    mutating func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)], extra: HTTPFields = [:]) async throws -> TestResponse {
        let body = FormData.encode(fields)
        let response = try await client.execute(uri: uri, method: .post, headers: headers(form: true, extra: extra), body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Signs in through the real form; returns the CSRF token of the session.
    mutating func signIn(_ client: some TestClientProtocol, login: String, password: String = WebFixture.password,
                         extra: HTTPFields = [:]) async throws -> TestResponse {
        let form = try await get(client, "/connexion", extra: extra)
        let token = try #require(Self.csrf(in: form.body.string))
        return try await post(client, "/connexion", [("_csrf", token), ("login", login), ("password", password), ("retour", "/")], extra: extra)
    }

    mutating func csrf(_ client: some TestClientProtocol) async throws -> String {
        let page = try await get(client, "/compte")
        return try #require(Self.csrf(in: page.body.string))
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        let match = html[range]
        return match.split(separator: "\"").dropFirst(3).first.map(String.init)
    }
}

extension ByteBuffer {
    var string: String { String(buffer: self) }
}
