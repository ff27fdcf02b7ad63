public import Foundation
import GRDB

/// The picture and attachments of announcements (types in KiosqueStoreContract/Records/AnnouncementFileTypes.swift):
/// the bytes live in content-addressed files (`data/announcements`); these rows name them, and
/// every read joins `AnnouncementRows.visible`, so a file is served only to those who may see its announcement.
enum AnnouncementFileSchema {
    /// Migration "v12-announcement-attachments".
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE announcement_files (
              id INTEGER PRIMARY KEY,
              public_id TEXT NOT NULL UNIQUE,
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              role TEXT NOT NULL CHECK (role IN ('picture', 'attachment')),
              sha256 TEXT NOT NULL,
              size INTEGER NOT NULL,
              file_name TEXT NOT NULL,
              media_type TEXT NOT NULL,
              kind TEXT NOT NULL,
              width INTEGER,
              height INTEGER,
              alt TEXT NOT NULL DEFAULT '',
              added_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              added_at INTEGER NOT NULL
            );
            CREATE INDEX announcement_files_announcement ON announcement_files(announcement_id, role, id);
            CREATE UNIQUE INDEX announcement_files_one_picture ON announcement_files(announcement_id) WHERE role = 'picture';
            CREATE INDEX announcement_files_blob ON announcement_files(sha256);
            """)
    }
}

extension AppDatabase {
    /// Records a file on an announcement the viewer manages (writers of its department,
    /// administrators); a new picture replaces the previous one. Returns the file and the hashes
    /// of stored files no row uses any more (to delete from the storage).
    public func addAnnouncementFile(announcementID: String, role: AnnouncementFileRole, file: AnnouncementFileInput,
                                    by viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> (AnnouncementFile, unused: [String]) {
        let publicID = DocumentRows.newPublicID()
        return try await write("adding a file to announcement \(announcementID)", changes: .shared) { db in
            let (rowID, _) = try Self.managed(db, id: announcementID, viewer: viewer, now: now)
            var replaced: [String] = []
            if role == .picture {
                replaced = try String.fetchAll(db, sql: "SELECT sha256 FROM announcement_files WHERE announcement_id = ? AND role = 'picture'",
                                               arguments: [rowID])
                try db.execute(sql: "DELETE FROM announcement_files WHERE announcement_id = ? AND role = 'picture'", arguments: [rowID])
            } else {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM announcement_files WHERE announcement_id = ? AND role = 'attachment'",
                                             arguments: [rowID]) ?? 0
                guard count < Self.maxAnnouncementAttachments else {
                    throw StoreError.conflict(what: "announcement \(announcementID)",
                                              detail: "at most \(Self.maxAnnouncementAttachments) attachments")
                }
            }
            try db.execute(sql: """
                INSERT INTO announcement_files (public_id, announcement_id, role, sha256, size, file_name, media_type, kind, width, height,
                  alt, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [publicID, rowID, role.rawValue, file.sha256.lowercased(), file.size, file.fileName, file.mediaType, file.kind,
                                 file.width, file.height, file.alt, viewer.userID, now.unixSeconds])
            try db.execute(sql: "UPDATE announcements SET updated_at = ? WHERE id = ?", arguments: [now.unixSeconds, rowID])
            let unused = try Self.unusedAnnouncementBlobs(db, replaced)
            return (AnnouncementFile(id: publicID, role: role, file: file, addedAt: now), unused: unused)
        }
    }

    /// Removes a file from an announcement the viewer manages; returns the hashes no row uses any more.
    @discardableResult
    public func removeAnnouncementFile(announcementID: String, fileID: String, by viewer: DocumentViewer,
                                       now: Date = Date()) async throws(StoreError) -> [String] {
        try await write("removing a file from announcement \(announcementID)", changes: .shared) { db in
            let (rowID, _) = try Self.managed(db, id: announcementID, viewer: viewer, now: now)
            guard let hash = try String.fetchOne(db, sql: "SELECT sha256 FROM announcement_files WHERE announcement_id = ? AND public_id = ?",
                                                 arguments: [rowID, fileID]) else {
                throw StoreError.notFound(what: "file", id: fileID)
            }
            try db.execute(sql: "DELETE FROM announcement_files WHERE announcement_id = ? AND public_id = ?", arguments: [rowID, fileID])
            try db.execute(sql: "UPDATE announcements SET updated_at = ? WHERE id = ?", arguments: [now.unixSeconds, rowID])
            return try Self.unusedAnnouncementBlobs(db, [hash])
        }
    }

    /// The picture and attachments of an announcement the viewer may see (empty otherwise), the
    /// picture first then attachments in the order they were added.
    public func announcementFiles(announcementID: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> [AnnouncementFile] {
        try await read("listing the files of announcement \(announcementID)") { db in
            try Self.visibleFiles(db, announcementIDs: [announcementID], fileID: nil, viewer: viewer, now: now).map(\.file)
        }
    }

    /// The files of several announcements the viewer may see, by announcement id (one without files
    /// is absent), each in `announcementFiles`' order: one query for a list, not one per announcement.
    public func announcementFiles(announcementIDs: [String], viewer: DocumentViewer,
                                  now: Date = Date()) async throws(StoreError) -> [String: [AnnouncementFile]] {
        guard !announcementIDs.isEmpty else { return [:] }
        return try await read("listing the files of \(announcementIDs.count) announcements") { db in
            Dictionary(grouping: try Self.visibleFiles(db, announcementIDs: announcementIDs, fileID: nil, viewer: viewer, now: now),
                       by: \.announcement).mapValues { $0.map(\.file) }
        }
    }

    /// One file of an announcement, if the viewer may see the announcement (checked in SQL, like
    /// every read of it): nil for anyone outside its audience, as if it did not exist.
    public func announcementFile(announcementID: String, fileID: String, viewer: DocumentViewer,
                                 now: Date = Date()) async throws(StoreError) -> AnnouncementFile? {
        try await read("reading a file of announcement \(announcementID)") { db in
            try Self.visibleFiles(db, announcementIDs: [announcementID], fileID: fileID, viewer: viewer, now: now).first?.file
        }
    }

    /// Every stored file's hash that a row uses (the storage check of `data/announcements`).
    public func announcementBlobHashes() async throws(StoreError) -> Set<String> {
        try await read("listing announcement files") { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM announcement_files"))
        }
    }

    /// The hashes of an announcement's files, before it is deleted (the rows go with it).
    public func announcementFileHashes(announcementID: String, by viewer: DocumentViewer,
                                       now: Date = Date()) async throws(StoreError) -> [String] {
        try await read("listing the stored files of announcement \(announcementID)") { db in
            let (rowID, _) = try Self.managed(db, id: announcementID, viewer: viewer, now: now)
            return try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM announcement_files WHERE announcement_id = ?", arguments: [rowID])
        }
    }

    /// Of `hashes`, those no announcement file uses (after a deletion).
    public func unusedAnnouncementBlobs(_ hashes: [String]) async throws(StoreError) -> [String] {
        try await read("checking stored announcement files") { db in try Self.unusedAnnouncementBlobs(db, hashes) }
    }

    /// Attachments per announcement.
    static let maxAnnouncementAttachments = 20

    static func unusedAnnouncementBlobs(_ db: Database, _ hashes: [String]) throws -> [String] {
        try Set(hashes).sorted().filter {
            try Bool.fetchOne(db, sql: "SELECT 1 FROM announcement_files WHERE sha256 = ? LIMIT 1", arguments: [$0]) != true
        }
    }

    private static func visibleFiles(_ db: Database, announcementIDs: [String], fileID: String?, viewer: DocumentViewer,
                                     now: Date) throws -> [(announcement: String, file: AnnouncementFile)] {
        var args = AnnouncementRows.arguments(viewer, now: now)
        for (index, id) in announcementIDs.enumerated() { args["id\(index)"] = id }
        args.updateValue(fileID, forKey: "file")  // a nil value must stay in the dictionary
        let ids = announcementIDs.indices.map { ":id\($0)" }.joined(separator: ", ")
        return try Row.fetchAll(db, sql: """
            SELECT f.*, a.public_id AS announcement FROM announcement_files f JOIN announcements a ON a.id = f.announcement_id
            WHERE a.public_id IN (\(ids)) AND (:file IS NULL OR f.public_id = :file) AND \(AnnouncementRows.visible)
            ORDER BY f.role = 'attachment', f.id
            """, arguments: StatementArguments(args)).map { row in
            let file = AnnouncementFile(id: row["public_id"], role: AnnouncementFileRole(rawValue: row["role"]) ?? .attachment,
                                        file: AnnouncementFileInput(sha256: row["sha256"], size: row["size"], fileName: row["file_name"],
                                                                    mediaType: row["media_type"], kind: row["kind"], width: row["width"],
                                                                    height: row["height"], alt: row["alt"]),
                                        addedAt: Date(unixSeconds: row["added_at"]))
            return (announcement: row["announcement"], file: file)
        }
    }
}
