/// SQLite's "v14-channel-readers": a channel's readers of the day grow by one when an agent's first
/// read of the day adds their row to `channel_day_readers` (v13 recounted that table on every read),
/// and announcements for a targeted audience are indexed by their item (the audience check of every
/// read of items, `ItemAudience` on SQLite).
extension PostgresSchema {
    static let channelReaders = [
        """
        CREATE OR REPLACE FUNCTION kiosque_activity_channel_reads() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE read_day TEXT := kiosque_utc_day(NEW.at);
        BEGIN
          INSERT INTO channel_daily (channel_id, day, reads, readers)
            SELECT id, read_day, 1, 0 FROM channels WHERE key = NEW.detail
            ON CONFLICT (channel_id, day) DO UPDATE SET reads = channel_daily.reads + 1;
          INSERT INTO channel_day_readers (channel_id, day, user_id)
            SELECT id, read_day, NEW.user_id FROM channels WHERE key = NEW.detail AND NEW.user_id IS NOT NULL
            ON CONFLICT DO NOTHING;
          IF FOUND THEN
            UPDATE channel_daily SET readers = readers + 1
              WHERE day = read_day AND channel_id IN (SELECT id FROM channels WHERE key = NEW.detail);
          END IF;
          INSERT INTO department_daily (department_id, day, channel_reads)
            SELECT department_id, read_day, 1 FROM channels WHERE key = NEW.detail AND department_id IS NOT NULL
            ON CONFLICT (department_id, day) DO UPDATE SET channel_reads = department_daily.channel_reads + 1;
          RETURN NULL;
        END $$
        """,
        "CREATE INDEX announcements_targeted_item ON announcements(item_id) WHERE NOT everyone",
    ]
}
