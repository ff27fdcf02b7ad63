import Foundation
@testable import KiosqueConfig
import Testing
import Yams

/// The `storage:` section of channels.yml and KIOSQUE_DATABASE_URL (issue 18).
@Suite("Storage configuration")
struct StorageConfigTests {
    @Test func issueExampleIsRead() throws {
        let yaml = """
        storage: { url: "postgres://kiosque@db.ville.local:5432/kiosque", password_env: KIOSQUE_DB_PASSWORD, pool: 20 }
        """ + "\n" + validBase
        let (config, _) = try ConfigLoader.parse(yaml)
        #expect(config.storage.isPostgres)
        #expect(config.storage.url == "postgres://kiosque@db.ville.local:5432/kiosque")
        #expect(config.storage.passwordEnvironment == "KIOSQUE_DB_PASSWORD")
        #expect(config.storage.pool == 20)
        #expect(config.storage.password(environment: ["KIOSQUE_DB_PASSWORD": "s3cret"]) == "s3cret")
    }

    @Test func withoutTheSectionTheStoreStaysSQLite() throws {
        guard ProcessInfo.processInfo.environment[StorageSectionReader.environmentURL] == nil else { return }
        let (config, _) = try ConfigLoader.parse(validBase)
        #expect(!config.storage.isPostgres)
    }

    @Test(arguments: [
        ("storage:\n  url: mysql://db/kiosque\n", 2, 8, "`storage.url` must be an address such as postgres://"),
        ("storage:\n  url: postgres://kiosque:secret@db/kiosque\n", 2, 8, "must not contain a password"),
        ("storage:\n  url: postgres://kiosque@db\n", 2, 8, "has no database name"),
        ("storage:\n  url: postgres://db/kiosque\n", 2, 8, "has no user"),
        ("storage:\n  url: postgres://k@db/kiosque?sslmode=require&x=1\n", 2, 8, "unknown option `x`"),
        ("storage:\n  url: postgres://k@db/kiosque\n  pool: 0\n", 3, 9, "`storage.pool`"),
        ("storage:\n  url: postgres://k@db/kiosque\n  password_env: \"not a name\"\n", 3, 17, "must name an environment variable"),
        ("storage:\n  pool: 5\n", 2, 3, "the `storage` section needs `url`"),
        ("storage:\n  uri: postgres://k@db/kiosque\n", 2, 3, "unknown key `uri` (did you mean `url`?)"),
    ])
    func brokenStorageSectionsPointAtTheField(yaml: String, line: Int, column: Int, message: String) throws {
        do {
            _ = try ConfigLoader.parse(yaml + validBase)
            Issue.record("expected an error containing \(message)")
        } catch {
            let found = error.diagnostics.first { $0.message.contains(message) }
            #expect(found != nil, "\(error.diagnostics.map(\.description))")
            #expect(found?.location?.line == line && found?.location?.column == column, "\(String(describing: found))")
        }
    }

    @Test func environmentURLIsUsedWhenTheFileNamesNoDatabase() throws {
        let reader = NodeReader(file: "channels.yml")
        var storage = PortalConfiguration.Storage()
        StorageSectionReader(reader: reader, environment: ["KIOSQUE_DATABASE_URL": "postgres://kiosque:pw@db:5433/intranet"])
            .read(nil, into: &storage)
        #expect(reader.diagnostics.isEmpty)
        #expect(storage.url == "postgres://kiosque:pw@db:5433/intranet")
        #expect(storage.urlFromEnvironment)
    }

    @Test func fileWinsOverTheEnvironmentWithAWarning() throws {
        let reader = NodeReader(file: "channels.yml")
        var storage = PortalConfiguration.Storage()
        let node = try #require(try Yams.compose(yaml: "url: postgres://kiosque@db/kiosque\n"))
        StorageSectionReader(reader: reader, environment: ["KIOSQUE_DATABASE_URL": "postgres://other@elsewhere/x"])
            .read(node, into: &storage)
        #expect(storage.url == "postgres://kiosque@db/kiosque")
        #expect(reader.diagnostics.map(\.message).contains { $0.contains("KIOSQUE_DATABASE_URL is ignored") })
    }

    @Test func brokenEnvironmentURLIsAnError() throws {
        let reader = NodeReader(file: "channels.yml")
        var storage = PortalConfiguration.Storage()
        StorageSectionReader(reader: reader, environment: ["KIOSQUE_DATABASE_URL": "sqlite:///data/kiosque.sqlite"]).read(nil, into: &storage)
        #expect(storage.url == nil)
        #expect(reader.diagnostics.map(\.message).contains { $0.contains("KIOSQUE_DATABASE_URL must be an address") })
    }
}
