import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import Testing

/// Ma page's members-only documents (`homePage(… documentsFor:)`) on PostgreSQL, as on SQLite.
extension PostgresOperationsTests {
    @Test func homePageListsTheMembersDocumentsLikeSQLite() async throws {
        func titles(_ store: any Store & HomeDocumentsStore) async throws -> [[String]] {
            try await store.syncCatalog(PostgresCatalogTests.catalog, now: Self.now)
            let alice = try await store.createUser(NewUser(login: "alice"), at: Self.now).id
            let bob = try await store.createUser(NewUser(login: "bob"), at: Self.now).id
            _ = try await store.subscribeDefaults(userID: alice, groups: [], at: Self.now)
            try await store.setMembership(userID: alice, departmentID: "urbanisme", isEditor: true)
            let editor = DocumentViewer(userID: alice, isAdmin: false)
            var created: [String] = []
            for (index, visibility) in [DocumentVisibility.department, .organisation, .department, .department].enumerated() {
                let file = StoredFile(sha256: String(repeating: String(index), count: 64), size: 10, fileName: "d\(index).txt",
                                      mediaType: "text/plain", kind: "txt")
                created.append(try await store.createDocument(departmentID: "urbanisme", metadata: DocumentMetadata(title: "Plan \(index)",
                                                              visibility: visibility), file: file, by: editor,
                                                              now: Self.now.addingTimeInterval(Double(index) * 60)).id)
            }
            _ = try await store.setDocumentStatus(id: created[3], .unpublished, now: Self.now.addingTimeInterval(600))
            let member = try await store.homePage(userID: alice, limit: 10, perChannel: 0, documentsFor: editor, documentLimit: 5)
            let limited = try await store.homePage(userID: alice, limit: 10, perChannel: 2, documentsFor: editor, documentLimit: 1)
            let other = try await store.homePage(userID: bob, limit: 10, perChannel: 0,
                                                 documentsFor: DocumentViewer(userID: bob, isAdmin: false), documentLimit: 5)
            let admin = try await store.homePage(userID: bob, limit: 10, perChannel: 0,
                                                 documentsFor: DocumentViewer(userID: bob, isAdmin: true), documentLimit: 5)
            let without = try await store.homePage(userID: alice, limit: 10, perChannel: 0, documentsFor: nil, documentLimit: 5)
            return [member, limited, other, admin, without].map { $0.memberDocuments.map(\.title) }
        }
        let sqlite = try await titles(try AppDatabase.temporary())
        #expect(sqlite == [["Plan 2", "Plan 0"], ["Plan 2"], [], [], []])
        try await PostgresCluster.withFreshStore { postgres in
            let found = try await titles(postgres)
            #expect(found == sqlite)
        }
    }
}

/// What the home page's documents test needs of both stores (PostgreSQL does not declare `DocumentStore` yet).
protocol HomeDocumentsStore: Sendable {
    func createDocument(departmentID: String, metadata: DocumentMetadata, file: StoredFile, by viewer: DocumentViewer,
                        now: Date) async throws(StoreError) -> DocumentRecord
    func setDocumentStatus(id: String, _ status: DocumentStatus, now: Date) async throws(StoreError) -> DocumentRecord
    func homePage(userID: Int64, limit: Int, perChannel: Int, documentsFor viewer: DocumentViewer?,
                  documentLimit: Int) async throws(StoreError) -> HomePage
}

extension AppDatabase: HomeDocumentsStore {}
extension PostgresStore: HomeDocumentsStore {}
