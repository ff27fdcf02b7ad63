/// SQLite's `ItemAudience` on PostgreSQL (issue 17): an item of a live announcement for a targeted
/// audience is hidden from every agent outside it. The per-item condition is
/// `AnnouncementScope.itemVisible(item:user:)`; these are the counts the reads subtract.
enum PostgresItemAudience {
    /// An agent id as an SQL expression (an Int64, never text from outside).
    static func user(_ id: Int64) -> String { "(\(id))::int8" }

    /// The item is an announcement for a targeted audience (what the catalogue leaves out for every agent).
    static func targeted(item: String) -> String {
        "EXISTS (SELECT 1 FROM announcements ha WHERE ha.item_id = \(item) AND NOT ha.everyone)"
    }

    /// How many items of channel `channel` (SQL expression of its row id) are hidden from `user`;
    /// with `unreadOnly`, only those the agent has not marked read. Unread = item_count − reads − hidden unread.
    static func hiddenCount(channel: String, user: String, unreadOnly: Bool) -> String {
        """
        (SELECT count(*) FROM channels hc JOIN announcements ha ON ha.department_id = hc.department_id
          JOIN channel_items hci ON hci.item_id = ha.item_id AND hci.channel_id = hc.id
          WHERE hc.id = \(channel) AND NOT ha.everyone AND ha.item_id IS NOT NULL
            AND NOT \(AnnouncementScope.inAudience("ha", user: user))
            \(unreadOnly ? "AND NOT EXISTS (SELECT 1 FROM read_marks hr WHERE hr.user_id = \(user) AND hr.item_id = ha.item_id)" : ""))
        """
    }

    /// How many items of channel `channel` are announcements for a targeted audience.
    static func targetedCount(channel: String) -> String {
        """
        (SELECT count(*) FROM channels hc JOIN announcements ha ON ha.department_id = hc.department_id
          JOIN channel_items hci ON hci.item_id = ha.item_id AND hci.channel_id = hc.id
          WHERE hc.id = \(channel) AND NOT ha.everyone AND ha.item_id IS NOT NULL)
        """
    }
}
