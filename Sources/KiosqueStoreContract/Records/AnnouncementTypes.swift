public import Foundation

/// Where an announcement stands for readers, computed from its state and the clock.
public enum AnnouncementStatus: String, Sendable, Hashable, CaseIterable {
    /// Saved, not submitted: its department's writers only.
    case draft
    /// Submitted in a department that wants a second writer's approval, not yet approved.
    case pending
    /// Approved, waiting for `publish_at`: invisible to readers.
    case scheduled
    /// Readable by its audience.
    case published
    /// Past `expire_at`: archived, still found by search for its audience, no longer "À la une".
    case expired
}

/// Who an announcement is for: everyone when both lists are empty, else the members of any of
/// the departments (channels.yml ids) and the agents in any of the directory groups.
public struct AnnouncementAudience: Sendable, Hashable {
    /// Department ids.
    public var departments: [String]
    /// Directory group names (compared without case).
    public var groups: [String]
    /// Whether the announcement is for every agent.
    public var isEveryone: Bool { departments.isEmpty && groups.isEmpty }
    /// Every agent.
    public static let everyone = AnnouncementAudience(departments: [], groups: [])
    /// Creates an audience.
    public init(departments: [String] = [], groups: [String] = []) {
        self.departments = departments
        self.groups = groups
    }
}

/// What a writer submits: the content already rendered (Markdown → sanitized HTML and text) by the caller.
public struct AnnouncementContent: Sendable, Hashable {
    /// Title.
    public var title: String
    /// Short summary (plain text).
    public var summary: String
    /// The Markdown as written.
    public var bodyMarkdown: String
    /// The Markdown rendered and sanitized.
    public var bodyHTML: String
    /// The plain text of the body, for search.
    public var bodyText: String
    /// Category ("Note de service", "Revue de presse"…).
    public var category: String?
    /// Who may read it.
    public var audience: AnnouncementAudience
    /// Invisible to readers before this time.
    public var publishAt: Date
    /// Archived from this time (nil: never).
    public var expireAt: Date?
    /// Kept "À la une" while live.
    public var pinned: Bool
    /// Readers are asked to confirm they read it.
    public var mustRead: Bool
    /// Saved as a draft (not submitted).
    public var isDraft: Bool
    /// The ids of the publishing department's documents to attach, in order, set with the content in
    /// the same transaction (only the announcement's own department's documents the writer may see;
    /// others are refused naming the document). nil leaves the attachments as they are; reads give
    /// nil (the attachments are read with `announcementDocuments`).
    public var attachedDocuments: [String]?

    /// Creates content.
    public init(title: String, summary: String = "", bodyMarkdown: String = "", bodyHTML: String = "", bodyText: String = "",
                category: String? = nil, audience: AnnouncementAudience = .everyone, publishAt: Date, expireAt: Date? = nil,
                pinned: Bool = false, mustRead: Bool = false, isDraft: Bool = false, attachedDocuments: [String]? = nil) {
        self.title = title
        self.summary = summary
        self.bodyMarkdown = bodyMarkdown
        self.bodyHTML = bodyHTML
        self.bodyText = bodyText
        self.category = category
        self.audience = audience
        self.publishAt = publishAt
        self.expireAt = expireAt
        self.pinned = pinned
        self.mustRead = mustRead
        self.isDraft = isDraft
        self.attachedDocuments = attachedDocuments
    }
}

/// An announcement as one viewer may see it.
public struct Announcement: Sendable, Hashable {
    /// Unguessable public identifier (32 hex digits).
    public var id: String
    /// The publishing department's id.
    public var departmentID: String
    /// The publishing department's title.
    public var departmentTitle: String
    /// The content as last saved.
    public var content: AnnouncementContent
    /// Where it stands now.
    public var status: AnnouncementStatus
    /// The author's login, if still known.
    public var author: String?
    /// The approver's login, if approved by a second writer.
    public var approvedBy: String?
    /// Creation and last edit times.
    public var createdAt: Date
    /// Last edit time.
    public var updatedAt: Date
    /// When the viewer confirmed reading it (must-read), if they did.
    public var acknowledgedAt: Date?
    /// Whether the viewer may edit, delete, approve it and see its statistics.
    public var canManage: Bool
    /// Whether the viewer is in its audience.
    public var inAudience: Bool
    /// Its item in the department's news channel (announcements for everyone, once published).
    public var itemID: Int64?

