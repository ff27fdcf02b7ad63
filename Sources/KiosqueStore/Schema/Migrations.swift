import GRDB

/// The store's schema history. Append-only: never edit a registered migration, add a new one.
///
/// Conventions: integer surrogate keys (`id`) with the channels.yml identifier in `key`;
/// times are Unix seconds (INTEGER); booleans are 0/1; lists from channels.yml are JSON text.
/// A later migration will add documents (issue 9): a department's "document channel" is a row
/// of `channels` with `kind = 'documents'` and `department_id` set, so subscriptions, unread
/// counts and the catalogue already work for it.
enum Migrations {
    /// The `PRAGMA application_id` of Kiosque databases ("KIOS"), to recognise foreign files.
    static let applicationID: Int32 = 0x4B49_4F53

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog", migrate: catalog)
        migrator.registerMigration("v1-items", migrate: items)
        migrator.registerMigration("v1-people", migrate: people)
        migrator.registerMigration("v1-operations", migrate: operations)
        migrator.registerMigration("v1-search", migrate: search)
        migrator.registerMigration("v1-counters", migrate: counters)
        migrator.registerMigration("v2-documents", migrate: DocumentSchema.migrate)
        migrator.registerMigration("v3-search-capped-content", migrate: cappedContentIndex)
        migrator.registerMigration("v4-mail-outbox-digests", migrate: MailSchema.migrate)
        migrator.registerMigration("v4-setup-token", migrate: FirstRunSchema.migrate)
        migrator.registerMigration("v5-mail-alerts", migrate: AppDatabase.migrateMailAlerts)
        migrator.registerMigration("v6-announcements", migrate: AnnouncementSchema.migrate)
        migrator.registerMigration("v7-directory-accounts", migrate: AppDatabase.migrateDirectoryAccounts)
        migrator.registerMigration("v8-item-pictures", migrate: AppDatabase.migrateItemPictures)
        migrator.registerMigration("v9-press-review", migrate: PressReviewSchema.migrate)
        migrator.registerMigration("v10-two-factor", migrate: AppDatabase.migrateTwoFactor)
        migrator.registerMigration("v12-announcement-attachments", migrate: AnnouncementFileSchema.migrate)
        migrator.registerMigration("v13-publishing-totals", migrate: PublishingTotalsSchema.migrate)
        migrator.registerMigration("v11-oidc-identities", migrate: AppDatabase.migrateOIDCIdentities)
        migrator.registerMigration("v14-channel-readers", migrate: ChannelReadersSchema.migrate)
        migrator.registerMigration("v15-announcement-documents", migrate: AnnouncementDocumentSchema.migrate)
        // PostgreSQL's announcement vector learnt to read `<word>`; FTS5's tokenizer always did.
        migrator.registerMigration("v16-announcement-search-brackets") { _ in }
        // PostgreSQL counts new read marks once per statement; SQLite's triggers are unchanged.
        migrator.registerMigration("v17-read-marks-counted-per-statement") { _ in }
        // PostgreSQL ranks its matches on a small second vector; FTS5 ranks inside its index.
        migrator.registerMigration("v18-postgres-search-rank-vector") { _ in }
        // PostgreSQL buckets its text index by id and source; FTS5 is unchanged.
        migrator.registerMigration("v19-postgres-search-buckets") { _ in }
        migrator.registerMigration("v20-items-indexed-per-write", migrate: itemsIndexedPerWrite)
        // PostgreSQL counts new channel rows once per statement; SQLite's triggers are unchanged.
        migrator.registerMigration("v21-channel-items-counted-per-statement") { _ in }
        // PostgreSQL indexes each item's adjacent word pairs for phrases; FTS5 keeps positions.
        migrator.registerMigration("v22-postgres-search-word-pairs") { _ in }
        return migrator
    }

    private static func catalog(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: """
            CREATE TABLE sources (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              url TEXT NOT NULL,
              title TEXT NOT NULL,
              trusted INTEGER NOT NULL DEFAULT 0,
              retired_at INTEGER
            );
            CREATE TABLE departments (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              title TEXT NOT NULL,
              categories TEXT NOT NULL DEFAULT '[]',
              groups TEXT NOT NULL DEFAULT '[]',
              retired_at INTEGER
            );
            CREATE TABLE channels (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              title TEXT NOT NULL,
              description TEXT,
              kind TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'documents')),
              department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
              include_words TEXT NOT NULL DEFAULT '[]',
              exclude_words TEXT NOT NULL DEFAULT '[]',
              position INTEGER NOT NULL DEFAULT 0,
              item_count INTEGER NOT NULL DEFAULT 0,
              retired_at INTEGER
            );
            CREATE TABLE channel_sources (
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
              PRIMARY KEY (channel_id, source_id)
            ) WITHOUT ROWID;
            CREATE INDEX channel_sources_source ON channel_sources(source_id);
            CREATE TABLE bouquets (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              title TEXT NOT NULL,
              description TEXT,
              is_default INTEGER NOT NULL DEFAULT 0,
              groups TEXT NOT NULL DEFAULT '[]',
              position INTEGER NOT NULL DEFAULT 0,
              retired_at INTEGER
            );
            CREATE TABLE bouquet_channels (
              bouquet_id INTEGER NOT NULL REFERENCES bouquets(id) ON DELETE CASCADE,
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              position INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (bouquet_id, channel_id)
            ) WITHOUT ROWID;
            CREATE INDEX bouquet_channels_channel ON bouquet_channels(channel_id);
            """)
    }

    private static func items(_ db: Database) throws {
        // guid_hash (64-bit FNV-1a of the guid) carries the uniqueness rule: a text index of
        // guids (often long URLs) would double the index size for no gain in practice.
        try db.execute(sql: """
            CREATE TABLE items (
              id INTEGER PRIMARY KEY,
              source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
              guid TEXT NOT NULL,
              guid_hash INTEGER NOT NULL,
              canonical_link TEXT,
              link_hash INTEGER,
              title TEXT,
              link TEXT,
              author TEXT,
              summary TEXT,
              content_html TEXT,
              content_text TEXT,
              published INTEGER,
              updated INTEGER,
              sort_at INTEGER NOT NULL,
              fetched_at INTEGER NOT NULL,
              content_hash INTEGER NOT NULL,
              is_updated INTEGER NOT NULL DEFAULT 0
            );
            CREATE UNIQUE INDEX items_source_guid ON items(source_id, guid_hash);
            CREATE INDEX items_source_sort ON items(source_id, sort_at);
            -- A dense copy of what search ranks and filters on (~30 bytes a row): looking up
            -- thousands of matches here stays in cache, where items rows (kilobytes) would not.
            CREATE TABLE item_keys (
              id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
              source_id INTEGER NOT NULL,
              sort_at INTEGER NOT NULL,
              link_hash INTEGER
            );
            CREATE TRIGGER item_keys_insert AFTER INSERT ON items BEGIN
              INSERT INTO item_keys (id, source_id, sort_at, link_hash) VALUES (NEW.id, NEW.source_id, NEW.sort_at, NEW.link_hash);
            END;
            CREATE TRIGGER item_keys_update AFTER UPDATE OF sort_at, link_hash ON items BEGIN
              UPDATE item_keys SET sort_at = NEW.sort_at, link_hash = NEW.link_hash WHERE id = NEW.id;
            END;
            CREATE TABLE channel_items (
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              sort_at INTEGER NOT NULL,
              item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
              link_hash INTEGER,
              PRIMARY KEY (channel_id, sort_at, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX channel_items_item ON channel_items(item_id, channel_id);
            CREATE UNIQUE INDEX channel_items_link ON channel_items(channel_id, link_hash) WHERE link_hash IS NOT NULL;
            """)
    }

    private static func people(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (
              id INTEGER PRIMARY KEY,
              login TEXT NOT NULL UNIQUE COLLATE NOCASE,
              name TEXT NOT NULL DEFAULT '',
              email TEXT,
              password_hash TEXT,
              is_admin INTEGER NOT NULL DEFAULT 0,
              disabled INTEGER NOT NULL DEFAULT 0,
              language TEXT NOT NULL DEFAULT 'fr',
              home_layout TEXT NOT NULL DEFAULT 'channels',
              digest_frequency TEXT NOT NULL DEFAULT 'never',
              digest_hour INTEGER NOT NULL DEFAULT 7,
              api_token_hash TEXT UNIQUE,
              atom_token TEXT UNIQUE,
              created_at INTEGER NOT NULL,
              last_seen_at INTEGER,
              previous_seen_at INTEGER
            );
            CREATE TABLE department_members (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
              is_editor INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (user_id, department_id)
            ) WITHOUT ROWID;
            CREATE INDEX department_members_department ON department_members(department_id);
            CREATE TABLE subscriptions (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              created_at INTEGER NOT NULL,
              PRIMARY KEY (user_id, channel_id)
            ) WITHOUT ROWID;
            CREATE INDEX subscriptions_channel ON subscriptions(channel_id);
            CREATE TABLE read_marks (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
              PRIMARY KEY (user_id, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX read_marks_item ON read_marks(item_id);
            CREATE TABLE stars (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
              starred_at INTEGER NOT NULL,
              PRIMARY KEY (user_id, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX stars_item ON stars(item_id);
            CREATE INDEX stars_user_time ON stars(user_id, starred_at);
            CREATE TABLE sessions (
              key_hash TEXT PRIMARY KEY,
              user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
              data BLOB NOT NULL,
              created_at INTEGER NOT NULL,
              last_seen_at INTEGER NOT NULL,
              expires_at INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX sessions_user ON sessions(user_id);
            CREATE INDEX sessions_expiry ON sessions(expires_at);
            CREATE TABLE login_failures (
              id INTEGER PRIMARY KEY,
              account TEXT,
              address TEXT,
              at INTEGER NOT NULL
            );
            CREATE INDEX login_failures_account ON login_failures(account, at);
            CREATE INDEX login_failures_address ON login_failures(address, at);
            """)
    }

    private static func operations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE fetch_attempts (
              id INTEGER PRIMARY KEY,
              source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
              started_at REAL NOT NULL,
              duration REAL NOT NULL,
              http_status INTEGER,
              error_class TEXT,
              error_message TEXT,
              bytes INTEGER NOT NULL,
              not_modified INTEGER NOT NULL,
              new_items INTEGER NOT NULL,
              updated_items INTEGER NOT NULL,
              warnings TEXT NOT NULL DEFAULT '[]',
              permanent_redirect TEXT,
              discovered_feeds TEXT NOT NULL DEFAULT '[]'
            );
            CREATE INDEX fetch_attempts_source ON fetch_attempts(source_id, started_at);
            CREATE TABLE source_health (
              source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
              last_attempt_id INTEGER REFERENCES fetch_attempts(id) ON DELETE SET NULL,
              last_success_at REAL,
              consecutive_failures INTEGER NOT NULL DEFAULT 0,
              next_attempt_at REAL
            );
            CREATE TABLE activity_log (
              id INTEGER PRIMARY KEY,
              at INTEGER NOT NULL,
              user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
              action TEXT NOT NULL,
              detail TEXT,
              address TEXT
            );
            CREATE INDEX activity_log_at ON activity_log(at);
            CREATE TABLE activity_daily (
              day TEXT NOT NULL,
              action TEXT NOT NULL,
              events INTEGER NOT NULL,
              users INTEGER NOT NULL,
              PRIMARY KEY (day, action)
            ) WITHOUT ROWID;
            """)
    }

    /// FTS5 over a view, so that the source title is indexed without being copied into items.
    ///
    /// `source_tag` holds one synthetic token per item, "ksrc<source row id>": an item never
    /// changes source, and it lets `source:` and `canal:` filters join inside FTS5, which skips
    /// through its lists, instead of testing every match of a common word in SQL.
    private static func search(_ db: Database) throws {
        // The whole content, as this migration was released; `cappedContentIndex` caps it.
        try db.execute(sql: """
            \(ftsView(content: "i.content_text"))
            CREATE VIRTUAL TABLE items_fts USING fts5(\(ftsColumns),
              content='items_fts_content', content_rowid='id', tokenize='\(FrenchTokenizer.name)');
            \(ftsTriggers(content: { "\($0).content_text" }))
            """)
    }

    /// Characters of an item's `content_text` that the item index reads (title and summary are
    /// indexed whole).
    ///
    /// Indexing costs ~0.4 µs of CPU per word on the benchmark machine, more than half of an
    /// item's ingest time: a long article (20 KB, ~3,000 words) cost over a millisecond, and a
    /// departmental document's item carries the document's whole text, which `documents_fts`
    /// already indexes in full. The first 8,000 characters (~1,300 words, several printed pages)
    /// hold what an item search is for; a word found only further on is not found by it.
    /// Changing the value needs a new migration that re-creates the triggers and re-indexes.
    static let indexedContentCharacters = 8_000

    /// Caps the indexed content (see `indexedContentCharacters`). Items indexed whole until now
    /// leave the index with exactly the values they were indexed with and come back capped;
    /// shorter items are indexed the same either way, so only long ones are re-indexed.
    private static func cappedContentIndex(_ db: Database) throws {
        let long = "FROM items WHERE length(content_text) > \(indexedContentCharacters)"
        try db.execute(sql: """
            INSERT INTO items_fts(items_fts, rowid, \(ftsColumns)) SELECT 'delete', \(ftsValues("items")) \(long);
            DROP TRIGGER items_fts_insert;
            DROP TRIGGER items_fts_delete;
            DROP TRIGGER items_fts_update;
            DROP TRIGGER items_fts_source_title;
            DROP VIEW items_fts_content;
            \(ftsView(content: cappedContent("i")))
            \(ftsTriggers(content: cappedContent))
            INSERT INTO items_fts(rowid, \(ftsColumns)) SELECT \(ftsValues("items", content: cappedContent("items"))) \(long);
            """)
    }

    private static let ftsColumns = "title, summary, content_text, author, source_title, source_tag"

    /// The SQL of items row `row`'s content text as the index reads it (see `indexedContentCharacters`).
    private static func cappedContent(_ row: String) -> String {
        "substr(\(row).content_text, 1, \(indexedContentCharacters))"
    }

    /// The view FTS5 reads indexed values from (snippets, deletions): `content` is the SQL of the
    /// content text of items row `i`.
    private static func ftsView(content: String) -> String {
        """
        CREATE VIEW items_fts_content AS
          SELECT i.id AS id, i.title AS title, i.summary AS summary, \(content) AS content_text,
                 i.author AS author, s.title AS source_title, '\(SearchTuning.sourceTagPrefix)' || i.source_id AS source_tag
          FROM items i JOIN sources s ON s.id = i.source_id;
        """
    }

    /// The indexed values of items row `row` (NEW, OLD, items), in `ftsColumns` order after the rowid.
    private static func ftsValues(_ row: String, sourceTitle: String? = nil, content: String? = nil) -> String {
        "\(row).id, \(row).title, \(row).summary, \(content ?? "\(row).content_text"), \(row).author, "
            + (sourceTitle ?? "(SELECT title FROM sources WHERE id = \(row).source_id)")
            + ", '\(SearchTuning.sourceTagPrefix)' || \(row).source_id"
    }

    /// The triggers keeping items_fts in step with items and source titles; `content` gives the
    /// SQL of a row's indexed content text. With `indexed` (the SQL of whether the item of id SQL
    /// `id` is in the index), the triggers leave the other items alone.
    private static func ftsTriggers(content: (String) -> String, indexed: ((String) -> String)? = nil) -> String {
        func values(_ row: String, sourceTitle: String? = nil) -> String {
            ftsValues(row, sourceTitle: sourceTitle, content: content(row))
        }
        // External-content FTS5 needs the exact old values to remove a row from the index.
        func remove(_ row: String) -> String {
            "INSERT INTO items_fts(items_fts, rowid, \(ftsColumns)) VALUES ('delete', \(values(row)));"
        }
        func add(_ row: String) -> String {
            "INSERT INTO items_fts(rowid, \(ftsColumns)) VALUES (\(values(row)));"
        }
        func when(_ id: String) -> String { indexed.map { "WHEN \($0(id)) " } ?? "" }
        let ofSource = "source_id = NEW.id" + (indexed.map { " AND \($0("items.id"))" } ?? "")
        return """
            CREATE TRIGGER items_fts_insert AFTER INSERT ON items \(when("NEW.id"))BEGIN \(add("NEW")) END;
            CREATE TRIGGER items_fts_delete AFTER DELETE ON items \(when("OLD.id"))BEGIN \(remove("OLD")) END;
            CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, content_text, author ON items \(when("OLD.id"))BEGIN
              \(remove("OLD")) \(add("NEW"))
            END;
            CREATE TRIGGER items_fts_source_title AFTER UPDATE OF title ON sources WHEN OLD.title IS NOT NEW.title BEGIN
              INSERT INTO items_fts(items_fts, rowid, \(ftsColumns))
                SELECT 'delete', \(values("items", sourceTitle: "OLD.title")) FROM items WHERE \(ofSource);
              INSERT INTO items_fts(rowid, \(ftsColumns))
                SELECT \(values("items", sourceTitle: "NEW.title")) FROM items WHERE \(ofSource);
            END;
            """
    }

    /// Migration "v20-items-indexed-per-write": the item index's triggers stand aside while an
    /// ingest writes (see `ItemIndexDeferral`), for the items it added in that write.
    ///
    /// The triggers are those of `cappedContentIndex`, each with a WHEN: while
    /// `items_fts_deferred` holds a row (only ever inside an ingest's transaction), rows above its
    /// `above_id` are not in the index yet, so nothing is added or removed for them; the ingest
    /// indexes them at the end of its write with `indexItemsAbove`, from their final values.
    /// Named among the index's own tables (`items_fts_…`): like them, it is not copied to
    /// PostgreSQL (it is empty outside an ingest's transaction).
    static func itemsIndexedPerWrite(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE items_fts_deferred (above_id INTEGER NOT NULL);
            DROP TRIGGER items_fts_insert;
            DROP TRIGGER items_fts_delete;
            DROP TRIGGER items_fts_update;
            DROP TRIGGER items_fts_source_title;
            \(ftsTriggers(content: cappedContent, indexed: { "NOT EXISTS (SELECT 1 FROM items_fts_deferred WHERE \($0) > above_id)" }))
            """)
    }

    /// Indexes every item whose id is above the argument (an ingest's new items, see
    /// `itemsIndexedPerWrite`), in one statement.
    static let indexItemsAbove = """
        INSERT INTO items_fts(rowid, \(ftsColumns))
          SELECT \(ftsValues("items", content: cappedContent("items")))
          FROM items WHERE id > ?
        """

    /// Unread counts as counters kept by triggers: the home page reads 30 numbers instead of
    /// counting a hundred thousand rows. unread = channels.item_count − user_channel_reads.reads.
    private static func counters(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE user_channel_reads (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              reads INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (user_id, channel_id)
            ) WITHOUT ROWID;
            CREATE INDEX user_channel_reads_channel ON user_channel_reads(channel_id);
            CREATE TRIGGER channel_items_counted AFTER INSERT ON channel_items BEGIN
              UPDATE channels SET item_count = item_count + 1 WHERE id = NEW.channel_id;
              INSERT INTO user_channel_reads(user_id, channel_id, reads)
                SELECT user_id, NEW.channel_id, 1 FROM read_marks WHERE item_id = NEW.item_id
                ON CONFLICT(user_id, channel_id) DO UPDATE SET reads = reads + 1;
            END;
            CREATE TRIGGER channel_items_uncounted AFTER DELETE ON channel_items BEGIN
              UPDATE channels SET item_count = item_count - 1 WHERE id = OLD.channel_id;
              UPDATE user_channel_reads SET reads = reads - 1
                WHERE channel_id = OLD.channel_id
                  AND user_id IN (SELECT user_id FROM read_marks WHERE item_id = OLD.item_id);
            END;
            CREATE TRIGGER read_marks_counted AFTER INSERT ON read_marks BEGIN
              INSERT INTO user_channel_reads(user_id, channel_id, reads)
                SELECT NEW.user_id, channel_id, 1 FROM channel_items WHERE item_id = NEW.item_id
                ON CONFLICT(user_id, channel_id) DO UPDATE SET reads = reads + 1;
            END;
            CREATE TRIGGER read_marks_uncounted AFTER DELETE ON read_marks BEGIN
              UPDATE user_channel_reads SET reads = reads - 1
                WHERE user_id = OLD.user_id
                  AND channel_id IN (SELECT channel_id FROM channel_items WHERE item_id = OLD.item_id);
            END;
            """)
    }
}
