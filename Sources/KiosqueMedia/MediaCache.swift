import Crypto
public import Foundation

/// Where a cached picture's bytes are and what they are.
public struct CachedVariant: Sendable, Hashable, Codable {
    /// SHA-256 of the bytes in hex: the object's file name and the ETag.
    public var hash: String
    /// The Content-Type to serve.
    public var mimeType: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
}

/// What the cache knows about one address (by its cache key).
public struct CachedEntry: Sendable, Hashable, Codable {
    /// The address it was fetched from.
    public var url: String
    /// The served picture, nil when refused.
    public var full: CachedVariant?
    /// The list thumbnail, nil when refused.
    public var thumbnail: CachedVariant?
    /// Why the picture is refused (hostile file, forbidden address), nil when served.
    public var refusal: String?
    /// Bytes the original took on the wire: what each later hit saves upstream.
    public var upstreamBytes: Int64
}

/// The on-disk media cache: content-addressed objects under `objects/`, one small JSON entry per address under
/// `entries/` (url, hashes, sizes, refusal). Least recently used objects go first once `budget` bytes are
/// exceeded; an entry whose object was evicted is simply a miss. Survives restarts (last access is the file's
/// modification time); deleting the folder only costs re-downloads.
public actor MediaCache {
    /// The folder (`<data>/cache/media`).
    public nonisolated let root: URL
    /// Bytes the objects may take in all (`media.max_size`).
    public let budget: Int64
    private var objects: [String: (size: Int64, lastAccess: Date)] = [:]
    private var entries: [String: CachedEntry] = [:]
    /// When each object's modification time was last written (it records last use across restarts).
    private var diskStamps: [String: Date] = [:]
    /// Total bytes of the objects.
    public private(set) var totalBytes: Int64 = 0

    /// Opens (or creates) the cache in `root` and indexes what is already there.
    public init(root: URL, budget: Int64) throws {
        self.root = root
        self.budget = max(1, budget)
        let manager = FileManager.default
        for folder in ["objects", "entries", "refused"] {
            try manager.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        let files = (try? manager.contentsOfDirectory(at: root.appendingPathComponent("objects"), includingPropertiesForKeys: keys)) ?? []
        var index: [String: (size: Int64, lastAccess: Date)] = [:]
        var total: Int64 = 0
        for file in files where !file.lastPathComponent.hasSuffix(".tmp") {
            let values = try? file.resourceValues(forKeys: Set(keys))
            let size = Int64(values?.fileSize ?? 0)
            index[file.lastPathComponent] = (size, values?.contentModificationDate ?? .distantPast)
            total += size
        }
        objects = index
        totalBytes = total
        // Refused addresses are known by name from the start, so pages show their alt text straight away.
        for name in (try? manager.contentsOfDirectory(atPath: root.appendingPathComponent("refused").path)) ?? []
        where name.hasSuffix(".json") {
            refusedKeys.insert(String(name.dropLast(5)))
        }
    }

    /// Number of pictures (objects) on disk.
    public var objectCount: Int { objects.count }

    /// The entry for `key`, from memory or disk; nil when unknown or when its objects were evicted.
    public func entry(_ key: String) -> CachedEntry? {
        let entry = entries[key] ?? readEntry(key)
        guard let entry else { return nil }
        entries[key] = entry
        if entry.refusal == nil, let full = entry.full, let thumbnail = entry.thumbnail,
           objects[full.hash] == nil || objects[thumbnail.hash] == nil {
            return nil
        }
        return entry
    }

    /// Whether `key` is known to be refused, or failed to fetch within the last `failureMemory` seconds (cheap:
    /// memory only, for rendering pages, which then show the alt text instead of a broken image).
    public nonisolated func isRefusedSnapshot(_ key: String) -> Bool {
        refusedKeys.contains(key) || refusedKeys.failedRecently(key)
    }

    /// Remembers for a while that fetching `key` failed (unreachable site, 404, over the size cap…).
    public nonisolated func noteFailure(_ key: String, memory: TimeInterval) {
        refusedKeys.noteFailure(key, until: Date().addingTimeInterval(memory))
    }

    private nonisolated let refusedKeys = RefusedSet()

    /// The bytes of an object, read outside the actor (concurrent readers never queue behind one another);
    /// nil when it was evicted or lost. Call `touch` after a successful read.
    public nonisolated func read(_ variant: CachedVariant) -> Data? {
        FileManager.default.contents(atPath: objectPath(variant.hash))
    }

    /// Marks an object used now; false when it is no longer indexed (evicted meanwhile).
    @discardableResult
    public func touch(_ hash: String) -> Bool {
        guard objects[hash] != nil else { return false }
        let now = Date()
        objects[hash]?.lastAccess = now
        // Kept on disk so that least-recently-used order survives a restart (at most once a minute per object).
        if now.timeIntervalSince(diskStamps[hash] ?? .distantPast) > 60 {
            diskStamps[hash] = now
            try? FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: objectPath(hash))
        }
        return true
    }

    /// Stores a processed picture fetched from `url`, then evicts down to the budget.
    @discardableResult
    public func store(key: String, url: String, image: ProcessedImage, upstreamBytes: Int64) throws -> CachedEntry {
        let full = try writeObject(image.full)
        let thumbnail = try writeObject(image.thumbnail)
        let entry = CachedEntry(url: url, full: full, thumbnail: thumbnail, refusal: nil, upstreamBytes: upstreamBytes)
        try writeEntry(key, entry)
        evict(keeping: [full.hash, thumbnail.hash])
        return entry
    }

    /// Records that the picture at `url` is refused for good (hostile file, forbidden address).
    @discardableResult
    public func storeRefusal(key: String, url: String, reason: String) throws -> CachedEntry {
        let entry = CachedEntry(url: url, full: nil, thumbnail: nil, refusal: reason, upstreamBytes: 0)
        try writeEntry(key, entry)
        return entry
    }

    private func writeObject(_ image: EncodedImage) throws -> CachedVariant {
        let hash = SHA256.hash(data: image.data).map { String(format: "%02x", $0) }.joined()
        if objects[hash] == nil {
            try atomicWrite(image.data, to: objectPath(hash))
            objects[hash] = (Int64(image.data.count), Date())
            totalBytes += Int64(image.data.count)
        }
        return CachedVariant(hash: hash, mimeType: image.mimeType, width: image.width, height: image.height)
    }

    /// Removes least recently used objects until the total fits the budget (never the ones just written).
    private func evict(keeping: Set<String>) {
        guard totalBytes > budget else { return }
        let order = objects.sorted { $0.value.lastAccess < $1.value.lastAccess }
        for (hash, object) in order where totalBytes > budget && !keeping.contains(hash) {
            try? FileManager.default.removeItem(atPath: objectPath(hash))
            objects[hash] = nil
            diskStamps[hash] = nil
            totalBytes -= object.size
        }
    }

    private func readEntry(_ key: String) -> CachedEntry? {
        guard Self.safeKey(key),
              let data = FileManager.default.contents(atPath: entryPath(key))
                ?? FileManager.default.contents(atPath: entryPath(key, refused: true)),
              let entry = try? JSONDecoder().decode(CachedEntry.self, from: data) else { return nil }
        if entry.refusal != nil { refusedKeys.insert(key) }
        return entry
    }

    private func writeEntry(_ key: String, _ entry: CachedEntry) throws {
        guard Self.safeKey(key) else { throw CocoaError(.fileWriteInvalidFileName) }
        try atomicWrite(try JSONEncoder().encode(entry), to: entryPath(key, refused: entry.refusal != nil))
        if entry.refusal == nil { try? FileManager.default.removeItem(atPath: entryPath(key, refused: true)) }
        entries[key] = entry
        if entry.refusal != nil { refusedKeys.insert(key) }
    }

    private func atomicWrite(_ data: Data, to path: String) throws {
        let temporary = path + ".\(UUID().uuidString).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    private nonisolated func objectPath(_ hash: String) -> String { root.appendingPathComponent("objects/\(hash)").path }
    private nonisolated func entryPath(_ key: String, refused: Bool = false) -> String {
        root.appendingPathComponent("\(refused ? "refused" : "entries")/\(key).json").path
    }

    /// Cache keys are URL-safe base64 MACs: anything else never reaches the file system.
    static func safeKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 64 && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// Keys known refused (and recent fetch failures), readable without awaiting the actor (page rendering asks per image).
final class RefusedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: Set<String> = []
    private var failures: [String: Date] = [:]

    func failedRecently(_ key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let until = failures[key] else { return false }
        if until > Date() { return true }
        failures[key] = nil
        return false
    }

    func noteFailure(_ key: String, until: Date) {
        lock.lock()
        if failures.count > 10_000 { failures.removeAll() }
        failures[key] = until
        lock.unlock()
    }

    func contains(_ key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return keys.contains(key)
    }

    func insert(_ key: String) {
        lock.lock()
        keys.insert(key)
        lock.unlock()
    }
}
