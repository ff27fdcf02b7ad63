import GRDB

/// Migration "v14-channel-readers" (issue 17).
///
/// v13's trigger on the activity log recounted a channel's readers of the day (`count(*)` over
/// `channel_day_readers`) on every read of the channel: a cost growing with the day's readers, paid
/// by each read. Now the first read of a channel by an agent on a day — the one row
/// `channel_day_readers` gains — adds one reader; later reads only add a read.
///
/// It also indexes the announcements for a targeted audience by their item: since this version
/// such an announcement is an item of its news channel for its audience only, and every read of
/// items checks `ItemAudience` with one probe of this small index.
enum ChannelReadersSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER activity_log_channel_reads;
            CREATE TRIGGER activity_log_channel_reads AFTER INSERT ON activity_log
              WHEN NEW.action = 'read' AND NEW.detail IS NOT NULL BEGIN
              INSERT INTO channel_daily (channel_id, day, reads, readers)
                SELECT id, date(NEW.at, 'unixepoch'), 1, 0 FROM channels WHERE key = NEW.detail
                ON CONFLICT (channel_id, day) DO UPDATE SET reads = reads + 1;
              -- A new row here is a new reader of the day: channel_day_readers_counted adds them.
              INSERT OR IGNORE INTO channel_day_readers (channel_id, day, user_id)
                SELECT id, date(NEW.at, 'unixepoch'), NEW.user_id FROM channels WHERE key = NEW.detail AND NEW.user_id IS NOT NULL;
              INSERT INTO department_daily (department_id, day, channel_reads)
                SELECT department_id, date(NEW.at, 'unixepoch'), 1 FROM channels WHERE key = NEW.detail AND department_id IS NOT NULL
                ON CONFLICT (department_id, day) DO UPDATE SET channel_reads = channel_reads + 1;
            END;
            CREATE TRIGGER channel_day_readers_counted AFTER INSERT ON channel_day_readers BEGIN
              UPDATE channel_daily SET readers = readers + 1 WHERE channel_id = NEW.channel_id AND day = NEW.day;
            END;
            CREATE INDEX announcements_targeted_item ON announcements(item_id) WHERE everyone = 0;
            """)
    }
}
