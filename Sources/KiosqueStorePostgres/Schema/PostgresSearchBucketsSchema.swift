/// "v19-postgres-search-buckets": the items' text index, with the id's bucket and the source inside it.
///
/// `items_search` (GIN on `search_vector`) gives every match of the words: a search that wants the
/// newest 2,000 matches paid for every posting of its words, then visited rows by id ranges. A
/// multi-column GIN (`btree_gin` for the scalar columns) holds, next to the words, the item's
/// bucket of ids (`id / 8192`) and its source: a scan naming a few buckets (`= ANY`) skips inside
/// the words' posting trees to those buckets, and a channel's search names the channel's sources
/// (a channel lists items of its sources only) instead of reading every row of the channel.
/// The expressions must be written exactly so in queries (`PostgresSearchSteps.bucketSize`).
///
/// `btree_gin` is a trusted extension (a database owner may create it). If it cannot be created
/// (refused, or not installed), the index is not built, `items_search` stays and the search keeps
/// its id-range steps (it looks for `items_search_buckets` at each search): a notice, no failure.
/// SQLite's migration of the same name does nothing.
extension PostgresSchema {
    static let searchBuckets = [
        """
        DO $$
        BEGIN
          CREATE EXTENSION IF NOT EXISTS btree_gin;
          CREATE INDEX IF NOT EXISTS items_search_buckets ON items USING gin (search_vector, ((id / 8192)::int4), source_id);
          DROP INDEX IF EXISTS items_search;
        EXCEPTION WHEN OTHERS THEN
          RAISE WARNING 'Kiosque: the bucketed search index was not built (%), searches keep items_search', SQLERRM;
        END $$
        """,
    ]
}
