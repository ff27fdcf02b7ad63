// DocumentsBench — issue 9's documents benchmark.
//
// Upload throughput (N documents of S KB through the real storage and store: streamed to a
// temporary file, fsynced, hashed, renamed, then recorded), text extraction rate (plain text and
// multi-page PDFs through pdftotext), and document search latency (p50/p95) on a corpus of
// --documents documents, optionally next to the items of an existing database (StoreBench's
// 1M, with --db). Prints the figures and the peak RSS (VmHWM).
//
// Usage: DocumentsBench [--documents N (100000)] [--uploads N (1000)] [--upload-kb K (200)]
//                       [--pdfs N (50)] [--pdf-pages P (20)] [--queries N (40 per query kind)] [--db PATH]
import BenchmarkSupport
import Foundation
import GRDB
import KiosqueDocuments
import KiosqueModel
import KiosqueStore

struct Options {
    var documents = 100_000
    var uploads = 1_000
    var uploadKB = 200
    var pdfs = 50
    var pdfPages = 20
    var queries = 40
    var db: String?

    init(_ args: [String]) {
        var i = 0
        func value() -> String? { i += 1; return i < args.count ? args[i] : nil }
        func number(_ current: Int) -> Int { max(0, Int(value() ?? "") ?? current) }
        while i < args.count {
            switch args[i] {
            case "--documents": documents = number(documents)
            case "--uploads": uploads = number(uploads)
            case "--upload-kb": uploadKB = max(1, number(uploadKB))
            case "--pdfs": pdfs = number(pdfs)
            case "--pdf-pages": pdfPages = max(1, number(pdfPages))
            case "--queries": queries = max(1, number(queries))
            case "--db": db = value()
            default: FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8)); exit(1)
            }
            i += 1
        }
    }
}

/// Latency samples in milliseconds.
struct Samples {
    var values: [Double] = []
    mutating func time<T>(_ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await body()
        values.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        return result
    }
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }
    var summary: String {
        String(format: "p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms  (n=%d)", percentile(0.5), percentile(0.95), values.max() ?? .nan, values.count)
    }
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

