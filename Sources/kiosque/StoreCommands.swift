import ArgumentParser
import Foundation
import KiosqueStore
import KiosqueStorePostgres
import KiosqueWeb

/// `kiosque search`: the agents' search, from the terminal.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search stored items with the portal's query syntax.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: "The query, e.g. 'délibération canal:collectivites depuis:2025-01-01'.") var query: String
    @Flag(help: "Print JSON: {\"total\", \"items\": [{\"id\", \"title\", \"link\", \"channel\", \"source\", \"published\", \"snippet\"}], \"documents_total\", \"documents\": [{\"id\", \"title\", \"service\", \"category\", \"visibility\", \"url\", \"snippet\"}]}.") var json = false
    @Option(help: "How many results.") var limit = 20
    @Option(name: .customLong("as"), help: ArgumentHelp("Search as this agent: also finds the members-only documents of their departments (default: organisation-wide documents only).", valueName: "login"))
    var agent: String?

    func run() async throws {
        let services = try await Services.open(locations, configuration: try locations.loadConfiguration(printWarnings: false))
        let results: SearchResults
        let documents: DocumentSearchResults
        do {
            // Without --as, an anonymous viewer: only what every agent may see.
            var viewer = DocumentViewer(userID: -1, isAdmin: false)
            if let agent {
                guard let account = try await services.store.user(login: agent) else { throw CLIFailure.user("no agent with login \(agent)") }
                viewer = DocumentViewer(userID: account.id, isAdmin: account.isAdmin)
            }
            results = try await services.store.search(query: query, userID: viewer.userID < 0 ? nil : viewer.userID, limit: max(1, min(limit, 500)))
            documents = try await services.store.searchDocuments(results.query, viewer: viewer, limit: max(1, min(limit, 500)))
        } catch let error as StoreError {
            throw Self.explain(error)
        }
        // Organisation-wide documents are also items of their department's channel: list them once, as documents.
        let articles = results.items.filter { !($0.item.link ?? "").hasPrefix("/documents/") }
        let articleTotal = max(articles.count, results.total - documents.organisationWide)
        if json {
            let items: [[String: Any]] = articles.map { hit in
                [
                    "id": hit.item.id, "title": hit.item.title ?? NSNull(), "link": hit.item.link ?? NSNull(),
                    "channel": hit.item.channel?.id ?? NSNull(), "source": hit.item.sourceID,
                    "published": hit.item.published.map { $0.formatted(.iso8601) } ?? NSNull(),
                    "snippet": hit.snippet.map(\.text).joined(),
                ]
            }
            let found: [[String: Any]] = documents.hits.map { hit in
                [
                    "id": hit.record.id, "title": hit.record.title, "service": hit.record.departmentID,
                    "category": hit.record.category ?? NSNull(), "visibility": hit.record.visibility.rawValue,
                    "url": "/documents/\(hit.record.id)", "snippet": hit.snippet.map(\.text).joined(),
                ]
            }
            let object: [String: Any] = ["total": articleTotal, "items": items, "documents_total": documents.total, "documents": found]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data)
            print()
            return
        }
        if documents.total > 0 {
            print("\(documents.total) document(s)")
            for hit in documents.hits {
                let record = hit.record
                print("[\(record.id)] \(record.title) — \(record.departmentTitle)\(record.category.map { " · \($0)" } ?? "")"
                      + (record.visibility == .department ? " · members only" : ""))
                print("    " + hit.snippet.map { $0.highlighted ? "«\($0.text)»" : $0.text }.joined())
            }
        }
        print("\(articleTotal) result(s)")
        for hit in articles {
            let date = hit.item.published.map { $0.formatted(date: .abbreviated, time: .omitted) } ?? "-"
            print("[\(hit.item.id)] \(date)  \(hit.item.title ?? "(no title)") — \(hit.item.sourceTitle)")
            print("    " + hit.snippet.map { $0.highlighted ? "«\($0.text)»" : $0.text }.joined())
        }
    }
}

