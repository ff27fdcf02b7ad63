/// "v18-postgres-search-rank-vector": a small second vector per item, for ranking only.
///
/// A search matches on `search_vector` (title, summary, the first 8,000 characters of the content,
/// author and source) through its GIN index, then ranks the newest matches. Ranking over that
/// vector read it back row by row — often out of line (TOAST) — and `ts_rank_cd` over it cost
/// ~10 µs a row (BENCHMARKS.md, issue 18). `rank_vector` holds the title (A), the first 1,000
/// characters of the summary (B), author and source title (C): a few hundred bytes, kept in the row
/// (`STORAGE MAIN`), and ranked with `ts_rank`. The same triggers keep both vectors; existing rows
/// are filled once (a rewrite of `items`: about 40 s per 100,000 items on two cores).
/// SQLite ranks inside its FTS5 index: its migration of the same name does nothing.
extension PostgresSchema {
    static let searchRankVector = [
        """
        CREATE FUNCTION kiosque_item_rank_vector(title TEXT, summary TEXT, author TEXT, source_title TEXT)
        RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT setweight(to_tsvector('kiosque_french', translate(coalesce(title, ''), '<>', '  ')), 'A')
              || setweight(to_tsvector('kiosque_french', translate(left(coalesce(summary, ''), 1000), '<>', '  ')), 'B')
              || setweight(to_tsvector('kiosque_french', translate(coalesce(author, '') || ' ' || coalesce(source_title, ''), '<>', '  ')), 'C')
        $$
        """,
        "ALTER TABLE items ADD COLUMN rank_vector tsvector NOT NULL DEFAULT ''",
        "ALTER TABLE items ALTER COLUMN rank_vector SET STORAGE MAIN",
        """
        CREATE OR REPLACE FUNCTION kiosque_items_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          source_title TEXT := (SELECT title FROM sources WHERE id = NEW.source_id);
        BEGIN
          NEW.search_vector := kiosque_item_vector(NEW.title, NEW.summary, NEW.content_text, NEW.author, source_title);
          NEW.rank_vector := kiosque_item_rank_vector(NEW.title, NEW.summary, NEW.author, source_title);
          RETURN NEW;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION kiosque_sources_title() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE items SET search_vector = kiosque_item_vector(title, summary, content_text, author, NEW.title),
                           rank_vector = kiosque_item_rank_vector(title, summary, author, NEW.title)
            WHERE source_id = NEW.id;
          RETURN NULL;
        END $$
        """,
        // Only rank_vector is set: the items_vector trigger (UPDATE OF title, summary, …) does not fire.
        """
        UPDATE items i SET rank_vector = kiosque_item_rank_vector(i.title, i.summary, i.author,
                                                                  (SELECT title FROM sources s WHERE s.id = i.source_id))
        """,
    ]
}