    /// Creates a value with every field.
    public init(id: String, departmentID: String, departmentTitle: String, content: AnnouncementContent,
                status: AnnouncementStatus, author: String? = nil, approvedBy: String? = nil, createdAt: Date,
                updatedAt: Date, acknowledgedAt: Date? = nil, canManage: Bool, inAudience: Bool,
                itemID: Int64? = nil) {
        self.id = id
        self.departmentID = departmentID
        self.departmentTitle = departmentTitle
        self.content = content
        self.status = status
        self.author = author
        self.approvedBy = approvedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.acknowledgedAt = acknowledgedAt
        self.canManage = canManage
        self.inAudience = inAudience
        self.itemID = itemID
    }
}

/// One saved version of an announcement.
public struct AnnouncementRevision: Sendable, Hashable {
    /// From 1.
    public var number: Int
    /// Title then.
    public var title: String
    /// Summary then.
    public var summary: String
    /// Body then.
    public var bodyMarkdown: String
    /// Who saved it.
    public var editedBy: String?
    /// When.
    public var editedAt: Date

    /// Creates a value with every field.
    public init(number: Int, title: String, summary: String, bodyMarkdown: String, editedBy: String? = nil,
                editedAt: Date) {
        self.number = number
        self.title = title
        self.summary = summary
        self.bodyMarkdown = bodyMarkdown
        self.editedBy = editedBy
        self.editedAt = editedAt
    }
}

/// The figures of one announcement.
public struct AnnouncementStats: Sendable, Hashable {
    /// Page views.
    public var views: Int
    /// Distinct agents who opened it.
    public var readers: Int
    /// Agents of the audience who confirmed reading it.
    public var acknowledged: Int
    /// Agents in the audience (active accounts).
    public var audience: Int

    /// Creates a value with every field.
    public init(views: Int, readers: Int, acknowledged: Int, audience: Int) {
        self.views = views
        self.readers = readers
        self.acknowledged = acknowledged
        self.audience = audience
    }
}

/// One day of an announcement's figures (UTC day).
public struct AnnouncementDay: Sendable, Hashable {
    /// YYYY-MM-DD.
    public var day: String
    /// Views that day.
    public var views: Int
    /// Distinct readers that day.
    public var readers: Int
    /// Confirmations that day.
    public var acknowledged: Int

    /// Creates a value with every field.
    public init(day: String, views: Int, readers: Int, acknowledged: Int) {
        self.day = day
        self.views = views
        self.readers = readers
        self.acknowledged = acknowledged
    }
}

/// One agent of a must-read announcement's audience and whether they confirmed.
public struct AcknowledgementEntry: Sendable, Hashable {
    /// Login.
    public var login: String
    /// Display name.
    public var name: String
    /// When they confirmed (nil: not yet).
    public var acknowledgedAt: Date?

    /// Creates a value with every field.
    public init(login: String, name: String, acknowledgedAt: Date? = nil) {
        self.login = login
        self.name = name
        self.acknowledgedAt = acknowledgedAt
    }
}

/// A department where the viewer may write announcements.
public struct NewsDepartment: Sendable, Hashable {
    /// Department id.
    public var id: String
    /// Title.
    public var title: String
    /// Whether announcements need a second writer's approval.
    public var needsApproval: Bool

    /// Creates a value with every field.
    public init(id: String, title: String, needsApproval: Bool) {
        self.id = id
        self.title = title
        self.needsApproval = needsApproval
    }
}
