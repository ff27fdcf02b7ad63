import Foundation
import KiosqueModel
@testable import KiosqueStore
import Testing

@Suite("Announcement pictures and attachments in the store")
struct AnnouncementFileTests {
    static func file(_ name: String, sha: String) -> AnnouncementFileInput {
        AnnouncementFileInput(sha256: sha, size: 42, fileName: name, mediaType: "application/pdf", kind: "pdf")
    }

    @Test("a targeted announcement's files: its audience, writers and administrators get them; everyone else finds nothing")
    func accessFollowsTheAudience() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Plan de continuité", audience: .init(departments: ["dsi"])),
            by: town.writer, now: NewsTown.now)
        let (added, unused) = try await store.addAnnouncementFile(announcementID: note.id, role: .attachment,
                                                                  file: Self.file("plan.pdf", sha: String(repeating: "a", count: 64)),
                                                                  by: town.writer, now: NewsTown.now)
        #expect(unused.isEmpty)
        for viewer in [town.dsiMember, town.writer, town.admin] {
            #expect(try await store.announcementFile(announcementID: note.id, fileID: added.id, viewer: viewer, now: NewsTown.now)?
                .file.fileName == "plan.pdf", "viewer \(viewer.userID)")
        }
        for viewer in [town.outsider, town.grouped, town.rhEditor] {
            #expect(try await store.announcementFile(announcementID: note.id, fileID: added.id, viewer: viewer, now: NewsTown.now) == nil,
                    "viewer \(viewer.userID)")
            #expect(try await store.announcementFiles(announcementID: note.id, viewer: viewer, now: NewsTown.now).isEmpty)
        }
        // A file id under another announcement is not found, even for a writer.
        let other = try await store.createAnnouncement(departmentID: "communication", content: town.content("Autre"), by: town.writer,
                                                       now: NewsTown.now)
        #expect(try await store.announcementFile(announcementID: other.id, fileID: added.id, viewer: town.writer, now: NewsTown.now) == nil)
        // Only those who manage the announcement add or remove files.
        await #expect(throws: StoreError.forbidden(what: "announcement", id: note.id)) {
            try await store.addAnnouncementFile(announcementID: note.id, role: .attachment, file: Self.file("x.pdf", sha: "b"),
                                                by: town.dsiMember, now: NewsTown.now)
        }
        await #expect(throws: StoreError.notFound(what: "announcement", id: note.id)) {
            try await store.removeAnnouncementFile(announcementID: note.id, fileID: added.id, by: town.outsider, now: NewsTown.now)
        }
        // A draft's files are its writers' only, like the draft.
        let draft = try await store.createAnnouncement(departmentID: "communication", content: town.content("Brouillon", draft: true),
                                                       by: town.writer, now: NewsTown.now)
        let (draftFile, _) = try await store.addAnnouncementFile(announcementID: draft.id, role: .attachment,
                                                                 file: Self.file("b.pdf", sha: "c"), by: town.writer, now: NewsTown.now)
        #expect(try await store.announcementFile(announcementID: draft.id, fileID: draftFile.id, viewer: town.dsiMember, now: NewsTown.now) == nil)
        // Scheduled: invisible to readers before publish_at.
        let later = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Plus tard", publishAt: NewsTown.now.addingTimeInterval(3_600)),
            by: town.writer, now: NewsTown.now)
        let (laterFile, _) = try await store.addAnnouncementFile(announcementID: later.id, role: .attachment,
                                                                 file: Self.file("l.pdf", sha: "d"), by: town.writer, now: NewsTown.now)
        #expect(try await store.announcementFile(announcementID: later.id, fileID: laterFile.id, viewer: town.outsider, now: NewsTown.now) == nil)
        #expect(try await store.announcementFile(announcementID: later.id, fileID: laterFile.id, viewer: town.outsider,
                                                 now: NewsTown.now.addingTimeInterval(3_601)) != nil)
    }

    @Test("one picture: a new one replaces it; removing the last use of a stored file reports it for deletion")
    func pictureReplacedAndBlobsReported() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        let note = try await store.createAnnouncement(departmentID: "communication", content: town.content("Photo"), by: town.writer,
                                                      now: NewsTown.now)
        let shared = String(repeating: "e", count: 64)
        _ = try await store.addAnnouncementFile(announcementID: note.id, role: .picture, file: Self.file("un.jpg", sha: "p1"),
                                                by: town.writer, now: NewsTown.now)
        let (second, unused) = try await store.addAnnouncementFile(announcementID: note.id, role: .picture,
                                                                   file: Self.file("deux.jpg", sha: "p2"), by: town.writer, now: NewsTown.now)
        #expect(unused == ["p1"])
        let pictures = try await store.announcementFiles(announcementID: note.id, viewer: town.outsider, now: NewsTown.now)
        #expect(pictures.map(\.id) == [second.id])
        // Two attachments with the same bytes: the file stays until its last row goes.
        let (a, _) = try await store.addAnnouncementFile(announcementID: note.id, role: .attachment, file: Self.file("a.pdf", sha: shared),
                                                         by: town.writer, now: NewsTown.now)
        let (b, _) = try await store.addAnnouncementFile(announcementID: note.id, role: .attachment, file: Self.file("b.pdf", sha: shared),
                                                         by: town.writer, now: NewsTown.now)
        #expect(try await store.announcementFiles(announcementID: note.id, viewer: town.outsider, now: NewsTown.now).map(\.role)
                == [.picture, .attachment, .attachment])
        #expect(try await store.removeAnnouncementFile(announcementID: note.id, fileID: a.id, by: town.writer, now: NewsTown.now).isEmpty)
        #expect(try await store.removeAnnouncementFile(announcementID: note.id, fileID: b.id, by: town.admin, now: NewsTown.now) == [shared])
        #expect(try await store.announcementBlobHashes() == ["p2"])
        // Deleting the announcement takes its rows.
        let hashes = try await store.announcementFileHashes(announcementID: note.id, by: town.writer, now: NewsTown.now)
        try await store.deleteAnnouncement(id: note.id, by: town.writer, now: NewsTown.now)
        #expect(try await store.unusedAnnouncementBlobs(hashes) == ["p2"])
        #expect(try await store.announcementBlobHashes().isEmpty)
    }
}