func log(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

let options = Options(Array(CommandLine.arguments.dropFirst()))
let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiosque-docbench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let dbPath = options.db ?? work.appendingPathComponent("kiosque.sqlite").path
let store = try AppDatabase.open(path: dbPath)
let categories = ["Délibérations", "Arrêtés", "Notes de service", "Revues de presse"]
let departments = (0..<10).map { DepartmentDefinition(id: "dep\($0)", title: "Service \($0)", categories: categories) }
if options.db == nil {
    try await store.syncCatalog(Catalog(departments: departments))
} else {
    // Next to an existing catalogue (StoreBench's): add the departments without touching its
    // sources and channels (a catalogue sync would retire them); the triggers make the channels.
    let queue = try DatabaseQueue(path: dbPath)
    try await queue.write { db in
        for department in departments {
            try db.execute(sql: "INSERT OR IGNORE INTO departments (key, title, categories) VALUES (?, ?, ?)",
                           arguments: [department.id, department.title, "[\"" + categories.joined(separator: "\",\"") + "\"]"])
        }
    }
    try queue.close()
}
let suffix = String(ProcessInfo.processInfo.processIdentifier)
let editorID = try await store.createUser(NewUser(login: "bench-editor-\(suffix)")).id
let memberID = try await store.createUser(NewUser(login: "bench-member-\(suffix)")).id
let otherID = try await store.createUser(NewUser(login: "bench-other-\(suffix)")).id
for department in departments { try await store.setMembership(userID: editorID, departmentID: department.id, isEditor: true) }
try await store.setMembership(userID: memberID, departmentID: "dep0", isEditor: false)
let editor = DocumentViewer(userID: editorID, isAdmin: false)
let library = try DocumentLibrary(root: work.appendingPathComponent("documents"), store: store, maxUploadBytes: 50 * 1_048_576,
                                  extractsInBackground: false)
let items = try await store.counts()["items"] ?? 0
log("DocumentsBench: \(options.documents) documents (\(options.uploads) uploads of \(options.uploadKB) KB, \(options.pdfs) PDFs of \(options.pdfPages) pages), next to \(items) items")
log("database: \(dbPath); files: \(work.path)/documents")

var maker = TextMaker(rng: SplitMix(state: 9))
var published = 0
func metadata(_ n: Int, title: String) -> (department: String, DocumentMetadata) {
    (departments[n % departments.count].id,
     DocumentMetadata(title: title, category: categories[n % categories.count], description: "Document \(n) du service",
                      tags: n % 3 == 0 ? ["conseil"] : [], visibility: n % 4 == 0 ? .department : .organisation))
}

/// Streams `data` into an upload in 64 KB chunks, as the multipart reader does, then publishes it.
func upload(_ data: Data, name: String, n: Int, title: String) async throws -> DocumentRecord {
    let file = try library.beginUpload()
    var offset = 0
    while offset < data.count {
        let end = min(offset + 65_536, data.count)
        try file.write(data[offset..<end])
        offset = end
    }
    let (department, meta) = metadata(n, title: title)
    return try await library.publish(file, originalName: name, departmentID: department, metadata: meta, viewer: editor)
}

// 1. Upload throughput through the real path (text generation is not timed).
var uploadTime = 0.0
var uploadedBytes = 0
var firstBlob: DocumentVersion?
for n in 0..<options.uploads {
    let data = Data(maker.text(bytes: options.uploadKB * 1_024).utf8)
    let title = "Rapport \(n) " + maker.word() + " " + maker.word()
    let start = DispatchTime.now().uptimeNanoseconds
    let record = try await upload(data, name: "rapport-\(n).txt", n: published, title: title)
    uploadTime += seconds(since: start)
    uploadedBytes += data.count
    firstBlob = firstBlob ?? record.current
    published += 1
}
if options.uploads > 0 {
    log(String(format: "upload: %d documents of %d KB in %.1f s = %.0f documents/s, %.1f MB/s (fsync of file and folder, then the row)",
               options.uploads, options.uploadKB, uploadTime, Double(options.uploads) / uploadTime,
               Double(uploadedBytes) / 1_048_576 / uploadTime))
}

// 2. Extraction rate: plain text, then PDFs.
var start = DispatchTime.now().uptimeNanoseconds
let textDone = await library.extractPending()
var elapsed = seconds(since: start)
if textDone > 0 {
    log(String(format: "extraction (text): %d documents in %.2f s = %.0f documents/s, %.1f MB/s", textDone, elapsed,
               Double(textDone) / elapsed, Double(uploadedBytes) / 1_048_576 / elapsed))
}
var pdfBytes = 0
for n in 0..<options.pdfs {
    let pages = (0..<options.pdfPages).map { _ in maker.text(bytes: 3_000) }
    let pdf = PDFMaker.make(pages: pages)
    pdfBytes += pdf.count
    _ = try await upload(pdf, name: "deliberation-\(n).pdf", n: published, title: "Délibération \(n) " + maker.word())
    published += 1
}
start = DispatchTime.now().uptimeNanoseconds
let pdfDone = await library.extractPending()
elapsed = seconds(since: start)
if pdfDone > 0 {
    log(String(format: "extraction (PDF, pdftotext): %d documents of %d pages (%d KB each) in %.2f s = %.1f documents/s, %.0f pages/s",
               pdfDone, options.pdfPages, pdfBytes / max(1, options.pdfs) / 1_024, elapsed, Double(pdfDone) / elapsed,
               Double(pdfDone * options.pdfPages) / elapsed))
}
let unindexed = try await store.unindexedDocuments()
if !unindexed.isEmpty { log("warning: \(unindexed.count) documents not indexed, e.g. \(unindexed[0].error)") }

// 3. The rest of the search corpus through the store (same rows, index and items as a publication,
// one shared file), with 2 KB of extracted text each: a 100,000-document upload would measure the disk.
if let blob = firstBlob ?? nil, published < options.documents {
    let file = StoredFile(sha256: blob.sha256, size: blob.size, fileName: "document.txt", mediaType: "text/plain", kind: "txt")
    let remaining = options.documents - published
    start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<remaining {
        let (department, meta) = metadata(published, title: "Acte \(published) " + maker.word() + " " + maker.word())
        let record = try await store.createDocument(departmentID: department, metadata: meta, file: file, by: editor)
        try await store.setDocumentText(versionRowID: record.current.rowID, text: maker.text(bytes: 2_000), error: nil)
        published += 1
        if published % 20_000 == 0 { log("  \(published) documents…") }
    }
    elapsed = seconds(since: start)
    log(String(format: "corpus: %d more documents recorded with their text in %.1f s (%.0f/s)", remaining, elapsed, Double(remaining) / elapsed))
}

// 4. Search latency: the document part of /recherche (searchDocuments), the /services and API
// listing (documents(filter:)), and the whole /recherche (items + documents) when items exist.
var rare: [String] = []
for _ in 0..<20 { rare.append(maker.rare()) }
let queryKinds: [(String, [String])] = [
    ("frequent word", ["budget", "conseil", "travaux", "commune"]),
    ("two words", ["conseil municipal", "subvention association", "marché travaux", "école piscine"]),
    ("phrase", ["\"conseil municipal\"", "\"budget de la commune\""]),
    ("rare word", rare),
    ("word + service:", ["service:dep3 travaux", "service:dep0 budget", "service:dep7 école"]),
    ("word + type:", ["type:deliberation budget", "type:arrete voirie", "type:pdf conseil"]),
    ("filters only", ["type:deliberation", "service:dep0", "service:dep5 type:note"]),
    ("exclusion", ["piscine -école", "budget -conseil"]),
]
let viewers = [DocumentViewer(userID: memberID, isAdmin: false), DocumentViewer(userID: otherID, isAdmin: false)]
var all = Samples(), listing = Samples(), general = Samples()
log("search over \(published) documents (member of one department, then an agent of none):")
for (kind, texts) in queryKinds {
    var samples = Samples()
    var found = 0
    for i in 0..<options.queries {
        let text = texts[i % texts.count]
        let viewer = viewers[i % viewers.count]
        let query = try SearchQuery.parse(text)
        let results = try await samples.time { try await store.searchDocuments(query, viewer: viewer, limit: 10) }
        found += results.total
        var t = DispatchTime.now().uptimeNanoseconds
        _ = try await store.documents(filter: DocumentFilter(query: text, limit: 50), viewer: viewer)
        listing.values.append(seconds(since: t) * 1_000)
        if items > 0 {
            t = DispatchTime.now().uptimeNanoseconds
            let articles = try await store.search(query, userID: viewer.userID, limit: 20)
            _ = try await store.searchDocuments(articles.query, viewer: viewer, limit: 10)
            general.values.append(seconds(since: t) * 1_000)
        }
    }
    all.values += samples.values
    log("  \(kind.padding(toLength: 16, withPad: " ", startingAt: 0)) \(samples.summary)  ~\(found / options.queries) matches")
}
log("document search (searchDocuments, /recherche's documents): \(all.summary)")
log("documents listing (documents(filter:), /services and /api/v1/documents): \(listing.summary)")
if items > 0 { log("whole /recherche (\(items) items + documents): \(general.summary)") }
let size = (try? FileManager.default.attributesOfItem(atPath: dbPath)[.size] as? NSNumber)?.int64Value ?? 0
log(String(format: "database size: %.0f MB", Double(size) / 1_048_576))
log(String(format: "peak RSS (VmHWM): %.0f MB", peakRSSMegabytes()))
