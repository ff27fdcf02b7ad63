import Foundation
import KiosqueFetch
import KiosqueModel
import Testing

@Suite("Response cache and content hash")
struct ResponseCacheTests {
    @Test func storesAndLoadsTheLastGoodBody() throws {
        let cache = ResponseCache(directory: try Support.temporaryDirectory().appendingPathComponent("cache"))
        #expect(cache.load(sourceID: "mairie") == nil)
        let body = try Support.fixture("municipal-council-40-items.xml")
        let hash = BodyDigest.sha256Hex(body)
        try cache.store(sourceID: "mairie", body: body, etag: "\"v1\"", lastModified: "Mon, 03 Mar 2025 18:30:00 GMT",
                        bodyHash: hash, now: Date(timeIntervalSince1970: 1000))
        let loaded = try #require(cache.load(sourceID: "mairie"))
        #expect(loaded.body == body && loaded.etag == "\"v1\"" && loaded.bodyHash == hash)
        #expect(loaded.lastModified == "Mon, 03 Mar 2025 18:30:00 GMT")
        #expect(loaded.storedAt == Date(timeIntervalSince1970: 1000))

        try cache.store(sourceID: "mairie", body: Data("new".utf8), etag: nil, lastModified: nil, bodyHash: "h2")
        #expect(cache.load(sourceID: "mairie")?.body == Data("new".utf8))
        #expect(cache.load(sourceID: "mairie")?.etag == nil)
        // Only the final file remains: no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).count == 1)
    }

    @Test(arguments: [("a/b", "a_b"), ("../../etc/passwd", "______etc_passwd"), ("", "source"), ("Mairie", "Mairie"),
                      ("café", "caf_"), (String(repeating: "x", count: 300), String(repeating: "x", count: 48))])
    func fileNamesAreSafe(sourceID: String, readable: String) {
        let name = ResponseCache.fileName(for: sourceID)
        #expect(name.hasPrefix(readable + "-"))
        #expect(name.hasSuffix(".cache"))
        #expect(!name.contains("/") && !name.hasPrefix("."))
        #expect(name.count == readable.count + 1 + 16 + 6)
    }

    @Test func similarIDsNeverShareAFile() throws {
        let ids = ["a/b", "a_b", "A_b", "a b", "a?b"]
        #expect(Set(ids.map(ResponseCache.fileName(for:))).count == ids.count)
        let cache = ResponseCache(directory: try Support.temporaryDirectory())
        for id in ids { try cache.store(sourceID: id, body: Data(id.utf8), etag: nil, lastModified: nil, bodyHash: id) }
        for id in ids { #expect(cache.load(sourceID: id)?.body == Data(id.utf8)) }
    }

    @Test func truncatedOrForeignFilesAreIgnored() throws {
        let directory = try Support.temporaryDirectory()
        let cache = ResponseCache(directory: directory)
        try cache.store(sourceID: "s", body: Data(repeating: 7, count: 100), etag: nil, lastModified: nil, bodyHash: "h")
        let file = directory.appendingPathComponent(ResponseCache.fileName(for: "s"))
        let full = try Data(contentsOf: file)
        try full.prefix(full.count - 1).write(to: file)
        #expect(cache.load(sourceID: "s") == nil)
        try Data("<rss/>".utf8).write(to: file)
        #expect(cache.load(sourceID: "s") == nil)
    }

    @Test func unwritableDirectoryThrowsNamingThePath() throws {
        let blocker = try Support.temporaryDirectory().appendingPathComponent("file")
        try Data().write(to: blocker)
        let cache = ResponseCache(directory: blocker.appendingPathComponent("cache"))
        #expect(throws: ResponseCacheError.self) {
            try cache.store(sourceID: "s", body: Data(), etag: nil, lastModified: nil, bodyHash: "h")
        }
        do {
            try cache.store(sourceID: "s", body: Data(), etag: nil, lastModified: nil, bodyHash: "h")
        } catch {
            #expect("\(error)".contains(blocker.path))
        }
    }

    @Test func concurrentStoresLeaveOneWholeFile() async throws {
        let cache = ResponseCache(directory: try Support.temporaryDirectory())
        let bodies = (0..<16).map { Data(repeating: UInt8($0), count: 50_000 + $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for body in bodies {
                group.addTask {
                    try cache.store(sourceID: "busy", body: body, etag: "\"\(body.count)\"", lastModified: nil,
                                    bodyHash: BodyDigest.sha256Hex(body))
                }
            }
            try await group.waitForAll()
        }
        let loaded = try #require(cache.load(sourceID: "busy"))
        #expect(bodies.contains(loaded.body))
        #expect(loaded.etag == "\"\(loaded.body.count)\"" && loaded.bodyHash == BodyDigest.sha256Hex(loaded.body))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).count == 1)
    }

    @Test func removeForgetsASource() throws {
        let cache = ResponseCache(directory: try Support.temporaryDirectory())
        try cache.store(sourceID: "s", body: Data("x".utf8), etag: nil, lastModified: nil, bodyHash: "h")
        try cache.remove(sourceID: "s")
        #expect(cache.load(sourceID: "s") == nil)
        try cache.remove(sourceID: "never-stored")
    }

    // Vectors from FIPS 180-4 examples, and lengths around the padding and block boundaries (checked
    // with sha256sum): the hex digests the hand-written SHA-256 stored in cache files, so those stay valid.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        ("Élection municipale à Saint-Étienne", "22da743e03cce9d8f26d4d2a0e2ec7a9e633791e654cc9630f66f15b28bd2422"),
    ]

    @Test(arguments: vectors)
    func sha256(input: String, expected: String) {
        #expect(BodyDigest.sha256Hex(Data(input.utf8)) == expected)
        #expect(FetchResponse(finalURL: "http://x/", status: 200, body: Data(input.utf8)).computeBodyHash() == expected)
    }

    @Test func fnvIsStable() {
        #expect(ContentHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(ContentHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
    }
}
