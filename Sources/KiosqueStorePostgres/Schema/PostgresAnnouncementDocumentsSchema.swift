/// SQLite's "v15-announcement-documents": announcements' attached documents, links to existing
/// documents of the publishing department, in order; a link goes with either side.
extension PostgresSchema {
    static let announcementDocuments = [
        """
        CREATE TABLE announcement_documents (
          announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
          document_id BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          PRIMARY KEY (announcement_id, document_id)
        )
        """,
        "CREATE INDEX announcement_documents_document ON announcement_documents(document_id)",
    ]
}
