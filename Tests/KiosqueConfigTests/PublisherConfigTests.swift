import KiosqueConfig
import Testing

/// channels.yml's `departments[].publisher` and `departments[].approval` (issue 17: announcements).
@Suite("Department publisher and approval keys")
struct PublisherConfigTests {
    let base = """
        sources:
          - { id: cert-fr, url: "https://www.cert.ssi.gouv.fr/feed/", title: "CERT-FR" }
        channels:
          - { id: securite, title: "Sécurité", sources: [cert-fr] }
        bouquets:
          - { id: administration, title: "Administration", channels: [securite], default: true }
        departments:

        """

    @Test("publisher and approval are read, and default to false")
    func readsKeys() throws {
        let yaml = base + """
              - { id: communication, title: "Communication", publisher: true, approval: true }
              - { id: dsi, title: "Informatique" }
            """
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.isEmpty)
        #expect(config.catalog.departments[0].publisher)
        #expect(config.catalog.departments[0].approval)
        #expect(!config.catalog.departments[1].publisher)
        #expect(!config.catalog.departments[1].approval)
    }

    @Test("a value that is not a boolean is an error at its place", arguments: ["publisher", "approval"])
    func rejectsNonBoolean(_ key: String) throws {
        let yaml = base + "  - { id: communication, title: \"Communication\", \(key): souvent }\n"
        #expect {
            _ = try ConfigLoader.parse(yaml)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("departments[communication].\(key)") && text.contains("must be true or false") && text.contains(":8:")
        }
    }

    @Test("a misspelt key is reported with a suggestion")
    func misspelt() throws {
        let yaml = base + "  - { id: communication, title: \"Communication\", publsher: true }\n"
        #expect {
            _ = try ConfigLoader.parse(yaml)
        } throws: { error in
            String(describing: error).contains("unknown key `publsher` (did you mean `publisher`?)")
        }
    }
}
