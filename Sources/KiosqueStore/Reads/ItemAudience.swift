/// Items an agent may not see (issue 17): a live announcement is an item of its department's news
/// channel whatever its audience, and one for some departments or directory groups is an item for
/// the agents of that audience only. Every read of items — channel pages, Ma page, unread counts,
/// marks, stars, search, feeds, digests — applies these conditions in SQL; an item of no targeted
/// announcement (every fetched article, every announcement for everyone) is never hidden.
/// The partial index `announcements_targeted_item` (migration "v14-channel-readers") makes the
/// check one probe of a small index per item.
enum ItemAudience {
    /// The item `item` (an SQL expression) is hidden from the agent `user` (an SQL expression; a
    /// user id no agent has, such as 0 or -1, sees no targeted item).
    static func hidden(item: String, user: String) -> String {
        """
        EXISTS (SELECT 1 FROM announcements ha WHERE ha.item_id = \(item) AND ha.everyone = 0
          AND NOT \(AnnouncementRows.inAudience("ha", user: user)))
        """
    }

    /// The item is one the agent may see.
    static func visible(item: String, user: String) -> String { "NOT " + hidden(item: item, user: user) }

    /// The item is an announcement for a targeted audience (what no ranking shared by agents holds).
    static func targeted(item: String) -> String {
        "EXISTS (SELECT 1 FROM announcements ha WHERE ha.item_id = \(item) AND ha.everyone = 0)"
    }

    /// How many items of channel `channel` (SQL expression of its row id) are hidden from `user`;
    /// with `unreadOnly`, only those the agent has not marked read (a mark made while they were in the
    /// audience still counts in `user_channel_reads`). Unread = item_count − reads − hidden unread.
    static func hiddenCount(channel: String, user: String, unreadOnly: Bool) -> String {
        """
        (SELECT count(*) FROM channels hc JOIN announcements ha ON ha.department_id = hc.department_id
          JOIN channel_items hci ON hci.item_id = ha.item_id AND hci.channel_id = hc.id
          WHERE hc.id = \(channel) AND ha.everyone = 0 AND ha.item_id IS NOT NULL
            AND NOT \(AnnouncementRows.inAudience("ha", user: user))
            \(unreadOnly ? "AND NOT EXISTS (SELECT 1 FROM read_marks hr WHERE hr.user_id = \(user) AND hr.item_id = ha.item_id)" : ""))
        """
    }

    /// How many items of channel `channel` are announcements for a targeted audience (left out of
    /// what the catalogue says of a channel to every agent).
    static func targetedCount(channel: String) -> String {
        """
        (SELECT count(*) FROM channels hc JOIN announcements ha ON ha.department_id = hc.department_id
          JOIN channel_items hci ON hci.item_id = ha.item_id AND hci.channel_id = hc.id
          WHERE hc.id = \(channel) AND ha.everyone = 0 AND ha.item_id IS NOT NULL)
        """
    }

    /// The agent's unread count in channel `c` (alias), whose reads are `reads` (SQL expression).
    static func unread(user: String, reads: String) -> String {
        "max(0, c.item_count - \(reads) - \(hiddenCount(channel: "c.id", user: user, unreadOnly: true)))"
    }
}
