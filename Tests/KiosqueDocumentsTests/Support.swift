import Foundation
import KiosqueDocuments
import KiosqueModel
import KiosqueStore
import Testing

/// A town with two departments, an editor, a member, an agent of another department and an admin.
struct Town {
    let store: AppDatabase
    let library: DocumentLibrary
    let root: URL
    let admin, editor, member, other: DocumentViewer

    static func make(maxUpload: Int64 = 1_048_576) async throws -> Town {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiosque-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = try AppDatabase.open(path: root.appendingPathComponent("kiosque.sqlite").path)
        try await store.syncCatalog(Catalog(departments: [
            DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations", "Notes"]),
            DepartmentDefinition(id: "voirie", title: "Voirie"),
        ]))
        func user(_ login: String, admin: Bool = false) async throws -> DocumentViewer {
            let account = try await store.createUser(NewUser(login: login, isAdmin: admin))
            return DocumentViewer(userID: account.id, isAdmin: admin)
        }
        let town = Town(store: store, library: try DocumentLibrary(root: root.appendingPathComponent("documents"), store: store,
                                                                   maxUploadBytes: maxUpload, extractsInBackground: false),
                        root: root, admin: try await user("admin", admin: true), editor: try await user("edith"),
                        member: try await user("marc"), other: try await user("olga"))
        try await store.setMembership(userID: town.editor.userID, departmentID: "finances", isEditor: true)
        try await store.setMembership(userID: town.member.userID, departmentID: "finances", isEditor: false)
        try await store.setMembership(userID: town.other.userID, departmentID: "voirie", isEditor: false)
        return town
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    }

    /// Streams bytes into a new upload, as the web layer does.
    func upload(_ data: Data) throws -> UploadFile {
        let upload = try library.beginUpload()
        var offset = 0
        while offset < data.count {
            let end = min(offset + 1_000, data.count)
            try upload.write(data[offset..<end])
            offset = end
        }
        return upload
    }

    func publish(_ fixture: String, as name: String? = nil, title: String = "Document", visibility: DocumentVisibility = .organisation,
                 by viewer: DocumentViewer? = nil) async throws -> DocumentRecord {
        let data = try Data(contentsOf: try Self.fixture(fixture))
        return try await library.publish(try upload(data), originalName: name ?? fixture, departmentID: "finances",
                                         metadata: DocumentMetadata(title: title, category: "Délibérations", visibility: visibility),
                                         viewer: viewer ?? editor)
    }

    /// Every file under the storage root except the folder entries.
    func storedFiles() -> [String] {
        let base = root.appendingPathComponent("documents")
        let enumerator = FileManager.default.enumerator(atPath: base.path)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }
}
