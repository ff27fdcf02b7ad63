import Foundation
import KiosqueDocuments
import KiosqueStore
import Testing

/// A process killed in the middle of an upload leaves no half file in storage and no row.
struct CrashTests {
    static func helperPath() throws -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<5 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("DocumentsCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DocumentError.notFound(what: "executable", id: "DocumentsCrashHelper near \(CommandLine.arguments[0])")
    }

    @Test func killedDuringUploadLeavesNoHalfFileAndNoRow() async throws {
        let town = try await Town.make()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.helperPath())
        process.arguments = [town.store.path, town.root.appendingPathComponent("documents").path, String(town.editor.userID)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var output = ""
        while !output.contains("writing") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            output += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(output.contains("published"))
        #expect(output.contains("writing"))
        // One complete document, one temporary file being written when the process died.
        let documents = try await town.store.documents(filter: DocumentFilter(), viewer: town.admin)
        #expect(documents.map(\.title) == ["Complet"])
        let temporary = town.storedFiles().filter { $0.hasPrefix("tmp/") }
        #expect(temporary.count == 1)
        let report = try await town.library.checkStorage()
        #expect(report.removedTemporaryFiles == 1 && report.orphans.isEmpty && report.missing.isEmpty)
        #expect(town.storedFiles().count == 1)
        #expect(try await town.store.documentBlobHashes() == [documents[0].current.sha256])
    }
}
