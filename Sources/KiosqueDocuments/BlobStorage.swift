public import Foundation
import Crypto
public import KiosqueModel
#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed files under `data/documents/`: a blob lives at `ab/cd/<sha256>`, so identical
/// uploads are stored once. Uploads are written under `tmp/`, fsynced, then renamed into place
/// (atomic on one file system); a crash leaves at most a temporary file, removed by `check`.
public struct BlobStorage: Sendable {
    /// The storage root (`data/documents`).
    public let root: URL

    /// Opens (creating) the storage folder.
    public init(root: URL) throws(DocumentError) {
        self.root = root
        do { try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true) } catch {
            throw .storage(path: root.path, detail: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Where the blob with this hash lives.
    public func url(sha256: String) -> URL {
        let hex = sha256.lowercased()
        return root.appendingPathComponent(String(hex.prefix(2))).appendingPathComponent(String(hex.dropFirst(2).prefix(2)))
            .appendingPathComponent(hex)
    }

    /// A new temporary file to stream an upload into, refusing more than `limit` bytes.
    public func beginUpload(limit: Int64) throws(DocumentError) -> UploadFile {
        try UploadFile(url: root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString + ".part"), limit: limit)
    }

    /// Makes a finished upload durable under its hash: fsync, hash, rename, fsync the folder.
    /// Returns the hash and size; the temporary file is gone afterwards.
    public func commit(_ upload: UploadFile) throws(DocumentError) -> (sha256: String, size: Int64) {
        try upload.finish()
        let temporary = upload.url
        let sha: String
        do {
            let data = try Data(contentsOf: temporary, options: .alwaysMapped)
            sha = ContentHash.hex(SHA256.hash(data: data))
        } catch { throw .storage(path: temporary.path, detail: "cannot read back: \(error.localizedDescription)") }
        let target = url(sha256: sha)
        let folder = target.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .storage(path: folder.path, detail: error.localizedDescription)
        }
        if FileManager.default.fileExists(atPath: target.path) {
            // Same bytes already stored (or being stored by a concurrent upload: rename is atomic).
            try? FileManager.default.removeItem(at: temporary)
            return (sha, upload.size)
        }
        guard rename(temporary.path, target.path) == 0 else {
            let detail = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .storage(path: target.path, detail: "cannot move the upload into place: \(detail)")
        }
        Self.syncFolder(folder)
        return (sha, upload.size)
    }

    /// Removes a blob's file (after its last row was deleted).
    public func remove(sha256: String) {
        try? FileManager.default.removeItem(at: url(sha256: sha256))
    }

    /// Compares the files with the hashes the database references: files without row (orphans,
    /// e.g. a crash between rename and commit), rows without file (missing: restore from backup),
    /// and removes temporary files left by interrupted uploads — only at start-up: while the
    /// portal runs (`removeTemporaryFiles: false`, e.g. `kiosque documents check`) they may be
    /// uploads in progress, so they are only counted.
    public func check(referenced: Set<String>, removeTemporaryFiles: Bool = true) -> StorageReport {
        var report = StorageReport()
        let fm = FileManager.default
        let tmp = root.appendingPathComponent("tmp")
        for name in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] {
            report.temporaryFiles += 1
            guard removeTemporaryFiles else { continue }
            try? fm.removeItem(at: tmp.appendingPathComponent(name))
            report.removedTemporaryFiles += 1
        }
        var present = Set<String>()
        for first in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where first.count == 2 {
            let level1 = root.appendingPathComponent(first)
            for second in (try? fm.contentsOfDirectory(atPath: level1.path)) ?? [] {
                for name in (try? fm.contentsOfDirectory(atPath: level1.appendingPathComponent(second).path)) ?? [] {
                    present.insert(name)
                }
            }
        }
        report.orphans = present.subtracting(referenced).sorted()
        report.missing = referenced.subtracting(present).sorted()
        return report
    }

    /// fsync on the folder makes the rename itself durable.
    static func syncFolder(_ folder: URL) {
        let fd = open(folder.path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// What the storage check found.
public struct StorageReport: Sendable, Hashable {
    /// Files with no database row (harmless, reclaimable).
    public var orphans: [String] = []
    /// Rows whose file is absent (documents that cannot be downloaded).
    public var missing: [String] = []
    /// Temporary files of interrupted uploads, removed.
    public var removedTemporaryFiles = 0
    /// Temporary files found (uploads in progress or interrupted).
    public var temporaryFiles = 0
    /// Creates an empty report.
    public init() {}
}

/// An upload being streamed to a temporary file. Used by one request at a time.
public final class UploadFile: @unchecked Sendable {
    /// The temporary file.
    public let url: URL
    /// The size limit in bytes.
    public let limit: Int64
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    private var handle: FileHandle?

    init(url: URL, limit: Int64) throws(DocumentError) {
        self.url = url
        self.limit = limit
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path) else {
            throw .storage(path: url.path, detail: "cannot create the temporary file")
        }
        self.handle = handle
    }

    /// Appends bytes; past the limit the file is deleted and `.tooLarge` thrown.
    public func write(_ bytes: some Collection<UInt8>) throws(DocumentError) {
        guard let handle else { throw .storage(path: url.path, detail: "the upload is closed") }
        guard size + Int64(bytes.count) <= limit else {
            discard()
            throw .tooLarge(limit: limit)
        }
        do { try handle.write(contentsOf: Data(bytes)) } catch {
            discard()
            throw .storage(path: url.path, detail: error.localizedDescription)
        }
        size += Int64(bytes.count)
    }

    /// Flushes the bytes to the disk (fsync) and closes the file.
    func finish() throws(DocumentError) {
        guard let handle else { return }
        self.handle = nil
        do {
            try handle.synchronize()
            try handle.close()
        } catch { throw .storage(path: url.path, detail: "cannot flush: \(error.localizedDescription)") }
    }

    /// Abandons the upload and deletes the temporary file.
    public func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: url)
    }
}
