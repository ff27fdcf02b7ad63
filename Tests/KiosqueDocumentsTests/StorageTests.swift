import Foundation
import KiosqueDocuments
import KiosqueStore
import Testing

/// Content-addressed storage: durable before recorded, identical files once, leftovers found.
struct StorageTests {
    @Test func identicalFilesAreStoredOnceAndDeletedWithTheirLastDocument() async throws {
        let town = try await Town.make()
        let first = try await town.publish("deliberation-budget.pdf", title: "Budget")
        let second = try await town.publish("deliberation-budget.pdf", as: "copie.pdf", title: "Copie")
        #expect(first.current.sha256 == second.current.sha256)
        #expect(first.id != second.id)
        #expect(town.storedFiles().filter { !$0.hasPrefix("tmp/") }.count == 1)
        let expected = String(first.current.sha256.prefix(2)) + "/" + String(first.current.sha256.dropFirst(2).prefix(2)) + "/" + first.current.sha256
        #expect(town.storedFiles() == [expected])
        try await town.library.delete(documentID: first.id, viewer: town.admin, login: "admin")
        #expect(town.storedFiles() == [expected])
        try await town.library.delete(documentID: second.id, viewer: town.admin, login: "admin")
        #expect(town.storedFiles().isEmpty)
        let log = try await town.store.deletedDocuments()
        #expect(log.map(\.by) == ["admin", "admin"])
        #expect(log.map(\.title) == ["Copie", "Budget"])
    }

    @Test func blobsAreNamedByTheirSHA256() throws {
        // Known vectors (FIPS 180-4 "abc", and the empty file): names of files already stored stay valid.
        let storage = try BlobStorage(root: URL(fileURLWithPath: NSTemporaryDirectory() + "kiosque-blobs-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: storage.root) }
        for (bytes, expected) in [("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                                  ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")] {
            let upload = try storage.beginUpload(limit: 1_000)
            try upload.write(Data(bytes.utf8))
            let stored = try storage.commit(upload)
            #expect(stored.sha256 == expected)
            #expect(FileManager.default.fileExists(atPath: storage.url(sha256: expected).path))
        }
    }

    @Test func oversizedUploadIsRefusedBeforeBeingStoredWhole() async throws {
        let town = try await Town.make(maxUpload: 10_000)
        let upload = try town.library.beginUpload()
        try upload.write(Data(repeating: 0x41, count: 9_000))
        #expect(throws: DocumentError.tooLarge(limit: 10_000)) { try upload.write(Data(repeating: 0x41, count: 2_000)) }
        #expect(!FileManager.default.fileExists(atPath: upload.url.path))
        #expect(town.storedFiles().isEmpty)
    }

    @Test func checkRemovesInterruptedUploadsAndReportsOrphansAndMissingFiles() async throws {
        let town = try await Town.make()
        let record = try await town.publish("deliberation-budget.pdf")
        let leftover = try town.library.beginUpload()
        try leftover.write(Data("moitié d'un fichier".utf8))
        let orphan = town.library.storage.url(sha256: String(repeating: "ab", count: 32))
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("orphelin".utf8).write(to: orphan)
        var report = try await town.library.checkStorage()
        #expect(report.removedTemporaryFiles == 1)
        #expect(report.orphans == [String(repeating: "ab", count: 32)])
        #expect(report.missing.isEmpty)
        try FileManager.default.removeItem(at: town.library.fileURL(record.current))
        report = try await town.library.checkStorage()
        #expect(report.missing == [record.current.sha256])
        #expect(report.removedTemporaryFiles == 0)
    }

    @Test func concurrentUploadsOfTheSameFileAndOfVersionsStayConsistent() async throws {
        let town = try await Town.make()
        let base = try await town.publish("note-de-service.odt", title: "Note")
        let data = try Data(contentsOf: try Town.fixture("compte-rendu.md"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<8 {
                group.addTask {
                    var bytes = data
                    bytes.append(contentsOf: Array("\nversion \(n % 2)\n".utf8))
                    _ = try await town.library.addVersion(try town.upload(bytes), originalName: "cr.md", documentID: base.id,
                                                          viewer: town.editor)
                }
            }
            try await group.waitForAll()
        }
        let record = try #require(try await town.store.document(id: base.id, viewer: town.editor))
        #expect(record.versions.map(\.number) == Array((1...9).reversed()))
        // Two distinct contents among the eight versions, plus the first file.
        #expect(Set(record.versions.map(\.sha256)).count == 3)
        #expect(town.storedFiles().filter { !$0.hasPrefix("tmp/") }.count == 3)
    }
}
