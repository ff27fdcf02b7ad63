public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The picture and attachments of announcements on PostgreSQL (SQLite's AnnouncementFiles.swift):
/// rows naming content-addressed files; every read joins `AnnouncementScope.visible`, so a file is
/// served only to those who may see its announcement.
extension PostgresStore {
    /// Records a file on an announcement the viewer manages (writers of its department,
    /// administrators); a new picture replaces the previous one. Returns the file and the hashes
    /// of stored files no row uses any more (to delete from the storage).
    public func addAnnouncementFile(announcementID: String, role: AnnouncementFileRole, file: AnnouncementFileInput,
                                    by viewer: DocumentViewer, now: Date) async throws(StoreError) -> (AnnouncementFile, unused: [String]) {
        let publicID = PostgresAnnouncementRows.newPublicID()
        let logger = self.logger
        let result = try await write("adding a file to announcement \(announcementID)") { connection -> AddedAnnouncementFile in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: announcementID, AnnouncementScope(viewer, now: now),
                                                                        logger: logger)
            var replaced: [String] = []
            if role == .picture {
                replaced = try await PostgresRows.all(connection.query("""
                    DELETE FROM announcement_files WHERE announcement_id = \(rowID) AND role = 'picture' RETURNING sha256
                    """, logger: logger), String.self)
            } else {
                // The announcement's row is locked by this count: two uploads at once cannot both pass the limit.
                let count = try await PostgresRows.all(connection.query("""
                    SELECT (SELECT count(*) FROM announcement_files WHERE announcement_id = a.id AND role = 'attachment')
                    FROM announcements a WHERE a.id = \(rowID) FOR UPDATE
                    """, logger: logger), Int.self).first ?? 0
                guard count < PostgresAnnouncementFileRows.maxAttachments else {
                    throw StoreError.conflict(what: "announcement \(announcementID)",
                                              detail: "at most \(PostgresAnnouncementFileRows.maxAttachments) attachments")
                }
            }
            try await connection.query("""
                INSERT INTO announcement_files (public_id, announcement_id, role, sha256, size, file_name, media_type, kind, width, height,
                  alt, added_by, added_at)
                VALUES (\(publicID), \(rowID), \(role.rawValue), \(file.sha256.lowercased()), \(file.size), \(file.fileName),
                  \(file.mediaType), \(file.kind), \(file.width.map(Int32.init)), \(file.height.map(Int32.init)), \(file.alt),
                  \(viewer.userID), \(now.unixSeconds))
                """, logger: logger)
            try await connection.query("UPDATE announcements SET updated_at = \(now.unixSeconds) WHERE id = \(rowID)", logger: logger)
            let unused = try await PostgresAnnouncementFileRows.unused(connection, replaced, logger: logger)
            return AddedAnnouncementFile(file: AnnouncementFile(id: publicID, role: role, file: file, addedAt: now), unused: unused)
        }
        return (result.file, unused: result.unused)
    }

    /// Removes a file from an announcement the viewer manages; returns the hashes no row uses any more.
    @discardableResult
    public func removeAnnouncementFile(announcementID: String, fileID: String, by viewer: DocumentViewer,
                                       now: Date) async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await write("removing a file from announcement \(announcementID)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: announcementID, AnnouncementScope(viewer, now: now),
                                                                        logger: logger)
            guard let hash = try await PostgresRows.all(connection.query("""
                DELETE FROM announcement_files WHERE announcement_id = \(rowID) AND public_id = \(fileID) RETURNING sha256
                """, logger: logger), String.self).first else {
                throw StoreError.notFound(what: "file", id: fileID)
            }
            try await connection.query("UPDATE announcements SET updated_at = \(now.unixSeconds) WHERE id = \(rowID)", logger: logger)
            return try await PostgresAnnouncementFileRows.unused(connection, [hash], logger: logger)
        }
    }

    /// The picture and attachments of an announcement the viewer may see (empty otherwise), the
    /// picture first then attachments in the order they were added.
    public func announcementFiles(announcementID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementFile] {
        try await visibleAnnouncementFiles("listing the files of announcement \(announcementID)", [announcementID], fileID: nil,
                                           viewer: viewer, now: now).map(\.file)
    }

    /// The files of several announcements the viewer may see, by announcement id (one without files
    /// is absent), each in `announcementFiles`' order: one query for a list.
    public func announcementFiles(announcementIDs: [String], viewer: DocumentViewer,
                                  now: Date) async throws(StoreError) -> [String: [AnnouncementFile]] {
        guard !announcementIDs.isEmpty else { return [:] }
        let files = try await visibleAnnouncementFiles("listing the files of \(announcementIDs.count) announcements", announcementIDs,
                                                       fileID: nil, viewer: viewer, now: now)
        return Dictionary(grouping: files, by: \.announcement).mapValues { $0.map(\.file) }
    }

    /// One file of an announcement, if the viewer may see the announcement (checked in SQL):
    /// nil for anyone outside its audience, as if it did not exist.
    public func announcementFile(announcementID: String, fileID: String, viewer: DocumentViewer,
                                 now: Date) async throws(StoreError) -> AnnouncementFile? {
        try await visibleAnnouncementFiles("reading a file of announcement \(announcementID)", [announcementID], fileID: fileID,
                                           viewer: viewer, now: now).first?.file
    }

    /// Every stored file's hash that a row uses (the storage check of `data/announcements`).
    public func announcementBlobHashes() async throws(StoreError) -> Set<String> {
        let logger = self.logger
        return try await read("listing announcement files") { connection in
            Set(try await PostgresRows.all(connection.query("SELECT DISTINCT sha256 FROM announcement_files", logger: logger), String.self))
        }
    }

    /// The hashes of an announcement's files, before it is deleted (the rows go with it).
    public func announcementFileHashes(announcementID: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await read("listing the stored files of announcement \(announcementID)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: announcementID, AnnouncementScope(viewer, now: now),
                                                                        logger: logger)
            return try await PostgresRows.all(connection.query(
                "SELECT DISTINCT sha256 FROM announcement_files WHERE announcement_id = \(rowID)", logger: logger), String.self)
        }
    }

    /// Of `hashes`, those no announcement file uses (after a deletion).
    public func unusedAnnouncementBlobs(_ hashes: [String]) async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await read("checking stored announcement files") { connection in
            try await PostgresAnnouncementFileRows.unused(connection, hashes, logger: logger)
        }
    }

    private func visibleAnnouncementFiles(_ what: String, _ announcementIDs: [String], fileID: String?, viewer: DocumentViewer,
                                          now: Date) async throws(StoreError) -> [(announcement: String, file: AnnouncementFile)] {
        let logger = self.logger
        let rows = try await read(what) { connection -> [VisibleAnnouncementFile] in
            var scope = AnnouncementScope(viewer, now: now)
            let ids = scope.bind(announcementIDs), file = scope.bind(fileID, as: "text")
            var found: [VisibleAnnouncementFile] = []
            for try await row in try await connection.query(scope.query("""
                SELECT f.public_id, f.role, f.sha256, f.size, f.file_name, f.media_type, f.kind, f.width, f.height, f.alt, f.added_at,
                  a.public_id
                FROM announcement_files f JOIN announcements a ON a.id = f.announcement_id
                WHERE a.public_id = ANY(\(ids)) AND (\(file) IS NULL OR f.public_id = \(file)) AND \(scope.visible)
                ORDER BY f.role = 'attachment', f.id
                """), logger: logger) {
                let c = try row.decode((String, String, String, Int64, String, String, String, Int32?, Int32?, String, Int64, String).self)
                let input = AnnouncementFileInput(sha256: c.2, size: c.3, fileName: c.4, mediaType: c.5, kind: c.6,
                                                  width: c.7.map(Int.init), height: c.8.map(Int.init), alt: c.9)
                found.append(VisibleAnnouncementFile(
                    announcement: c.11, file: AnnouncementFile(id: c.0, role: AnnouncementFileRole(rawValue: c.1) ?? .attachment,
                                                               file: input, addedAt: Date(unixSeconds: c.10))))
            }
            return found
        }
        return rows.map { ($0.announcement, $0.file) }
    }
}

/// A file with the public id of its announcement.
private struct VisibleAnnouncementFile: Sendable {
    let announcement: String
    let file: AnnouncementFile
}

/// A file just added, with the stored files nothing uses any more.
private struct AddedAnnouncementFile: Sendable {
    let file: AnnouncementFile
    let unused: [String]
}

enum PostgresAnnouncementFileRows {
    /// Attachments per announcement (as SQLite).
    static let maxAttachments = 20

    /// Of `hashes`, those no announcement file uses, sorted.
    static func unused(_ connection: PostgresConnection, _ hashes: [String], logger: Logger) async throws -> [String] {
        let wanted = Set(hashes)
        guard !wanted.isEmpty else { return [] }
        let used = Set(try await PostgresRows.all(connection.query("""
            SELECT DISTINCT sha256 FROM announcement_files WHERE sha256 = ANY(\(Array(wanted)))
            """, logger: logger), String.self))
        return wanted.subtracting(used).sorted()
    }
}
