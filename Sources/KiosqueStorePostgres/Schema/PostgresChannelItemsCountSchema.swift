/// "v21-channel-items-counted-per-statement": a channel's item count (`channels.item_count`) and its
/// readers' read counts (`user_channel_reads`) follow new channel rows once per statement instead of
/// once per row. An ingest maps a source's items to its channels in one multi-row statement; a row
/// trigger updated the same `channels` row once per item, and each update of one row in one
/// transaction leaves a version that the next one steps over. Deletions keep their row trigger (as in
/// v17: cascades rely on their order). SQLite counts with its own triggers: its migration of the same
/// name does nothing.
extension PostgresSchema {
    static let channelItemsCountedPerStatement = [
        "DROP TRIGGER channel_items_counted ON channel_items",
        "DROP FUNCTION kiosque_channel_items_counted()",
        """
        CREATE FUNCTION kiosque_channel_items_counted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE channels c SET item_count = c.item_count + n.added
            FROM (SELECT channel_id, count(*) AS added FROM new_rows GROUP BY channel_id) n
            WHERE c.id = n.channel_id;
          INSERT INTO user_channel_reads (user_id, channel_id, reads)
            SELECT m.user_id, n.channel_id, count(*) FROM new_rows n JOIN read_marks m ON m.item_id = n.item_id
            GROUP BY m.user_id, n.channel_id
            ON CONFLICT (user_id, channel_id) DO UPDATE SET reads = user_channel_reads.reads + excluded.reads;
          RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER channel_items_counted AFTER INSERT ON channel_items REFERENCING NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION kiosque_channel_items_counted()
        """,
    ]
}
