/// "v16-announcement-search-brackets": the announcements' generated `search_vector` reads `<` and
/// `>` as spaces, as items' and documents' vectors do — PostgreSQL's parser takes `<Mairie>` for an
/// XML tag and drops the word. A generated column cannot be altered: it is dropped and added again
/// (its GIN index with it), which recomputes every row. SQLite's FTS5 tokenizer never had the fault:
/// its migration of the same name does nothing.
extension PostgresSchema {
    static let announcementSearchBrackets = [
        "ALTER TABLE announcements DROP COLUMN search_vector",
        """
        ALTER TABLE announcements ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('kiosque_french', translate(title, '<>', '  ')), 'A')
          || setweight(to_tsvector('kiosque_french', translate(summary, '<>', '  ')), 'B')
          || setweight(to_tsvector('kiosque_french', translate(coalesce(category, ''), '<>', '  ')), 'C')
          || setweight(to_tsvector('kiosque_french', translate(left(body_text, 8000), '<>', '  ')), 'B')) STORED
        """,
        "CREATE INDEX announcements_search ON announcements USING gin (search_vector)",
    ]
}
