public import Foundation

/// One item collected into a department's press review being prepared.
public struct PressReviewEntry: Sendable, Hashable {
    /// The entry's id (to order, comment or remove it).
    public var id: Int64
    /// The item.
    public var itemID: Int64
    /// The item's title.
    public var title: String
    /// The item's link, if any.
    public var link: String?
    /// The item's source.
    public var source: String
    /// The item's date.
    public var date: Date
    /// The line of comment of the review.
    public var comment: String

    /// Creates a value with every field.
    public init(id: Int64, itemID: Int64, title: String, link: String? = nil, source: String, date: Date,
                comment: String) {
        self.id = id
        self.itemID = itemID
        self.title = title
        self.link = link
        self.source = source
        self.date = date
        self.comment = comment
    }
}

/// A department's press review being prepared: an introduction and ordered items.
public struct PressReviewDraft: Sendable, Hashable {
    /// The department preparing it.
    public var departmentID: String
    /// The department's title.
    public var departmentTitle: String
    /// The introduction (Markdown).
    public var intro: String
    /// The items, in the review's order.
    public var entries: [PressReviewEntry]

    /// Creates a value with every field.
    public init(departmentID: String, departmentTitle: String, intro: String, entries: [PressReviewEntry]) {
        self.departmentID = departmentID
        self.departmentTitle = departmentTitle
        self.intro = intro
        self.entries = entries
    }
}

/// A department's publishing figures: each announcement's totals, and its channels' subscribers and reads per day.
public struct DepartmentFigures: Sendable {
    /// One announcement with its totals.
    public struct Row: Sendable {
        /// The announcement (as the viewer sees it).
        public var announcement: Announcement
        /// Its figures.
        public var stats: AnnouncementStats

        /// Creates a value with every field.
        public init(announcement: Announcement, stats: AnnouncementStats) {
            self.announcement = announcement
            self.stats = stats
        }
    }
    /// One of the department's channels (news, documents).
    public struct Channel: Sendable {
        /// Channel key.
        public var id: String
        /// Title.
        public var title: String
        /// Agents following it.
        public var subscribers: Int
        /// Reads per UTC day (from the activity log, kept `retention.activity_days`): (day, reads, distinct readers).
        public var days: [(day: String, reads: Int, readers: Int)]

        /// Creates a value with every field.
        public init(id: String, title: String, subscribers: Int, days: [(day: String, reads: Int, readers: Int)]) {
            self.id = id
            self.title = title
            self.subscribers = subscribers
            self.days = days
        }
    }
    /// The department's id.
    public var departmentID: String
    /// Its title.
    public var departmentTitle: String
    /// Its announcements, newest first.
    public var announcements: [Row]
    /// Its channels.
    public var channels: [Channel]

    /// Creates a value with every field.
    public init(departmentID: String, departmentTitle: String, announcements: [Row], channels: [Channel]) {
        self.departmentID = departmentID
        self.departmentTitle = departmentTitle
        self.announcements = announcements
        self.channels = channels
    }
}
