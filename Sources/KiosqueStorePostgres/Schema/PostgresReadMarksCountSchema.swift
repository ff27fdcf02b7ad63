/// "v17-read-marks-counted-per-statement": the count of an agent's reads per channel
/// (`user_channel_reads`, behind every unread figure) follows new read marks once per statement
/// instead of once per row. "Tout marquer comme lu" inserts thousands of marks in one statement, and
/// a row trigger upserting the counters for each one took ~70 % of it (900 ms for 5,000 marks); the
/// statement trigger adds the new marks up per agent and channel and upserts each counter once.
/// Deletions keep their row trigger: they also come from cascades, whose order the pairing with
/// `channel_items_uncounted` relies on. SQLite counts with its own triggers: its migration of the
/// same name does nothing.
extension PostgresSchema {
    static let readMarksCountedPerStatement = [
        "DROP TRIGGER read_marks_counted ON read_marks",
        "DROP FUNCTION kiosque_read_marks_counted()",
        """
        CREATE FUNCTION kiosque_read_marks_counted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO user_channel_reads (user_id, channel_id, reads)
            SELECT n.user_id, c.channel_id, count(*) FROM new_marks n JOIN channel_items c ON c.item_id = n.item_id
            GROUP BY n.user_id, c.channel_id
            ON CONFLICT (user_id, channel_id) DO UPDATE SET reads = user_channel_reads.reads + excluded.reads;
          RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER read_marks_counted AFTER INSERT ON read_marks REFERENCING NEW TABLE AS new_marks
          FOR EACH STATEMENT EXECUTE FUNCTION kiosque_read_marks_counted()
        """,
    ]
}
