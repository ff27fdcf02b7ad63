public import Foundation

/// One UTC day of a department's (or the whole portal's) publishing figures. These daily totals
/// are kept for good: the raw reading events they come from follow `retention.activity_days`.
public struct PublishingDay: Sendable, Hashable {
    /// YYYY-MM-DD.
    public var day: String
    /// Views of announcements.
    public var announcementViews: Int
    /// Views and downloads of documents.
    public var documentViews: Int
    /// Items read in the department's channels (news, documents).
    public var channelReads: Int
    /// Must-read confirmations.
    public var acknowledgements: Int

    /// Creates a day.
    public init(day: String, announcementViews: Int = 0, documentViews: Int = 0, channelReads: Int = 0, acknowledgements: Int = 0) {
        self.day = day
        self.announcementViews = announcementViews
        self.documentViews = documentViews
        self.channelReads = channelReads
        self.acknowledgements = acknowledgements
    }
}

/// One document of a department with its figures.
public struct DocumentFigure: Sendable, Hashable {
    /// Public id.
    public var id: String
    /// Title.
    public var title: String
    /// Views and downloads since publication (kept).
    public var views: Int
    /// Distinct agents who opened it within the retention period (from the raw events).
    public var recentReaders: Int

    /// Creates a figure.
    public init(id: String, title: String, views: Int, recentReaders: Int) {
        self.id = id
        self.title = title
        self.views = views
        self.recentReaders = recentReaders
    }
}

/// The portal's publishing figures for administrators: each department's totals and the days.
public struct PortalPublishing: Sendable, Hashable {
    /// One department's totals.
    public struct Department: Sendable, Hashable {
        /// Department id.
        public var id: String
        /// Title.
        public var title: String
        /// Announcements published (live or archived).
        public var announcements: Int
        /// Documents published.
        public var documents: Int
        /// Every day's figures added up.
        public var totals: PublishingDay

        /// Creates a department's totals.
        public init(id: String, title: String, announcements: Int, documents: Int, totals: PublishingDay) {
            self.id = id
            self.title = title
            self.announcements = announcements
            self.documents = documents
            self.totals = totals
        }
    }
    /// Departments by title.
    public var departments: [Department]
    /// The whole portal per day, oldest first.
    public var days: [PublishingDay]

    /// Creates the figures.
    public init(departments: [Department], days: [PublishingDay]) {
        self.departments = departments
        self.days = days
    }
}
