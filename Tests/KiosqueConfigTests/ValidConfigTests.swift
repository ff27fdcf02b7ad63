import Foundation
import KiosqueConfig
import KiosqueModel
import Testing

@Suite("Valid configuration")
struct ValidConfigTests {
    @Test func defaultsAreFilledIn() throws {
        let (config, _) = try ConfigLoader.parse(validBase)
        #expect(config.fetch.interval == 1_800)
        #expect(config.fetch.timeout == 20)
        #expect(config.fetch.maxBytes == 5 * 1_048_576)
        #expect(config.retention.days == 180)
        #expect(config.portal.language == "fr")
        #expect(config.catalog.sources.first?.interval == nil)
        #expect(config.interval(of: config.catalog.sources[0]) == 1_800)
    }

    @Test func fullShapeIsRead() throws {
        let yaml = """
        portal:   { title: "Intranet de la Ville", base_url: "https://intranet.ville.fr", language: en }
        fetch:    { interval: 1h30m, timeout: 20s, max_bytes: 512KB, concurrency: 8, per_host: 2, user_agent: "UA", proxy: "http://proxy.local:3128" }
        retention: { days: 30, max_items_per_source: 500 }
        sources:
          - { id: cert-fr, url: "https://www.cert.ssi.gouv.fr/feed/", title: "CERT-FR", interval: 15m, trusted: true }
          - id: paywalled
            url: "https://presse.example.org/rss"
            credentials: { type: basic, user: mairie, password_env: PRESSE_PASSWORD }
          - { id: local, url: "file:///srv/feeds/demo.xml" }
        channels:
          - { id: securite, title: "Sécurité informatique", description: "...", sources: [cert-fr, paywalled, local], include: [faille], exclude: [promo] }
        bouquets:
          - { id: administration, title: "Administration", channels: [securite], default: true, groups: [dsi] }
        departments:
          - { id: urbanisme, title: "Urbanisme", categories: ["Délibération", "Note de service"] }
        """
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.isEmpty)
        #expect(config.portal.baseURL == "https://intranet.ville.fr")
        #expect(config.fetch.interval == 5_400)
        #expect(config.fetch.maxBytes == 524_288)
        #expect(config.fetch.proxy == "http://proxy.local:3128")
        #expect(config.catalog.sources[0].interval == 900)
        #expect(config.catalog.sources[0].trusted)
        #expect(config.catalog.sources[1].credentials == .basic(user: "mairie", password: .environment("PRESSE_PASSWORD")))
        #expect(config.catalog.channels[0].include == ["faille"])
        #expect(config.catalog.bouquets[0].groups == ["dsi"])
        #expect(config.catalog.departments[0].categories == ["Délibération", "Note de service"])
    }

    @Test func shippedChannelsFilePasses() throws {
        // The default file at the top of the repository, which `make run` serves.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let (config, warnings) = try ConfigLoader.load(path: root.appendingPathComponent("channels.yml").path)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(config.catalog.sources.count >= 10)
        #expect(config.catalog.departments.map(\.id).contains("urbanisme"))
        #expect(config.catalog.bouquets.contains { $0.isDefault })
    }

    @Test(arguments: [("15m", 900.0), ("2h", 7_200), ("1d", 86_400), ("1h30m", 5_400), ("45s", 45), ("90", 90)])
    func durations(text: String, seconds: Double) {
        #expect(ConfigUnits.duration(text) == seconds)
    }

    @Test(arguments: ["", "m", "15x", "1.2.3h", "-5m", "h15"])
    func badDurations(text: String) {
        #expect(ConfigUnits.duration(text) == nil)
    }

    @Test(arguments: [("512KB", Int64(524_288)), ("5MB", 5_242_880), ("1GB", 1_073_741_824), ("1024", 1_024), ("2 Mo", 2_097_152)])
    func sizes(text: String, bytes: Int64) {
        #expect(ConfigUnits.size(text) == bytes)
    }

    @Test(arguments: ["", "MB", "5XB", "-1MB", "five"])
    func badSizes(text: String) {
        #expect(ConfigUnits.size(text) == nil)
    }
}
