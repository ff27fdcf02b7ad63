import Foundation
import KiosqueDocuments
import Testing

/// The start-up check of a data folder shared by several instances (issue 18).
@Suite("shared data folder")
struct SharedDataFolderTests {
    private func folder() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiosque-shared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aLocalFolderPassesLeavesNoProbeAndGetsOneKey() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let documents = data.appendingPathComponent("documents")
        try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: documents.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: documents.path).isEmpty, "the probe file is removed")
        let key = try #require(FileManager.default.contents(atPath: data.appendingPathComponent("kiosque.key").path))
        #expect(key.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("kiosque.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second instance keeps the key the first one made.
        try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: documents.path)
        #expect(FileManager.default.contents(atPath: data.appendingPathComponent("kiosque.key").path) == key)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).sorted() == ["documents", "kiosque.key"])
        #expect(SharedDataFolder.portalFingerprint(dataDirectory: data.path)?.count == 32)
    }

    @Test func instancesStartingTogetherShareOneKey() async throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let path = data.path
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { try? SharedDataFolder.check(dataDirectory: path, documentsDirectory: path + "/documents") }
            }
        }
        let key = FileManager.default.contents(atPath: data.appendingPathComponent("kiosque.key").path)
        #expect(key?.count == 32)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data.path).sorted() == ["documents", "kiosque.key"], "no temporary key left")
    }

    @Test func aDocumentsPathThatIsAFileIsRefusedByName() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let documents = data.appendingPathComponent("documents")
        try Data("not a folder".utf8).write(to: documents)
        let problem = #expect(throws: SharedDataFolder.Problem.self) {
            try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: documents.path)
        }
        #expect(problem?.path == documents.path)
        #expect(problem?.description.contains("atomic rename and fsync") == true, "\(String(describing: problem))")
    }

    @Test func aDocumentsFolderThatCannotBeCreatedIsRefused() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        try Data("x".utf8).write(to: data.appendingPathComponent("blocker"))
        let documents = data.appendingPathComponent("blocker/documents").path
        let problem = #expect(throws: SharedDataFolder.Problem.self) {
            try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: documents)
        }
        #expect(problem?.path == documents)
        #expect(problem?.description.contains("cannot be created") == true)
    }

    @Test(arguments: [0, 16, 33])
    func aDamagedKeyIsRefusedNotReplaced(size: Int) throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        let key = data.appendingPathComponent("kiosque.key")
        try Data(repeating: 7, count: size).write(to: key)
        let problem = #expect(throws: SharedDataFolder.Problem.self) {
            try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: data.appendingPathComponent("documents").path)
        }
        #expect(problem?.path == key.path)
        #expect(problem?.description.contains("\(size) bytes instead of 32") == true, "\(String(describing: problem))")
        #expect(FileManager.default.contents(atPath: key.path) == Data(repeating: 7, count: size), "left as it was")
    }

    @Test func anUnreadableKeyIsRefused() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(at: data) }
        // A folder where the key should be: present, but not a key anyone can read.
        try FileManager.default.createDirectory(at: data.appendingPathComponent("kiosque.key"), withIntermediateDirectories: true)
        let problem = #expect(throws: SharedDataFolder.Problem.self) {
            try SharedDataFolder.check(dataDirectory: data.path, documentsDirectory: data.appendingPathComponent("documents").path)
        }
        #expect(problem?.description.contains("cannot be read") == true, "\(String(describing: problem))")
    }
}
