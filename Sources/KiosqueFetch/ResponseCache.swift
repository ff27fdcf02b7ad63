#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
import KiosqueModel

/// A source's last good body with its validators, as kept under cache/.
public struct CachedResponse: Sendable, Hashable {
    /// The source's id.
    public var sourceID: String
    /// The last body that parsed.
    public var body: Data
    /// Its ETag, to send as If-None-Match.
    public var etag: String?
    /// Its Last-Modified, to send as If-Modified-Since.
    public var lastModified: String?
    /// Its hash (see `BodyDigest.sha256Hex`), to skip parsing an identical body.
    public var bodyHash: String
    /// When it was stored.
    public var storedAt: Date
}

/// A failure to write or remove a cache file, naming the file.
public enum ResponseCacheError: Error, Sendable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(path: String, operation: String, reason: String)

    /// One line naming the file and the cause.
    public var description: String {
        switch self {
        case .io(let path, let operation, let reason): "cache: cannot \(operation) \(path): \(reason)"
        }
    }
}

/// Last good bodies and validators, one file per source. Writes are atomic (temporary file, fsync,
/// rename, fsync of the directory): after a crash a source has its old file or its new one, never half.
public struct ResponseCache: Sendable {
    /// The cache directory (created on first store).
    public let directory: URL

    private struct Header: Codable {
        var sourceID: String
        var etag: String?
        var lastModified: String?
        var bodyHash: String
        var bodyLength: Int
        var storedAt: Date
    }

    /// First line of every cache file: lets a future format change tell old files apart.
    private static let magic = Data("KIOSQUE-CACHE 1\n".utf8)

    /// A cache in `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The file name for a source: its id made safe (letters, digits, "-" and "_", at most 48 of them)
    /// plus a hash of the exact id, so "a/b", "a_b" and "A_b" never share a file.
    public static func fileName(for sourceID: String) -> String {
        let safe = String(sourceID.unicodeScalars.prefix(48).map { scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
            return ok ? Character(scalar) : "_"
        })
        let hash = String(ContentHash.fnv1a64(sourceID), radix: 16)
        return "\(safe.isEmpty ? "source" : safe)-\(String(repeating: "0", count: 16 - hash.count))\(hash).cache"
    }

    /// The last stored response of a source, or nil when there is none or the file is not a valid cache file.
    public func load(sourceID: String) -> CachedResponse? {
        let url = fileURL(sourceID)
        guard let data = try? Data(contentsOf: url), data.starts(with: Self.magic) else { return nil }
        let afterMagic = data.index(data.startIndex, offsetBy: Self.magic.count)
        guard let newline = data[afterMagic...].firstIndex(of: UInt8(ascii: "\n")),
              let header = try? Self.decoder.decode(Header.self, from: data[afterMagic..<newline]),
              header.sourceID == sourceID else { return nil }
        let body = data[data.index(after: newline)...]
        guard body.count == header.bodyLength else { return nil }
        return CachedResponse(sourceID: sourceID, body: Data(body), etag: header.etag, lastModified: header.lastModified,
                              bodyHash: header.bodyHash, storedAt: header.storedAt)
    }

    /// Replaces a source's cached response atomically.
    public func store(sourceID: String, body: Data, etag: String?, lastModified: String?, bodyHash: String,
                      now: Date = Date()) throws {
        try createDirectory()
        let header = Header(sourceID: sourceID, etag: etag, lastModified: lastModified, bodyHash: bodyHash,
                            bodyLength: body.count, storedAt: now)
        var contents = Self.magic
        contents.append(try Self.encoder.encode(header)) // JSON without pretty printing: a single line
        contents.append(UInt8(ascii: "\n"))
        contents.append(body)
        try atomicWrite(contents, to: fileURL(sourceID))
    }

    /// Forgets a source (when IT removes it from channels.yml); no error when nothing was cached.
    public func remove(sourceID: String) throws {
        let path = fileURL(sourceID).path
        guard unlink(path) == 0 || errno == ENOENT else { throw Self.failure(path, "remove") }
    }

    private func fileURL(_ sourceID: String) -> URL {
        directory.appendingPathComponent(Self.fileName(for: sourceID))
    }

    private func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ResponseCacheError.io(path: directory.path, operation: "create", reason: "\(error.localizedDescription)")
        }
    }

    private func atomicWrite(_ contents: Data, to url: URL) throws {
        let finalPath = url.path
        let tempPath = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure(tempPath, "create") }
        var failed: ResponseCacheError?
        let written = contents.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        if !written { failed = Self.failure(tempPath, "write") }
        if failed == nil && fsync(fd) != 0 { failed = Self.failure(tempPath, "fsync") }
        close(fd)
        if failed == nil && rename(tempPath, finalPath) != 0 { failed = Self.failure(finalPath, "rename into") }
        if let failed {
            unlink(tempPath)
            throw failed
        }
        // The rename itself must reach the disk, or a crash could bring the old name back.
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func failure(_ path: String, _ operation: String) -> ResponseCacheError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
