import PostgresNIO

/// The statements every Ma page and search page runs, prepared once per pooled connection
/// (postgres-nio names each by its type and prepares it on the connection's first use).
///
/// Their audience conditions (issue 17) make them slow to plan: at 1M items the home page's channel
/// list planned in 2.5 ms and ran in 0.75 ms, every time, as an unnamed statement. Prepared, the
/// server plans them for the first executions, then keeps a generic plan. Their text is fixed: the
/// agent and the ids are parameters, never part of the SQL.
enum PostgresHotStatements {
    /// The agent's subscribed live channels, in catalogue order: id, key, title, item count, the
    /// agent's reads, and the items hidden from the agent (all, and unread only).
    struct HomeChannels: PostgresPreparedStatement {
        typealias Row = (Int64, String, String, Int32, Int32, Int64, Int64)
        static let sql = """
            SELECT c.id, c.key, c.title, c.item_count, coalesce(u.reads, 0),
              \(PostgresItemAudience.hiddenCount(channel: "c.id", user: "sub.user_id", unreadOnly: false)),
              \(PostgresItemAudience.hiddenCount(channel: "c.id", user: "sub.user_id", unreadOnly: true))
            FROM subscriptions sub JOIN channels c ON c.id = sub.channel_id
            LEFT JOIN user_channel_reads u ON u.user_id = sub.user_id AND u.channel_id = c.id
            WHERE sub.user_id = $1::int8 AND c.retired_at IS NULL ORDER BY c.position, c.id
            """
        let userID: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(userID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The newest `count` keys (position of the channel in `channels` from 1, sort time, item id) of
    /// each channel, those the agent `viewer` may see: `PostgresChannelKeys.pages` without a cursor.
    struct NewestChannelKeys: PostgresPreparedStatement {
        typealias Row = (Int64, Int64, Int64)
        static let sql = """
            SELECT x.ord, k.sort_at, k.item_id FROM unnest($1::int8[]) WITH ORDINALITY AS x(channel, ord)
            CROSS JOIN LATERAL (SELECT sort_at, item_id FROM channel_items ci WHERE ci.channel_id = x.channel
              AND \(AnnouncementScope.itemVisible(item: "ci.item_id", user: "$2::int8"))
              ORDER BY sort_at DESC, item_id DESC LIMIT $3::int8) k
            ORDER BY x.ord, k.sort_at DESC, k.item_id DESC
            """
        let channels: [Int64]
        let viewer: Int64
        let count: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(channels)
            bindings.append(viewer)
            bindings.append(count)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Item rows for summaries, with the agent's read and star marks, those the agent may see.
    struct ItemSummaries: PostgresPreparedStatement {
        typealias Row = (Int64, String?, String?, String?, String?, Int64?, Int64, Bool, String, String, Bool, Bool, String?, String?)
        static let sql = """
            SELECT i.id, i.title, i.link, i.author, i.summary, i.published, i.sort_at, i.is_updated, s.key, s.title,
                   EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = $1::int8 AND r.item_id = i.id),
                   EXISTS (SELECT 1 FROM stars t WHERE t.user_id = $1::int8 AND t.item_id = i.id),
                   i.picture_url, i.picture_alt
            FROM items i JOIN sources s ON s.id = i.source_id WHERE i.id = ANY($2::int8[])
              AND \(AnnouncementScope.itemVisible(item: "i.id", user: "$1::int8"))
            """
        let userID: Int64
        let ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(userID)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The live channels of a search's ranked window, most items first (its facets).
    struct SearchChannelFacets: PostgresPreparedStatement {
        typealias Row = (String, String, Int64)
        static let sql = """
            SELECT c.key, c.title, count(*)::int8 AS n FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id = ANY($1::int8[]) AND c.retired_at IS NULL
            GROUP BY c.id ORDER BY n DESC, c.position
            """
        let ids: [Int64]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Every live channel of each item of a search's page, the one to show last (the caller keeps an
    /// item's last row: a channel the agent follows, the first in the catalogue).
    struct SearchShownChannels: PostgresPreparedStatement {
        typealias Row = (Int64, String, String)
        static let sql = """
            SELECT ci.item_id, c.key, c.title FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id = ANY($1::int8[]) AND c.retired_at IS NULL
            ORDER BY EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = $2::int8 AND s.channel_id = c.id), c.position DESC
            """
        let ids: [Int64]
        let userID: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(ids)
            bindings.append(userID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
