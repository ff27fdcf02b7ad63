import Foundation
import GRDB
import KiosqueModel
import Testing
@testable import KiosqueStore
#if canImport(Glibc)
import Glibc
#endif

/// Faults: a full disk rolls back, a killed writer loses nothing committed and duplicates nothing.
struct FaultTests {
    @Test func diskFullRollsBackTheWholeBatch() async throws {
        let db = try await Town.store()
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("keep", "Déjà là")], fetchedAt: Town.now)
        let pages = try await db.read("test") { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        // The writer may not grow the file by more than a couple of pages: like a full disk.
        try await db.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        let big = String(repeating: "Texte très long pour remplir le disque. ", count: 400)
        let batch = (0..<50).map { Town.item("big\($0)", "Gros \($0)", content: big) }
        await #expect(throws: StoreError.diskFull(path: db.path, operation: "ingesting items of source mairie")) {
            try await db.ingest(sourceID: "mairie", items: batch, fetchedAt: Town.now)
        }
        #expect(try await db.counts()["items"] == 1)
        #expect(try await db.search(query: "disque", userID: nil, now: Town.now).total == 0)
        #expect(try await db.search(query: "déjà", userID: nil, now: Town.now).total == 1)
        // Room again: the fetcher's retry succeeds in full.
        try await db.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        #expect(try await db.ingest(sourceID: "mairie", items: batch, fetchedAt: Town.now).new == 50)
        #expect(try await db.counts()["items"] == 51)
    }

    /// The helper executable built next to this test bundle.
    static func helperPath() throws -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<5 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("StoreCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StoreError.notFound(what: "executable", id: "StoreCrashHelper near \(CommandLine.arguments[0])")
    }

    @Test func killedWriterLosesNoCommittedItemAndDuplicatesNone() async throws {
        let path = try Town.folder() + "/crash.sqlite"
        let helper = try Self.helperPath()
        var lastCommitted = 0
        for round in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: helper)
            process.arguments = [path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            // Let it commit a few batches (more each round), then kill it without warning.
            var output = ""
            var commits = 0
            while commits < 3 + round * 2 {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { break }
                output += String(decoding: data, as: UTF8.self)
                commits = output.split(separator: "\n").filter { $0.hasPrefix("committed ") }.count
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let reported = output.split(separator: "\n").compactMap { line in
                line.hasPrefix("committed ") ? Int(line.dropFirst("committed ".count)) : nil
            }
            let committed = try #require(reported.max())
            #expect(committed > lastCommitted)
            lastCommitted = committed

            let db = try AppDatabase.open(path: path)
            let (count, distinct, maxSeen, integrity) = try await db.read("test") { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM items") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(DISTINCT guid) FROM items") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT max(CAST(substr(guid, 2) AS INTEGER)) FROM items") ?? -1,
                 try String.fetchOne(db, sql: "PRAGMA integrity_check"))
            }
            #expect(count == distinct)            // no duplicate
            #expect(count >= committed)           // nothing committed was lost
            #expect(count == maxSeen + 1)         // and no gap
            #expect(integrity == "ok")
            try await db.pool.write { try $0.execute(sql: "INSERT INTO items_fts(items_fts) VALUES ('integrity-check')") }
            #expect(try await db.search(query: "article \(committed - 1)", userID: nil).total >= 1)
            try db.close()
        }
    }
}
