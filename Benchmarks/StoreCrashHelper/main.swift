// StoreCrashHelper — a child process for the store's crash-restart test.
//
// Usage: StoreCrashHelper DATABASE-PATH
// Ingests batches of 40 items forever into source "crash" (each batch also repeats the
// previous batch, to exercise the update/unchanged path), printing "committed N" after each
// commit, where items g0…gN-1 are then durable. The test kills it with SIGKILL mid-flight.
import Foundation
import KiosqueModel
import KiosqueStore

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: StoreCrashHelper DATABASE-PATH\n".utf8))
    exit(KiosqueExit.userError)
}
let db = try AppDatabase.open(path: CommandLine.arguments[1])
let catalog = Catalog(sources: [SourceDefinition(id: "crash", url: "https://crash.example/feed")],
                      channels: [ChannelDefinition(id: "tout", title: "Tout", sources: ["crash"])])
try await db.syncCatalog(catalog)
var next = try await db.counts()["items"] ?? 0
let body = String(repeating: "Délibération du conseil municipal sur le budget des écoles. ", count: 20)
while true {
    let range = max(0, next - 40)..<(next + 40)
    let items = range.map { n in
        PreparedItem(item: ParsedItem(id: "g\(n)", title: "Article \(n)", link: "https://crash.example/\(n)",
                                      published: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
                                      summary: "Résumé \(n)", contentHTML: "<p>\(body)</p>"), contentText: body)
    }
    _ = try await db.ingest(sourceID: "crash", items: items, fetchedAt: Date())
    next += 40
    FileHandle.standardOutput.write(Data("committed \(next)\n".utf8))
}
