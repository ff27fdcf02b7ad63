import ArgumentParser
import Foundation
import KiosqueStore
import KiosqueWeb

/// `kiosque search`: the agents' search, from the terminal.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search stored items with the portal's query syntax.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: "The query, e.g. 'délibération canal:collectivites depuis:2025-01-01'.") var query: String
    @Flag(help: "Print JSON: {\"total\", \"items\": [{\"id\", \"title\", \"link\", \"channel\", \"source\", \"published\", \"snippet\"}]}.") var json = false
    @Option(help: "How many results.") var limit = 20

    func run() async throws {
        let services = try await Services.open(locations, configuration: try locations.loadConfiguration(printWarnings: false))
        let results: SearchResults
        do {
            results = try await services.store.search(query: query, userID: nil, limit: max(1, min(limit, 500)))
        } catch {
            throw Self.explain(error)
        }
        if json {
            let items: [[String: Any]] = results.items.map { hit in
                [
                    "id": hit.item.id, "title": hit.item.title ?? NSNull(), "link": hit.item.link ?? NSNull(),
                    "channel": hit.item.channel?.id ?? NSNull(), "source": hit.item.sourceID,
                    "published": hit.item.published.map { $0.formatted(.iso8601) } ?? NSNull(),
                    "snippet": hit.snippet.map(\.text).joined(),
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: ["total": results.total, "items": items], options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data)
            print()
            return
        }
        print("\(results.total) result(s)")
        for hit in results.items {
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

/// `kiosque backup`: a consistent online snapshot of the database and the documents.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent snapshot of the database and the documents into a folder.")
    @OptionGroup var locations: LocationOptions
    @Argument(help: ArgumentHelp("Destination folder (created if missing; must not already hold a backup).", valueName: "dir")) var destination: String

    func run() async throws {
        let fm = FileManager.default
        let databaseCopy = (destination as NSString).appendingPathComponent("kiosque.sqlite")
        if fm.fileExists(atPath: databaseCopy) { throw CLIFailure.user("\(destination) already holds a backup; choose an empty folder") }
        do {
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure.user("cannot create \(destination): \(error.localizedDescription)")
        }
        guard fm.fileExists(atPath: locations.databasePath) else { throw CLIFailure.user("no database at \(locations.databasePath)") }
        let store: AppDatabase
        do { store = try AppDatabase.open(path: locations.databasePath) } catch { throw CLIFailure.user("cannot open the database: \(error)") }
        do { try await store.backup(to: databaseCopy) } catch { throw CLIFailure.internal("backup of the database failed: \(error)") }
        let documents = locations.documentsPath
        if fm.fileExists(atPath: documents) {
            let target = (destination as NSString).appendingPathComponent("documents")
            do { try fm.copyItem(atPath: documents, toPath: target) } catch { throw CLIFailure.internal("copying the documents failed: \(error.localizedDescription)") }
        }
        print("Backup written to \(destination): kiosque.sqlite\(fm.fileExists(atPath: documents) ? " and documents/" : "").")
    }
}
