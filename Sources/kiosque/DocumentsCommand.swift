import ArgumentParser
import Foundation
import KiosqueDocuments
import KiosqueStore

/// `kiosque documents …`: upkeep of the departmental documents.
struct DocumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "Departmental documents: storage check.",
        subcommands: [DocumentsCheckCommand.self]
    )
}

/// `kiosque documents check`: the start-up storage check, on demand, one line per problem.
struct DocumentsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare data/documents with the database: orphan files, missing files, documents not indexed (exit 1 if a file is missing).",
        discussion: "Safe while the portal runs: temporary upload files are counted, never removed (the portal removes them at start-up)."
    )

    @OptionGroup var locations: LocationOptions

    func run() async throws {
        guard FileManager.default.fileExists(atPath: locations.databasePath) else {
            throw CLIFailure.user("no database at \(locations.databasePath)")
        }
        let store: any PortalStore
        do { store = try AppDatabase.open(path: locations.databasePath) } catch { throw CLIFailure.user("cannot open the database: \(error)") }
        let report: StorageReport
        let unindexed: [(id: String, title: String, error: String)]
        let library: DocumentLibrary
        do {
            library = try DocumentLibrary(root: URL(fileURLWithPath: locations.documentsPath), store: store, extractsInBackground: false)
            report = try await library.checkStorage(removeTemporaryFiles: false)
            unindexed = try await store.unindexedDocuments()
        } catch {
            throw CLIFailure.internal("documents check failed: \(error)")
        }
        for hash in report.missing {
            print("missing \(library.storage.url(sha256: hash).path): a document version has no file; restore it from a backup")
        }
        for hash in report.orphans {
            print("orphan \(library.storage.url(sha256: hash).path): a file no document uses (safe to remove)")
        }
        for document in unindexed {
            print("not indexed /documents/\(document.id) «\(document.title)»: \(document.error)")
        }
        if report.temporaryFiles > 0 {
            print("temporary \(report.temporaryFiles) upload file(s) in \(locations.documentsPath)/tmp (in progress, or interrupted: removed at the next start)")
        }
        guard report.missing.isEmpty else {
            throw CLIFailure.user("\(report.missing.count) document file(s) missing")
        }
        if report.orphans.isEmpty && unindexed.isEmpty {
            print("\(locations.documentsPath): OK")
        }
    }
}
