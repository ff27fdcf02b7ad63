import GRDB

/// The departmental documents' tables (issue 9), registered as migration "v2-documents".
///
/// A department's "document channel" reuses the news machinery: a `channels` row of kind
/// 'documents' (key `service-<department>`) fed by a synthetic, permanently retired source
/// (key `service:<department>`, never fetched, hidden from the catalogue's source lists). Each
/// published, organisation-wide document has an `items` row in that source, so subscriptions,
/// Ma page, unread counters, item search and Atom work unchanged. Members-only documents never
/// get an item row: they cannot leak through any item route.
enum DocumentSchema {
    /// The bouquet that gathers the document channels in the catalogue.
    static let bouquetKey = "documents-services"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE document_blobs (
              sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
              size INTEGER NOT NULL,
              created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE documents (
              id INTEGER PRIMARY KEY,
              public_id TEXT NOT NULL UNIQUE,
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE RESTRICT,
              title TEXT NOT NULL,
              category TEXT,
              description TEXT NOT NULL DEFAULT '',
              act_date TEXT,
              visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'department')),
              status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'unpublished')),
              item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
              created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              created_at INTEGER NOT NULL,
              updated_at INTEGER NOT NULL
            );
            CREATE INDEX documents_department ON documents(department_id, created_at);
            CREATE INDEX documents_item ON documents(item_id);
            CREATE TABLE document_versions (
              id INTEGER PRIMARY KEY,
              document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
              number INTEGER NOT NULL,
              sha256 TEXT NOT NULL REFERENCES document_blobs(sha256),
              file_name TEXT NOT NULL,
              media_type TEXT NOT NULL,
              kind TEXT NOT NULL,
              size INTEGER NOT NULL,
              uploaded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              uploaded_at INTEGER NOT NULL,
              text TEXT,
              index_status TEXT NOT NULL DEFAULT 'pending' CHECK (index_status IN ('pending', 'indexed', 'failed')),
              index_error TEXT,
              UNIQUE (document_id, number)
            );
            CREATE INDEX document_versions_blob ON document_versions(sha256);
            CREATE INDEX document_versions_pending ON document_versions(index_status) WHERE index_status = 'pending';
            CREATE TABLE document_tags (
              document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
              tag TEXT NOT NULL,
              PRIMARY KEY (document_id, tag)
            ) WITHOUT ROWID;
            CREATE INDEX document_tags_tag ON document_tags(tag);
            -- Deletions are rare, final and accountable: one line each, kept forever.
            CREATE TABLE documents_deleted (
              id INTEGER PRIMARY KEY,
              public_id TEXT NOT NULL,
              department_key TEXT NOT NULL,
              title TEXT NOT NULL,
              versions INTEGER NOT NULL,
              deleted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              deleted_by_login TEXT NOT NULL,
              deleted_at INTEGER NOT NULL
            );
            -- Its own copy of the words (documents are few next to items): maintained by the
            -- store after each change of a document, its current version's text or its tags.
            CREATE VIRTUAL TABLE documents_fts USING fts5(title, description, category, tags, body,
              tokenize='\(FrenchTokenizer.name)');
            INSERT INTO bouquets (key, title, description, position)
              VALUES ('\(bouquetKey)', 'Documents des services', 'Les documents publiés par les services de la collectivité.', 100000);
            -- channels.yml has no such bouquet: the catalogue synchronisation retires it, this puts it back.
            CREATE TRIGGER documents_bouquet_kept AFTER UPDATE OF retired_at ON bouquets
              WHEN NEW.key = '\(bouquetKey)' AND NEW.retired_at IS NOT NULL BEGIN
              UPDATE bouquets SET retired_at = NULL WHERE id = NEW.id;
            END;
            CREATE TRIGGER departments_document_channel AFTER INSERT ON departments BEGIN
              \(channelFor(key: "NEW.key", title: "NEW.title", id: "NEW.id"))
            END;
            CREATE TRIGGER departments_document_channel_update AFTER UPDATE OF title, retired_at ON departments BEGIN
              UPDATE sources SET title = NEW.title WHERE key = 'service:' || NEW.key;
              UPDATE channels SET title = NEW.title, retired_at = NEW.retired_at WHERE key = 'service-' || NEW.key;
              -- Back from retirement: the catalogue sync emptied the channel, list its documents again.
              INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id)
                SELECT c.id, i.sort_at, i.id FROM channels c JOIN sources s ON s.key = 'service:' || NEW.key
                JOIN items i ON i.source_id = s.id
                WHERE c.key = 'service-' || NEW.key AND OLD.retired_at IS NOT NULL AND NEW.retired_at IS NULL;
            END;
            """)
        for key in try String.fetchAll(db, sql: "SELECT key FROM departments") {
            let quoted = "'" + key.replacingOccurrences(of: "'", with: "''") + "'"
            try db.execute(sql: channelFor(key: quoted, title: "(SELECT title FROM departments WHERE key = \(quoted))",
                                           id: "(SELECT id FROM departments WHERE key = \(quoted))"))
        }
    }

    /// The statements creating a department's source, channel and bouquet entry.
    /// In the trigger the values are NEW's columns; for departments already there, SQL literals.
    private static func channelFor(key: String, title: String, id: String) -> String {
        """
            INSERT OR IGNORE INTO sources (key, url, title, retired_at) VALUES ('service:' || \(key), '', \(title), 0);
            INSERT OR IGNORE INTO channels (key, title, kind, department_id, position)
              VALUES ('service-' || \(key), \(title), 'documents', \(id), 100000);
            INSERT OR IGNORE INTO channel_sources (channel_id, source_id)
              SELECT c.id, s.id FROM channels c, sources s WHERE c.key = 'service-' || \(key) AND s.key = 'service:' || \(key);
            INSERT OR IGNORE INTO bouquet_channels (bouquet_id, channel_id, position)
              SELECT b.id, c.id, \(id) FROM bouquets b, channels c WHERE b.key = '\(bouquetKey)' AND c.key = 'service-' || \(key);
            """
    }
}