extension SearchCommand {
    /// A query the store cannot understand is the user's mistake; anything else is ours.
    static func explain(_ error: StoreError) -> CLIFailure {
        if case .invalidSearch(let problem) = error { return .user("the query cannot be understood: \(problem)") }
        return .internal("search failed: \(error)")
    }
}

/// `kiosque backup`: a consistent online snapshot of the database, the documents and the
/// announcements' pictures and attachments (`data/announcements`).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent snapshot of the database and the documents into a folder.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: ArgumentHelp("Destination folder (created if missing; must not already hold a backup).", valueName: "dir")) var destination: String

    func run() async throws {
        let fm = FileManager.default
        let postgres = try postgresStorage()
        let databaseName = postgres == nil ? "kiosque.sqlite" : "kiosque.pgdump"
        let databaseCopy = (destination as NSString).appendingPathComponent(databaseName)
        for name in ["kiosque.sqlite", "kiosque.pgdump"] where fm.fileExists(atPath: (destination as NSString).appendingPathComponent(name)) {
            throw CLIFailure.user("\(destination) already holds a backup; choose an empty folder")
        }
        do {
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure.user("cannot create \(destination): \(error.localizedDescription)")
        }
        if let postgres {
            // pg_dump's custom format: restored with pg_restore into an empty database.
            do { try PostgresDump(configuration: postgres).run(into: databaseCopy) } catch { throw CLIFailure.internal(error.description) }
        } else {
            guard fm.fileExists(atPath: locations.databasePath) else { throw CLIFailure.user("no database at \(locations.databasePath)") }
            let store: any PortalStore
            do { store = try AppDatabase.open(path: locations.databasePath) } catch { throw CLIFailure.user("cannot open the database: \(error)") }
            do { try await store.backup(to: databaseCopy) } catch { throw CLIFailure.internal("backup of the database failed: \(error)") }
        }
        let documents = locations.documentsPath
        if fm.fileExists(atPath: documents) {
            let target = (destination as NSString).appendingPathComponent("documents")
            do { try fm.copyItem(atPath: documents, toPath: target) } catch { throw CLIFailure.internal("copying the documents failed: \(error.localizedDescription)") }
        }
        // Announcements' pictures and attachments: the rows are in the database copy, the bytes here.
        let announcements = (locations.dataPath as NSString).appendingPathComponent("announcements")
        if fm.fileExists(atPath: announcements) {
            let target = (destination as NSString).appendingPathComponent("announcements")
            do { try fm.copyItem(atPath: announcements, toPath: target) } catch {
                throw CLIFailure.internal("copying the announcements' files failed: \(error.localizedDescription)")
            }
        }
        // The portal key signs sessions' CSRF tokens and unsubscribe links and will decrypt second
        // factors: a portal restored without it would make itself a new one and lose them.
        let key = (locations.dataPath as NSString).appendingPathComponent("kiosque.key")
        var copiedKey = false
        if fm.fileExists(atPath: key) {
            let target = (destination as NSString).appendingPathComponent("kiosque.key")
            do {
                try fm.copyItem(atPath: key, toPath: target)
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
                copiedKey = true
            } catch { throw CLIFailure.internal("copying the portal key failed: \(error.localizedDescription)") }
        }
        print("Backup written to \(destination): \(databaseName)\(fm.fileExists(atPath: documents) ? ", documents/" : "")"
              + (fm.fileExists(atPath: announcements) ? ", announcements/" : "")
              + (copiedKey ? " and kiosque.key." : "."))
        if copiedKey {
            print("It holds the portal key (kiosque.key): keep the backup as secret as the database itself.")
        }
        if postgres != nil {
            print("Restore the database with: pg_restore --dbname=<an empty database> \(databaseCopy)")
        }
    }

    /// The PostgreSQL database of the configuration's `storage:` section (or KIOSQUE_DATABASE_URL), with
    /// its password; nil when the portal keeps its SQLite store (no configuration file, or no storage).
    func postgresStorage() throws -> PostgresStoreConfiguration? {
        guard FileManager.default.fileExists(atPath: locations.configPath) else { return nil }
        return try Services.postgresConfiguration(try locations.loadConfiguration(printWarnings: false).storage, poolSize: 1)
    }
}
