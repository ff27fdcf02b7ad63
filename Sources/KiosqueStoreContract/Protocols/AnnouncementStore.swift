public import Foundation
public import KiosqueModel

/// Departmental announcements, their reading figures, press reviews.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol AnnouncementStore: Sendable {
    /// The agent confirms reading a must-read announcement of their audience (idempotent: the
    /// first confirmation's time stays). Returns the announcement as they now see it; not found
    /// when it is hidden from them, not live, or not a must-read.
    func acknowledgeAnnouncement(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement
    /// Counts one view of a live announcement the agent may see (raw event, daily figures and
    /// distinct readers); drafts and previews by their writers are not counted.
    func recordAnnouncementView(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError)
    /// Views, distinct readers, confirmations from the audience and the audience's size; nil when
    /// the viewer may not see it, `.forbidden` when they see it but do not manage it.
    func announcementStats(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> AnnouncementStats
    /// The figures per UTC day since publication (days without activity included), for managers.
    func announcementDays(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementDay]
    /// The audience of a must-read announcement with each agent's confirmation, unconfirmed first
    /// then by name (the publishing writers and administrators only).
    func announcementAcknowledgements(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AcknowledgementEntry]
    /// Forgets raw reading events older than `before` (retention.activity_days); daily figures and
    /// distinct readers stay. Returns how many were removed.
    @discardableResult
    func purgeAnnouncementViews(before: Date) async throws(StoreError) -> Int
    /// Remembers the agent's directory groups (from their last sign-in), which audiences name:
    /// a group given as a DN (`cn=finances,ou=groups,…`) is also remembered by its CN.
    func setUserGroups(userID: Int64, groups: [String]) async throws(StoreError)
    /// The live departments where the viewer may write announcements, by title.
    func newsDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment]
    /// Whether the viewer writes for the department (editor, or member of a publisher department).
    func canWriteAnnouncements(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> Bool
    /// The announcement if the viewer may see it at `now` (nil otherwise: a hidden one looks absent).
    func announcement(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement?
    /// What the viewer may see, newest publication first: their departments' announcements in any
    /// state for writers, live ones of their audience (archived included) for everyone.
    func announcements(viewer: DocumentViewer, departmentID: String?, now: Date, limit: Int) async throws(StoreError) -> [Announcement]
    /// "À la une" for an agent: the live, unexpired announcements of their audience that are
    /// pinned, or must-read and not yet confirmed by them; unconfirmed must-read first.
    func frontPageAnnouncements(viewer: DocumentViewer, now: Date, limit: Int) async throws(StoreError) -> [Announcement]
    /// Must-read announcements the agent has not confirmed (live, in their audience, not expired),
    /// oldest first: the reminders of the digest.
    func unacknowledgedMustRead(viewer: DocumentViewer, now: Date) async throws(StoreError) -> [Announcement]
    /// Full-text search of the announcements the viewer may see (archived ones included), best first.
    func searchAnnouncements(query text: String, viewer: DocumentViewer, now: Date, limit: Int) async throws(StoreError) -> [Announcement]
    /// Records a new announcement for `departmentID`; refused (`.forbidden`) unless the viewer
    /// writes for it. Submitted content is published at once, or waits for a second writer in a
    /// department marked `approval: true`.
    func createAnnouncement(departmentID: String, content: AnnouncementContent, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement
    /// Replaces an announcement's content (its history keeps the previous versions). A draft
    /// submitted here goes to approval or publication like a new one; a published one stays published.
    func updateAnnouncement(id: String, content: AnnouncementContent, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement
    /// A second writer of the department (or an administrator) approves a pending announcement;
    /// its author cannot approve it.
    func approveAnnouncement(id: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement
    /// Deletes an announcement, its item, confirmations and figures.
    func deleteAnnouncement(id: String, by viewer: DocumentViewer, now: Date) async throws(StoreError)
    /// The saved versions, newest first (writers and administrators).
    func announcementHistory(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementRevision]
    /// Lists in the news channels the announcements for everyone whose publication time has come
    /// (scheduled ones get their item then). Cheap when there is nothing to do; returns how many.
    @discardableResult
    func publishDueAnnouncements(now: Date) async throws(StoreError) -> Int
    /// Changes with the clock whenever an announcement's publication or expiry time passes (no write
    /// marks those moments): a page cached with it is not served past them.
    func announcementEpoch(now: Date) async throws(StoreError) -> String
    /// The figures of a department for its writers and administrators (`.forbidden` for others,
    /// `.notFound` for an unknown department).
    func departmentFigures(departmentID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> DepartmentFigures
    /// The publisher departments (Communication…) where the viewer prepares press reviews, by title.
    func pressReviewDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment]
    /// Adds an item at the end of the department's review (once: adding it again changes nothing).
    func addToPressReview(departmentID: String, itemID: Int64, viewer: DocumentViewer, now: Date) async throws(StoreError)
    /// The review being prepared.
    func pressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> PressReviewDraft
    /// Saves the introduction, each entry's comment and the order (`order` lists entry ids first to
    /// last; entries it leaves out keep their relative order after them); removes the `removed` entries.
    func savePressReview(departmentID: String, intro: String, comments: [Int64: String], order: [Int64],
        removed: Set<Int64>, viewer: DocumentViewer) async throws(StoreError)
    /// Empties the review once published.
    func clearPressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError)
    /// Records a file on an announcement the viewer manages (writers of its department,
    /// administrators); a new picture replaces the previous one. Returns the file and the hashes
    /// of stored files no row uses any more (to delete from the storage).
    func addAnnouncementFile(announcementID: String, role: AnnouncementFileRole, file: AnnouncementFileInput,
        by viewer: DocumentViewer, now: Date) async throws(StoreError) -> (AnnouncementFile, unused: [String])
    /// Removes a file from an announcement the viewer manages; returns the hashes no row uses any more.
    @discardableResult
    func removeAnnouncementFile(announcementID: String, fileID: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> [String]
    /// The picture and attachments of an announcement the viewer may see (empty otherwise), the
    /// picture first then attachments in the order they were added.
    func announcementFiles(announcementID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementFile]
    /// The files of several announcements the viewer may see, by announcement id (one without files
    /// is absent), each in `announcementFiles`' order: one query for a list, not one per announcement.
    func announcementFiles(announcementIDs: [String], viewer: DocumentViewer, now: Date) async throws(StoreError) -> [String: [AnnouncementFile]]
    /// One file of an announcement, if the viewer may see the announcement (checked in SQL, like
    /// every read of it): nil for anyone outside its audience, as if it did not exist.
    func announcementFile(announcementID: String, fileID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> AnnouncementFile?
    /// Every stored file's hash that a row uses (the storage check of `data/announcements`).
    func announcementBlobHashes() async throws(StoreError) -> Set<String>
    /// The hashes of an announcement's files, before it is deleted (the rows go with it).
    func announcementFileHashes(announcementID: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> [String]
    /// Of `hashes`, those no announcement file uses (after a deletion).
    func unusedAnnouncementBlobs(_ hashes: [String]) async throws(StoreError) -> [String]
    /// A department's lasting daily totals, oldest first, from `since` (writers of the department
    /// and administrators; `.forbidden` for others, `.notFound` for an unknown department).
    func departmentDailyTotals(departmentID: String, viewer: DocumentViewer, since: Date) async throws(StoreError) -> [PublishingDay]
    /// A department's documents with their figures, most viewed first (same rights).
    func departmentDocumentFigures(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> [DocumentFigure]
    /// The whole portal's publishing figures (administrators only): each department that published
    /// with its totals, and the portal's days from `since`.
    func portalPublishing(viewer: DocumentViewer, since: Date) async throws(StoreError) -> PortalPublishing
    /// Forgets raw reading events older than `before` (`retention.activity_days`): announcement and
    /// document views, who read a channel on a day, and the confirmations of must-read announcements
    /// that expired before then. Every daily total stays. Returns how many rows were removed.
    @discardableResult
    func purgeReadingEvents(before: Date, now: Date) async throws(StoreError) -> Int
    /// Announcements of `category` of the agent's audience published after `since` and up to `now`,
    /// oldest first (a digest's press reviews).
    func publishedAnnouncements(category: String, viewer: DocumentViewer, since: Date, now: Date) async throws(StoreError) -> [Announcement]
    /// A document's views and distinct readers per UTC day since it was published, for its
    /// department's writers and administrators (`.notFound` unseen, `.forbidden` seen but not theirs).
    func documentDays(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementDay]
    /// The documents attached to several announcements (set with `AnnouncementContent.attachedDocuments`),
    /// by announcement id, each list in its attached order (an announcement without any is absent):
    /// an attachment is listed only when the viewer may see the announcement AND the document
    /// (the documents' rights, checked in SQL); a hidden one is left out, the announcement stays.
    func announcementDocuments(announcementIDs: [String], viewer: DocumentViewer, now: Date) async throws(StoreError) -> [String: [AnnouncementDocument]]
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension AnnouncementStore {
    /// `acknowledgeAnnouncement` with now = Date().
    public func acknowledgeAnnouncement(id: String, viewer: DocumentViewer) async throws(StoreError) -> Announcement {
        try await acknowledgeAnnouncement(id: id, viewer: viewer, now: Date())
    }
    /// `recordAnnouncementView` with now = Date().
    public func recordAnnouncementView(id: String, viewer: DocumentViewer) async throws(StoreError) {
        try await recordAnnouncementView(id: id, viewer: viewer, now: Date())
    }
    /// `announcementStats` with now = Date().
    public func announcementStats(id: String, viewer: DocumentViewer) async throws(StoreError) -> AnnouncementStats {
        try await announcementStats(id: id, viewer: viewer, now: Date())
    }
    /// `announcementDays` with now = Date().
    public func announcementDays(id: String, viewer: DocumentViewer) async throws(StoreError) -> [AnnouncementDay] {
        try await announcementDays(id: id, viewer: viewer, now: Date())
    }
    /// `announcementAcknowledgements` with now = Date().
    public func announcementAcknowledgements(id: String, viewer: DocumentViewer) async throws(StoreError) -> [AcknowledgementEntry] {
        try await announcementAcknowledgements(id: id, viewer: viewer, now: Date())
    }
    /// `announcement` with now = Date().
    public func announcement(id: String, viewer: DocumentViewer) async throws(StoreError) -> Announcement? {
        try await announcement(id: id, viewer: viewer, now: Date())
    }
    /// `announcements` with departmentID = nil.
    public func announcements(viewer: DocumentViewer, now: Date, limit: Int) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: nil, now: now, limit: limit)
    }
    /// `announcements` with now = Date().
    public func announcements(viewer: DocumentViewer, departmentID: String?, limit: Int) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: departmentID, now: Date(), limit: limit)
    }
    /// `announcements` with limit = 100.
    public func announcements(viewer: DocumentViewer, departmentID: String?, now: Date) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: departmentID, now: now, limit: 100)
    }
    /// `announcements` with departmentID = nil, now = Date().
    public func announcements(viewer: DocumentViewer, limit: Int) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: nil, now: Date(), limit: limit)
    }
    /// `announcements` with departmentID = nil, limit = 100.
    public func announcements(viewer: DocumentViewer, now: Date) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: nil, now: now, limit: 100)
    }
    /// `announcements` with now = Date(), limit = 100.
    public func announcements(viewer: DocumentViewer, departmentID: String?) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: departmentID, now: Date(), limit: 100)
    }
    /// `announcements` with departmentID = nil, now = Date(), limit = 100.
    public func announcements(viewer: DocumentViewer) async throws(StoreError) -> [Announcement] {
        try await announcements(viewer: viewer, departmentID: nil, now: Date(), limit: 100)
    }
    /// `frontPageAnnouncements` with now = Date().
    public func frontPageAnnouncements(viewer: DocumentViewer, limit: Int) async throws(StoreError) -> [Announcement] {
        try await frontPageAnnouncements(viewer: viewer, now: Date(), limit: limit)
    }
    /// `frontPageAnnouncements` with limit = 10.
    public func frontPageAnnouncements(viewer: DocumentViewer, now: Date) async throws(StoreError) -> [Announcement] {
        try await frontPageAnnouncements(viewer: viewer, now: now, limit: 10)
    }
    /// `frontPageAnnouncements` with now = Date(), limit = 10.
    public func frontPageAnnouncements(viewer: DocumentViewer) async throws(StoreError) -> [Announcement] {
        try await frontPageAnnouncements(viewer: viewer, now: Date(), limit: 10)
    }
    /// `unacknowledgedMustRead` with now = Date().
    public func unacknowledgedMustRead(viewer: DocumentViewer) async throws(StoreError) -> [Announcement] {
        try await unacknowledgedMustRead(viewer: viewer, now: Date())
    }
    /// `searchAnnouncements` with now = Date().
    public func searchAnnouncements(query text: String, viewer: DocumentViewer, limit: Int) async throws(StoreError) -> [Announcement] {
        try await searchAnnouncements(query: text, viewer: viewer, now: Date(), limit: limit)
    }
    /// `searchAnnouncements` with limit = 20.
    public func searchAnnouncements(query text: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [Announcement] {
        try await searchAnnouncements(query: text, viewer: viewer, now: now, limit: 20)
    }
    /// `searchAnnouncements` with now = Date(), limit = 20.
    public func searchAnnouncements(query text: String, viewer: DocumentViewer) async throws(StoreError) -> [Announcement] {
        try await searchAnnouncements(query: text, viewer: viewer, now: Date(), limit: 20)
    }
    /// `createAnnouncement` with now = Date().
    public func createAnnouncement(departmentID: String, content: AnnouncementContent, by viewer: DocumentViewer) async throws(StoreError) -> Announcement {
        try await createAnnouncement(departmentID: departmentID, content: content, by: viewer, now: Date())
    }
    /// `updateAnnouncement` with now = Date().
    public func updateAnnouncement(id: String, content: AnnouncementContent, by viewer: DocumentViewer) async throws(StoreError) -> Announcement {
        try await updateAnnouncement(id: id, content: content, by: viewer, now: Date())
    }
    /// `approveAnnouncement` with now = Date().
    public func approveAnnouncement(id: String, by viewer: DocumentViewer) async throws(StoreError) -> Announcement {
        try await approveAnnouncement(id: id, by: viewer, now: Date())
    }
    /// `deleteAnnouncement` with now = Date().
    public func deleteAnnouncement(id: String, by viewer: DocumentViewer) async throws(StoreError) {
        try await deleteAnnouncement(id: id, by: viewer, now: Date())
    }
    /// `announcementHistory` with now = Date().
    public func announcementHistory(id: String, viewer: DocumentViewer) async throws(StoreError) -> [AnnouncementRevision] {
        try await announcementHistory(id: id, viewer: viewer, now: Date())
    }
    /// `publishDueAnnouncements` with now = Date().
    @discardableResult
    public func publishDueAnnouncements() async throws(StoreError) -> Int {
        try await publishDueAnnouncements(now: Date())
    }
    /// `announcementEpoch` with now = Date().
    public func announcementEpoch() async throws(StoreError) -> String {
        try await announcementEpoch(now: Date())
    }
    /// `departmentFigures` with now = Date().
    public func departmentFigures(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> DepartmentFigures {
        try await departmentFigures(departmentID: departmentID, viewer: viewer, now: Date())
    }
    /// `addToPressReview` with now = Date().
    public func addToPressReview(departmentID: String, itemID: Int64, viewer: DocumentViewer) async throws(StoreError) {
        try await addToPressReview(departmentID: departmentID, itemID: itemID, viewer: viewer, now: Date())
    }
    /// `addAnnouncementFile` with now = Date().
    public func addAnnouncementFile(announcementID: String, role: AnnouncementFileRole, file: AnnouncementFileInput,
                                    by viewer: DocumentViewer) async throws(StoreError) -> (AnnouncementFile, unused: [String]) {
        try await addAnnouncementFile(announcementID: announcementID, role: role, file: file, by: viewer, now: Date())
    }
    /// `removeAnnouncementFile` with now = Date().
    @discardableResult
    public func removeAnnouncementFile(announcementID: String, fileID: String, by viewer: DocumentViewer) async throws(StoreError) -> [String] {
        try await removeAnnouncementFile(announcementID: announcementID, fileID: fileID, by: viewer, now: Date())
    }
    /// `announcementFiles` with now = Date().
    public func announcementFiles(announcementID: String, viewer: DocumentViewer) async throws(StoreError) -> [AnnouncementFile] {
        try await announcementFiles(announcementID: announcementID, viewer: viewer, now: Date())
    }
    /// `announcementFiles(announcementIDs:)` with now = Date().
    public func announcementFiles(announcementIDs: [String], viewer: DocumentViewer) async throws(StoreError) -> [String: [AnnouncementFile]] {
        try await announcementFiles(announcementIDs: announcementIDs, viewer: viewer, now: Date())
    }
    /// `announcementFile` with now = Date().
    public func announcementFile(announcementID: String, fileID: String, viewer: DocumentViewer) async throws(StoreError) -> AnnouncementFile? {
        try await announcementFile(announcementID: announcementID, fileID: fileID, viewer: viewer, now: Date())
    }
    /// `announcementFileHashes` with now = Date().
    public func announcementFileHashes(announcementID: String, by viewer: DocumentViewer) async throws(StoreError) -> [String] {
        try await announcementFileHashes(announcementID: announcementID, by: viewer, now: Date())
    }
    /// The documents attached to one announcement that the viewer may see, in order (`announcementDocuments(announcementIDs:)`).
    public func announcementDocuments(announcementID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementDocument] {
        try await announcementDocuments(announcementIDs: [announcementID], viewer: viewer, now: now)[announcementID] ?? []
    }
    /// `announcementDocuments(announcementID:)` with now = Date().
    public func announcementDocuments(announcementID: String, viewer: DocumentViewer) async throws(StoreError) -> [AnnouncementDocument] {
        try await announcementDocuments(announcementID: announcementID, viewer: viewer, now: Date())
    }
    /// `documentDays` with now = Date().
    public func documentDays(id: String, viewer: DocumentViewer) async throws(StoreError) -> [AnnouncementDay] {
        try await documentDays(id: id, viewer: viewer, now: Date())
    }
}
