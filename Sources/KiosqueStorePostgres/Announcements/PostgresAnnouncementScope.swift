import Foundation
import KiosqueStoreContract
import PostgresNIO

/// The viewer and the clock every announcement query checks its rights with, bound once (SQLite's
/// `:user`, `:admin`, `:now` of AnnouncementRows), and the SQL conditions built on them. Further
/// values are bound with `bind`; `query` runs SQL over all of them.
struct AnnouncementScope {
    private(set) var builder = SQLBuilder()
    /// Placeholders of the viewer's id (int8), whether they administer (bool), and the time (int8).
    let user: String, admin: String, now: String

    init(_ viewer: DocumentViewer, now: Date) {
        var builder = SQLBuilder()
        user = builder.bind(viewer.userID)
        admin = builder.bind(viewer.isAdmin)
        self.now = builder.bind(now.unixSeconds)
        self.builder = builder
    }

    /// Binds one more value and returns its placeholder.
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T) -> String { builder.bind(value) }

    /// Binds a value that may be absent (a NULL of the type `cast` names).
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T?, as cast: String) -> String { builder.bind(value, as: cast) }

    /// The tsquery expression of a parsed search, its words bound here (nil when it only filters).
    mutating func textQuery(_ query: SearchQuery) -> String? { PostgresTextQuery.expression(query, into: &builder) }

    /// `sql` with every value bound so far.
    func query(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: builder.binds) }

    /// The viewer writes for the announcement's department: an editor, or any member of a
    /// department marked `publisher: true`.
    var writer: String {
        """
        EXISTS (SELECT 1 FROM department_members wm JOIN departments wd ON wd.id = wm.department_id
          WHERE wm.user_id = \(user) AND wm.department_id = a.department_id AND (wm.is_editor OR wd.publisher))
        """
    }

    /// The viewer is in the audience.
    var audience: String { Self.inAudience("a", user: user) }

    /// Published and past its publication time.
    var live: String { "(a.state = 'published' AND a.publish_at <= \(now))" }

    /// What the viewer may see: their department's announcements in any state (writers), the live
    /// ones of their audience, and every live one for administrators.
    var visible: String { "(\(writer) OR (\(live) AND (\(admin) OR \(audience))))" }

    /// The viewer may edit, delete, approve and see figures.
    var manage: String { "(\(writer) OR \(admin))" }

    /// The status computed at the scope's time.
    var status: String {
        """
        CASE WHEN a.state <> 'published' THEN a.state WHEN a.publish_at > \(now) THEN 'scheduled'
          WHEN a.expire_at IS NOT NULL AND a.expire_at <= \(now) THEN 'expired' ELSE 'published' END
        """
    }

    /// Not past its expiry.
    var unexpired: String { "(a.expire_at IS NULL OR a.expire_at > \(now))" }

    /// The viewer has not confirmed the announcement.
    var unconfirmed: String {
        "NOT EXISTS (SELECT 1 FROM announcement_acknowledgements k WHERE k.announcement_id = a.id AND k.user_id = \(user))"
    }

    /// The agent `user` (an SQL expression) is in the audience of the announcement aliased `a`.
    static func inAudience(_ a: String, user: String) -> String {
        """
        (\(a).everyone
          OR EXISTS (SELECT 1 FROM announcement_departments ad JOIN department_members am ON am.department_id = ad.department_id
            WHERE ad.announcement_id = \(a).id AND am.user_id = \(user))
          OR \(inGroups(user: user, announcement: "\(a).id")))
        """
    }

    /// The item `item` (an SQL expression) is one the agent `user` may see: no announcement for a
    /// targeted audience the agent is outside of has it as its item (SQLite's `ItemAudience.visible`).
    static func itemVisible(item: String, user: String) -> String {
        """
        NOT EXISTS (SELECT 1 FROM announcements ha WHERE ha.item_id = \(item) AND NOT ha.everyone
          AND NOT \(inAudience("ha", user: user)))
        """
    }

    /// The agent `user` (an SQL expression) is in one of announcement `announcement`'s directory groups:
    /// the groups remembered at single sign-on, or those the directory gave at the last sign-in or
    /// sync (`directory_accounts.groups`, full DNs: a group is met by its DN or its CN). Names compare
    /// without case, as SQLite's NOCASE columns do.
    static func inGroups(user: String, announcement: String) -> String {
        """
        (EXISTS (SELECT 1 FROM announcement_groups ag JOIN user_groups ug ON lower(ug.name) = lower(ag.name)
            WHERE ag.announcement_id = \(announcement) AND ug.user_id = \(user))
          OR EXISTS (SELECT 1 FROM announcement_groups ag, directory_accounts da, jsonb_array_elements_text(da.groups) j(value)
            WHERE ag.announcement_id = \(announcement) AND da.user_id = \(user)
              AND (lower(j.value) = lower(ag.name) OR left(lower(j.value), length(ag.name) + 4) = 'cn=' || lower(ag.name) || ',')))
        """
    }
}

extension SQLBuilder {
    /// Binds `value` and returns its placeholder cast to `cast` (a NULL keeps its type that way).
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T?, as cast: String) -> String {
        guard let value else {
            binds.appendNull()
            return "$\(binds.count)::\(cast)"
        }
        return bind(value) + "::" + cast
    }
}
