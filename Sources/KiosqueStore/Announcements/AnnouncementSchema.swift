import GRDB

/// The internal news tables (issue 17), registered as migration "v6-announcements".
///
/// An announcement belongs to a department and reaches an audience: everyone, or the members of
/// some departments and some directory groups (`announcement_audience`). Every read checks the
/// audience in SQL (`AnnouncementRows.visible`). Announcements published and past their
/// `publish_at` get an `items` row in their department's news channel ("Actualités — <department>",
/// key `news-<department>`, in the bouquet "Actualités internes"), so subscriptions, unread counts,
/// stars, item search and Atom work for them. Until "v14-channel-readers" only announcements for
/// everyone had one; since, a targeted announcement's item is shown to its audience only: every
/// read of items checks `ItemAudience` in SQL.
enum AnnouncementSchema {
    /// The bouquet gathering the news channels in the catalogue.
    static let bouquetKey = "actualites-internes"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE departments ADD COLUMN publisher INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE departments ADD COLUMN approval INTEGER NOT NULL DEFAULT 0;
            -- The directory groups an agent had at their last sign-in (audiences name groups).
            CREATE TABLE user_groups (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              name TEXT NOT NULL COLLATE NOCASE,
              PRIMARY KEY (user_id, name)
            ) WITHOUT ROWID;
            CREATE INDEX user_groups_name ON user_groups(name);
            CREATE TABLE announcements (
              id INTEGER PRIMARY KEY,
              public_id TEXT NOT NULL UNIQUE,
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE RESTRICT,
              title TEXT NOT NULL,
              summary TEXT NOT NULL DEFAULT '',
              body_markdown TEXT NOT NULL DEFAULT '',
              body_html TEXT NOT NULL DEFAULT '',
              body_text TEXT NOT NULL DEFAULT '',
              category TEXT,
              everyone INTEGER NOT NULL DEFAULT 1,
              publish_at INTEGER NOT NULL,
              expire_at INTEGER,
              pinned INTEGER NOT NULL DEFAULT 0,
              must_read INTEGER NOT NULL DEFAULT 0,
              state TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'published')),
              approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
              created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              created_at INTEGER NOT NULL,
              updated_at INTEGER NOT NULL,
              CHECK (expire_at IS NULL OR expire_at > publish_at)
            );
            CREATE INDEX announcements_department ON announcements(department_id, publish_at);
            CREATE INDEX announcements_live ON announcements(state, publish_at);
            CREATE INDEX announcements_unlisted ON announcements(publish_at) WHERE item_id IS NULL AND everyone = 1 AND state = 'published';
            -- A targeted audience: departments (by id) and directory groups (by name), any of them.
            CREATE TABLE announcement_departments (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
              PRIMARY KEY (announcement_id, department_id)
            ) WITHOUT ROWID;
            CREATE TABLE announcement_groups (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              name TEXT NOT NULL COLLATE NOCASE,
              PRIMARY KEY (announcement_id, name)
            ) WITHOUT ROWID;
            -- Every saved version, the first included: edits keep a history.
            CREATE TABLE announcement_revisions (
              id INTEGER PRIMARY KEY,
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              number INTEGER NOT NULL,
              title TEXT NOT NULL,
              summary TEXT NOT NULL,
              body_markdown TEXT NOT NULL,
              edited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              edited_at INTEGER NOT NULL,
              UNIQUE (announcement_id, number)
            );
            CREATE TABLE announcement_acknowledgements (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              acknowledged_at INTEGER NOT NULL,
              PRIMARY KEY (announcement_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX announcement_acknowledgements_user ON announcement_acknowledgements(user_id);
            -- Raw reading events (kept retention.activity_days) and the daily figures that stay.
            CREATE TABLE announcement_views (
              id INTEGER PRIMARY KEY,
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              viewed_at INTEGER NOT NULL
            );
            CREATE INDEX announcement_views_reader ON announcement_views(announcement_id, user_id, day);
            CREATE INDEX announcement_views_time ON announcement_views(viewed_at);
            CREATE TABLE announcement_daily (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              views INTEGER NOT NULL DEFAULT 0,
              readers INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (announcement_id, day)
            ) WITHOUT ROWID;
            -- Distinct readers over the whole life of an announcement, kept beyond the raw events.
            CREATE TABLE announcement_readers (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              first_viewed_at INTEGER NOT NULL,
              PRIMARY KEY (announcement_id, user_id)
            ) WITHOUT ROWID;
            CREATE VIRTUAL TABLE announcements_fts USING fts5(title, summary, category, body,
              tokenize='\(FrenchTokenizer.name)');
            INSERT INTO bouquets (key, title, description, position)
              VALUES ('\(bouquetKey)', 'Actualités internes', 'Les actualités publiées par les services de la collectivité.', 99000);
            -- channels.yml has no such bouquet: the catalogue synchronisation retires it, this puts it back.
            CREATE TRIGGER announcements_bouquet_kept AFTER UPDATE OF retired_at ON bouquets
              WHEN NEW.key = '\(bouquetKey)' AND NEW.retired_at IS NOT NULL BEGIN
              UPDATE bouquets SET retired_at = NULL WHERE id = NEW.id;
            END;
            CREATE TRIGGER departments_news_channel_update AFTER UPDATE OF title, retired_at ON departments BEGIN
              UPDATE sources SET title = 'Actualités — ' || NEW.title WHERE key = 'news:' || NEW.key;
              UPDATE channels SET title = 'Actualités — ' || NEW.title, retired_at = NEW.retired_at WHERE key = 'news-' || NEW.key;
              INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id)
                SELECT c.id, i.sort_at, i.id FROM channels c JOIN sources s ON s.key = 'news:' || NEW.key
                JOIN items i ON i.source_id = s.id
                WHERE c.key = 'news-' || NEW.key AND OLD.retired_at IS NOT NULL AND NEW.retired_at IS NULL;
            END;
            """)
    }

    /// Creates, if missing, the news channel of a department that publishes (its first
    /// announcement): a permanently retired synthetic source feeding a channel of kind
    /// 'documents' (the kinds the catalogue synchronisation leaves alone), in the news bouquet.
    static func ensureChannel(_ db: Database, departmentID: Int64) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO sources (key, url, title, retired_at)
              SELECT 'news:' || key, '', 'Actualités — ' || title, 0 FROM departments WHERE id = :d;
            INSERT OR IGNORE INTO channels (key, title, kind, department_id, position)
              SELECT 'news-' || key, 'Actualités — ' || title, 'documents', id, 99000 FROM departments WHERE id = :d;
            INSERT OR IGNORE INTO channel_sources (channel_id, source_id)
              SELECT c.id, s.id FROM departments d JOIN channels c ON c.key = 'news-' || d.key
              JOIN sources s ON s.key = 'news:' || d.key WHERE d.id = :d;
            INSERT OR IGNORE INTO bouquet_channels (bouquet_id, channel_id, position)
              SELECT b.id, c.id, :d FROM bouquets b, departments d JOIN channels c ON c.key = 'news-' || d.key
              WHERE b.key = '\(bouquetKey)' AND d.id = :d;
            """, arguments: ["d": departmentID])
    }
}
