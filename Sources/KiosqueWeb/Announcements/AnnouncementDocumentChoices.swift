import Foundation
import Hummingbird
import KiosqueStoreContract

/// The department's documents attached to an announcement: ticked in the writing form (inside its
/// CSRF-protected form, in attached order first), listed on the announcement's page under
/// "Pièces jointes" — the store lists only those the reader may see.
extension AnnouncementsController {
    /// The writing form's list of the department's documents (those the writer may see), the
    /// attached ones ticked and first in their order: from what was sent when the form comes back
    /// refused, else from the announcement being edited.
    func documentChoices(departmentID: String, departmentTitle: String, announcementID: String?, sent: FormData?,
                         viewer: DocumentViewer, context: AppRequestContext) async throws -> [String: Any] {
        var documents = try await store.documents(filter: DocumentFilter(departmentID: departmentID, includeUnpublished: true,
                                                                         limit: Self.listedDocuments), viewer: viewer)
        var current: [String] = []
        if let announcementID {
            current = try await store.announcementDocuments(announcementID: announcementID, viewer: viewer, now: context.now).map(\.id)
        }
        let attached: [String]
        if let sent, sent["attachments_listed"] != nil {
            attached = sent.fieldsNamed("attachment_document")
        } else {
            attached = current
        }
        // An attached document older than the listed ones is listed all the same: saving the form
        // replaces the attachments by the ticked boxes, and it must not drop one it did not show.
        let listed = Set(documents.map(\.id))
        for id in Set(attached.prefix(AnnouncementDocument.maxPerAnnouncement + 1) + current).subtracting(listed).sorted() {
            if let record = try await store.document(id: id, viewer: viewer), record.departmentID == departmentID {
                documents.append(record)
            }
        }
        let place = Dictionary(attached.enumerated().map { ($1, $0) }) { first, _ in first }
        let ordered = documents.enumerated().sorted { left, right in
            (place[left.element.id] ?? attached.count + left.offset) < (place[right.element.id] ?? attached.count + right.offset)
        }.map(\.element)
        let rows = ordered.map { document -> [String: Any] in
            var row: [String: Any] = ["id": document.id, "title": document.title, "checked": place[document.id] != nil,
                                      "unpublished": document.status != .published]
            if let version = document.versions.first {
                row["kind"] = version.kind.uppercased()
                row["size"] = DocumentsController.size(version.size)
            }
            return row
        }
        return ["attachment_documents": rows, "has_attachment_documents": !rows.isEmpty, "attachment_department": departmentTitle]
    }

    /// How many of the department's documents (the most recent) the form lists besides the attached ones.
    static let listedDocuments = 200

    /// The announcement page's attached documents (title, type, size, a link to the document's page).
    func documentValues(announcementID id: String, viewer: DocumentViewer, now: Date) async throws -> [String: Any] {
        let documents = try await store.announcementDocuments(announcementID: id, viewer: viewer, now: now)
        guard !documents.isEmpty else { return [:] }
        return ["has_attachments": true, "documents": documents.map { document -> [String: Any] in
            var row: [String: Any] = ["title": document.title, "href": "/documents/\(document.id)"]
            if !document.kind.isEmpty { row["kind"] = document.kind.uppercased(); row["size"] = DocumentsController.size(document.size) }
            return row
        }]
    }

    /// What the form says about a document it could not attach (nil: not such a refusal).
    func documentRefusalText(_ error: any Error, _ context: AppRequestContext) -> String? {
        switch error as? StoreError {
        case .notFound(let what, let id)? where what == "document":
            return views.text("announcements_document_refused", context) + " " + id
        case .conflict(let what, _)? where what.hasPrefix("document "):
            return views.text("announcements_document_refused", context) + " " + what.dropFirst("document ".count)
        case .conflict(let what, _)? where what == "announcement documents":
            return views.text("announcements_documents_too_many", context)
        default:
            return nil
        }
    }
}
