/// "v22-postgres-search-word-pairs": each item's pairs of adjacent words, inside the text index.
///
/// A quoted phrase ("plan local") is a `<->` query: the GIN index knows which items hold each word,
/// not where, so every item holding all the words was read back to check their positions: ~4,400
/// vectors for `"plan local" urbanisme` at 1M items (90 hits), 120–350 ms. `pair_vector` holds the
/// item's adjacent word pairs as lexemes ('plan local'), from the same stored `search_vector` (same
/// stemming, same positions), and sits in the same multi-column GIN as the words, the bucket and the
/// source: a phrase names its pairs, and the index's scan skips straight to the items holding them
/// (the positions are still checked, on those few). ~7 ms for the same query.
///
/// Only words at adjacent positions are paired, on both sides (`kiosque_phrase_pairs` pairs the
/// phrase's own adjacent words; a gap left by a stop word is not paired): a document matching the
/// phrase always holds the phrase's pairs. Pairs over 2,000 bytes (two very long tokens) are left
/// out on both sides (a lexeme holds at most 2,046 bytes); a phrase without a pair adds no condition.
///
/// Costs: ~0.18 ms of server CPU per item written (the pairs are computed by the items' trigger),
/// the index about twice as large (161 → 317 MB at 1M items). Existing rows are filled once and the
/// index rebuilt, in the migration: ~7 minutes at 1M items on two cores (another instance waits).
/// Without btree_gin (v19 kept `items_search`), `items_search` is rebuilt on the words and the pairs.
/// SQLite's FTS5 index keeps positions: its migration of the same name does nothing.
extension PostgresSchema {
    static let searchWordPairs = [
        """
        CREATE FUNCTION kiosque_word_pairs(v tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
          SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector)
          FROM (SELECT u.lexeme, unnest(u.positions) AS p FROM unnest(v) u) a
          JOIN (SELECT u.lexeme, unnest(u.positions) AS p FROM unnest(v) u) b ON b.p = a.p + 1
          WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 2000
        $$
        """,
        // The pairs a phrase's matches all hold, ANDed; NULL when the phrase has none. Built inside
        // the database from the phrase's own vector (the same configuration as the items'); each pair
        // quoted for the tsquery parser (backslash and quote escaped), never typed by the agent as syntax.
        """
        CREATE FUNCTION kiosque_phrase_pairs(phrase TEXT) RETURNS tsquery LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
          SELECT string_agg('''' || replace(replace(p, '\\', '\\\\'), '''', '''''') || '''', ' & ')::tsquery
          FROM unnest(tsvector_to_array(kiosque_word_pairs(to_tsvector('kiosque_french', phrase)))) p
        $$
        """,
        "ALTER TABLE items ADD COLUMN pair_vector tsvector NOT NULL DEFAULT ''",
        """
        CREATE OR REPLACE FUNCTION kiosque_items_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          source_title TEXT := (SELECT title FROM sources WHERE id = NEW.source_id);
        BEGIN
          NEW.search_vector := kiosque_item_vector(NEW.title, NEW.summary, NEW.content_text, NEW.author, source_title);
          NEW.rank_vector := kiosque_item_rank_vector(NEW.title, NEW.summary, NEW.author, source_title);
          NEW.pair_vector := kiosque_word_pairs(NEW.search_vector);
          RETURN NEW;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION kiosque_sources_title() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE items SET search_vector = v.search_vector, pair_vector = kiosque_word_pairs(v.search_vector),
                           rank_vector = kiosque_item_rank_vector(items.title, items.summary, items.author, NEW.title)
            FROM (SELECT id, kiosque_item_vector(title, summary, content_text, author, NEW.title) AS search_vector
                  FROM items WHERE source_id = NEW.id) v
            WHERE items.id = v.id;
          RETURN NULL;
        END $$
        """,
        // The index is dropped before the rows are filled (no index entry written per row), then built once.
        """
        DO $$
        DECLARE
          bucketed BOOLEAN := to_regclass('items_search_buckets') IS NOT NULL;
        BEGIN
          DROP INDEX IF EXISTS items_search_buckets;
          DROP INDEX IF EXISTS items_search;
          UPDATE items SET pair_vector = kiosque_word_pairs(search_vector) WHERE search_vector <> ''::tsvector;
          IF bucketed THEN
            CREATE INDEX items_search_buckets ON items USING gin (search_vector, ((id / 8192)::int4), source_id, pair_vector);
          ELSE
            CREATE INDEX items_search ON items USING gin (search_vector, pair_vector);
          END IF;
        END $$
        """,
    ]
}
