public import Foundation
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data folder several `kiosque serve` instances share (NFS, a cluster file system) when the
/// store is PostgreSQL: documents are made durable by fsync then an atomic rename, and every
/// instance signs with the same portal key (`kiosque.key`). Checked at start-up so that a folder
/// that cannot do either stops the instance with a message instead of losing documents later.
public enum SharedDataFolder {
    /// Why the folder cannot be shared; `description` names the folder or file and what to do.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let detail: String
        public var description: String { "\(path): \(detail)" }
    }

    /// Checks the documents folder (write, fsync, atomic rename, read back, remove a probe file)
    /// and the portal key (present and 32 bytes; created once, atomically, when no instance made it
    /// yet, so that instances starting together end up with the same key).
    public static func check(dataDirectory: String, documentsDirectory: String) throws(Problem) {
        try probe(folder: documentsDirectory)
        try ensureKey(at: (dataDirectory as NSString).appendingPathComponent("kiosque.key"))
    }

    /// A short, non-secret fingerprint of the portal key (nil without a key): what identifies a
    /// portal among others without revealing its key (`kiosque migrate-store`).
    public static func portalFingerprint(dataDirectory: String) -> String? {
        let path = (dataDirectory as NSString).appendingPathComponent("kiosque.key")
        guard let key = FileManager.default.contents(atPath: path), !key.isEmpty else { return nil }
        let digest = SHA256.hash(data: Data("kiosque-portal:".utf8) + key)
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    static func probe(folder: String) throws(Problem) {
        func fail(_ detail: String) -> Problem {
            Problem(path: folder, detail: detail + "; instances sharing the data folder need a file system with atomic "
                    + "rename and fsync (NFSv4 with hard mounts, CephFS, GlusterFS…), writable by the account running kiosque")
        }
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw fail("the documents folder cannot be created (\(error.localizedDescription))")
            }
        } else if !isFolder.boolValue {
            throw fail("this is a file, not a folder")
        }
        let token = UUID().uuidString
        let temporary = (folder as NSString).appendingPathComponent(".kiosque-probe-\(token).tmp")
        let final = (folder as NSString).appendingPathComponent(".kiosque-probe-\(token)")
        defer {
            unlink(temporary)
            unlink(final)
        }
        let content = Array("kiosque shared folder probe \(token)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw fail("a file cannot be created in it (\(String(cString: strerror(errno))))") }
        let written = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        let error = String(cString: strerror(errno))
        close(fd)
        guard written == content.count else { throw fail("a probe file cannot be written (\(error))") }
        guard synced else { throw fail("fsync fails (\(error))") }
        guard rename(temporary, final) == 0 else { throw fail("rename fails (\(String(cString: strerror(errno))))") }
        let folderFD = open(folder, O_RDONLY)
        if folderFD >= 0 {
            defer { close(folderFD) }
            // Some file systems refuse fsync on a folder (EINVAL): the rename still counts there.
            if fsync(folderFD) != 0 && errno != EINVAL { throw fail("fsync of the folder fails (\(String(cString: strerror(errno))))") }
        }
        guard FileManager.default.contents(atPath: final).map(Array.init) == content,
              !FileManager.default.fileExists(atPath: temporary) else {
            throw fail("a renamed file does not read back as written")
        }
    }

    static func ensureKey(at path: String) throws(Problem) {
        if FileManager.default.fileExists(atPath: path) {
            guard let key = FileManager.default.contents(atPath: path) else {
                throw Problem(path: path, detail: "the portal key cannot be read by this account; every instance needs it (mode 600, owned by the account running kiosque)")
            }
            guard key.count == 32 else {
                throw Problem(path: path, detail: "the portal key holds \(key.count) bytes instead of 32; restore it from a backup of the data folder")
            }
            return
        }
        // link(2) never replaces: if another instance made its key meanwhile, that key is the one.
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let temporary = path + ".\(UUID().uuidString).tmp"
        defer { unlink(temporary) }
        guard FileManager.default.createFile(atPath: temporary, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw Problem(path: path, detail: "the portal key cannot be created in the data folder")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw Problem(path: path, detail: "the portal key cannot be created (\(String(cString: strerror(errno))))")
        }
        guard FileManager.default.contents(atPath: path)?.count == 32 else {
            throw Problem(path: path, detail: "the portal key cannot be read back")
        }
    }
}
