import Foundation
import Testing
import KiosqueConfig
import KiosqueModel
@testable import KiosqueMail
@testable import KiosqueStore

/// A small town: council and press channels with news, a security channel without, and agents.
enum MailTown {
    static let now = Date(timeIntervalSince1970: 1_750_000_000) // 2025-06-15

    static let catalog = Catalog(
        sources: [
            SourceDefinition(id: "mairie", url: "https://ville.example/rss", title: "Mairie"),
            SourceDefinition(id: "presse", url: "https://presse.example/rss", title: "La Presse locale"),
            SourceDefinition(id: "cert", url: "https://cert.example/rss", title: "CERT-FR"),
        ],
        channels: [
            ChannelDefinition(id: "conseil", title: "Conseil municipal", sources: ["mairie"]),
            ChannelDefinition(id: "presse", title: "Presse", sources: ["presse"]),
            ChannelDefinition(id: "securite", title: "Sécurité", sources: ["cert"]),
        ],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["conseil", "presse", "securite"], isDefault: true)])

    static func item(_ id: String, _ title: String, at date: Date = now) -> PreparedItem {
        PreparedItem(item: ParsedItem(id: id, title: title, link: "https://example.org/\(id)", published: date), contentText: "")
    }

    /// The settings of a portal at https://intranet.ville.example sending through `url`.
    static func settings(url: String, startTLS: String = "off", caFile: String? = nil, alerts: [String] = [],
                         eightBit: Bool = false) throws -> MailSettings {
        var configuration = PortalConfiguration()
        configuration.catalog = catalog
        for index in configuration.catalog.channels.indices where alerts.contains(configuration.catalog.channels[index].id) {
            configuration.catalog.channels[index].alerts = true
        }
        configuration.portal.title = "Intranet de la Ville"
        configuration.portal.baseURL = "https://intranet.ville.example"
        configuration.mail.smtpURL = url
        configuration.mail.from = "Intranet de la Ville <intranet@ville.example>"
        configuration.mail.startTLS = startTLS
        configuration.mail.caFile = caFile
        configuration.mail.timeout = 10
        configuration.mail.maxPerMinute = 60_000
        configuration.mail.eightBit = eightBit
        return try #require(MailSettings(configuration, environment: [:]))
    }

    static let signer = UnsubscribeSigner(key: Data(repeating: 7, count: 32))

    /// A store with news fetched an hour ago and agents: alice (fr) follows council and press,
    /// bob (en) follows press, carol follows security only (nothing new), dave chose no digest.
    static func store(aliceAddress: String = "alice@ville.example") async throws -> AppDatabase {
        let db = try AppDatabase.temporary()
        try await db.syncCatalog(catalog, now: now.addingTimeInterval(-30 * 86_400))
        _ = try await db.ingest(sourceID: "mairie", items: [item("d1", "Délibération n°12 : budget « participatif » été 2025"),
                                                            item("d2", "Séance du conseil du 20 juin")],
                                fetchedAt: now.addingTimeInterval(-3_600))
        _ = try await db.ingest(sourceID: "presse", items: (1...7).map { item("p\($0)", "Article de presse \($0)", at: now.addingTimeInterval(Double(-$0 * 60))) },
                                fetchedAt: now.addingTimeInterval(-3_600))
        try await agent(db, "alice", aliceAddress, language: "fr", channels: ["conseil", "presse"])
        try await agent(db, "bob", "bob@ville.example", language: "en", channels: ["presse"])
        try await agent(db, "carol", "carol@ville.example", language: "fr", channels: ["securite"])
        try await agent(db, "dave", "dave@ville.example", language: "fr", channels: ["presse"], digest: "never")
        return db
    }

    static func agent(_ db: AppDatabase, _ login: String, _ email: String, language: String, channels: [String],
                      digest: String = "daily") async throws {
        let user = try await db.createUser(NewUser(login: login, name: login.capitalized + " Dupré", email: email, language: language),
                                           at: now.addingTimeInterval(-10 * 86_400))
        for channel in channels { try await db.subscribe(userID: user.id, channelID: channel) }
        var update = UserUpdate()
        update.digestFrequency = digest
        try await db.updateUser(id: user.id, update)
    }

    /// Records the digests due at `until` and delivers the outbox; returns the delivery tally.
    static func run(_ db: AppDatabase, _ settings: MailSettings, until: Date = now) async throws -> (recorded: Int, tally: [String: Int]) {
        let run = DigestRun(store: db, composer: DigestComposer(store: db), writer: DigestWriter(settings: settings, signer: signer))
        let recorded = try await run.enqueue(frequencies: ["daily", "weekly"], until: until)
        let delivery = MailDelivery(store: db, sender: SMTPSender(settings: settings.smtp), maxPerMinute: 60_000)
        let tally = try await delivery.deliver(now: until, ignoringBackoff: true)
        return (recorded, tally)
    }
}
