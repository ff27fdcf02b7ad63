public import Foundation

/// Who may see a document: the whole organisation, or the members of its department.
public enum DocumentVisibility: String, Sendable, Hashable, CaseIterable {
    /// Every signed-in agent.
    case organisation
    /// Members (and editors) of the department, and administrators.
    case department
}

/// Whether a document is listed; an unpublished one is archived, seen by its editors only.
public enum DocumentStatus: String, Sendable, Hashable {
    /// Listed and readable according to its visibility.
    case published
    /// Archived: kept, readable by the department's editors and administrators only.
    case unpublished
}

/// Whether a version's text reached the search index.
public enum IndexStatus: String, Sendable, Hashable {
    /// Extraction not done yet.
    case pending
    /// Text extracted and searchable.
    case indexed
    /// Extraction failed or timed out: the document is published but not searchable by content.
    case failed
}

/// The agent asking, with what the rules need; the store filters every read through it.
public struct DocumentViewer: Sendable, Hashable {
    /// The agent's id.
    public var userID: Int64
    /// Administrators see and manage everything.
    public var isAdmin: Bool
    /// Creates a viewer.
    public init(userID: Int64, isAdmin: Bool) {
        self.userID = userID
        self.isAdmin = isAdmin
    }
}

/// A department as the documents pages show it, with the viewer's role.
public struct DepartmentInfo: Sendable, Hashable {
    /// channels.yml identifier.
    public var id: String
    /// Display title.
    public var title: String
    /// Document categories allowed in this department.
    public var categories: [String]
    /// Whether the viewer is a member (editors are members).
    public var isMember: Bool
    /// Whether the viewer may publish (editor or administrator).
    public var canPublish: Bool
    /// The key of the department's document channel.
    public var channelID: String { "service-" + id }

    /// Creates a value with every field.
    public init(id: String, title: String, categories: [String], isMember: Bool, canPublish: Bool) {
        self.id = id
        self.title = title
        self.categories = categories
        self.isMember = isMember
        self.canPublish = canPublish
    }
}

/// A stored file version of a document.
public struct DocumentVersion: Sendable, Hashable {
    /// Version number, from 1.
    public var number: Int
    /// SHA-256 of the bytes (the blob's name in storage).
    public var sha256: String
    /// The neutralised original file name.
    public var fileName: String
    /// The sniffed media type.
    public var mediaType: String
    /// The sniffed kind ("pdf", "odt", "docx", "png", "txt"…).
    public var kind: String
    /// Size in bytes.
    public var size: Int64
    /// Upload time.
    public var uploadedAt: Date
    /// The uploader's login, if still known.
    public var uploadedBy: String?
    /// Text extraction state.
    public var indexStatus: IndexStatus
    /// Why extraction failed, for IT.
    public var indexError: String?
    /// The store's row id (for the extraction worker).
    public var rowID: Int64

    /// Creates a value with every field.
    public init(number: Int, sha256: String, fileName: String, mediaType: String, kind: String, size: Int64,
                uploadedAt: Date, uploadedBy: String? = nil, indexStatus: IndexStatus, indexError: String? = nil,
                rowID: Int64) {
        self.number = number
        self.sha256 = sha256
        self.fileName = fileName
        self.mediaType = mediaType
        self.kind = kind
        self.size = size
        self.uploadedAt = uploadedAt
        self.uploadedBy = uploadedBy
        self.indexStatus = indexStatus
        self.indexError = indexError
        self.rowID = rowID
    }
}

/// A document with its metadata and versions (newest first).
public struct DocumentRecord: Sendable, Hashable {
    /// Unguessable public identifier (32 hex digits).
    public var id: String
    /// The department's identifier.
    public var departmentID: String
    /// The department's title.
    public var departmentTitle: String
    /// Title.
    public var title: String
    /// Category, from the department's list.
    public var category: String?
    /// Description (plain text).
    public var description: String
    /// Date of the act, YYYY-MM-DD.
    public var actDate: String?
    /// Tags.
    public var tags: [String]
    /// Visibility.
    public var visibility: DocumentVisibility
    /// Publication state.
    public var status: DocumentStatus
    /// First publication.
    public var createdAt: Date
    /// Last change (metadata or version).
    public var updatedAt: Date
    /// Versions, newest first (never empty).
    public var versions: [DocumentVersion]
    /// The current version.
    public var current: DocumentVersion { versions[0] }

    /// Creates a value with every field.
    public init(id: String, departmentID: String, departmentTitle: String, title: String, category: String? = nil,
                description: String, actDate: String? = nil, tags: [String], visibility: DocumentVisibility,
                status: DocumentStatus, createdAt: Date, updatedAt: Date, versions: [DocumentVersion]) {
        self.id = id
        self.departmentID = departmentID
        self.departmentTitle = departmentTitle
        self.title = title
        self.category = category
        self.description = description
        self.actDate = actDate
        self.tags = tags
        self.visibility = visibility
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.versions = versions
    }
}

/// The metadata of a document, as an editor submits it.
public struct DocumentMetadata: Sendable, Hashable {
    /// Title (required).
    public var title: String
    /// Category (must be one of the department's, when it has a list).
    public var category: String?
    /// Description.
    public var description: String
    /// Date of the act, YYYY-MM-DD.
    public var actDate: String?
    /// Tags.
    public var tags: [String]
    /// Visibility.
    public var visibility: DocumentVisibility
    /// Creates metadata.
    public init(title: String, category: String? = nil, description: String = "", actDate: String? = nil,
                tags: [String] = [], visibility: DocumentVisibility = .organisation) {
        self.title = title
        self.category = category
        self.description = description
        self.actDate = actDate
        self.tags = tags
        self.visibility = visibility
    }
}

/// A durable file, ready to be recorded as a version.
public struct StoredFile: Sendable, Hashable {
    /// SHA-256 of the bytes.
    public var sha256: String
    /// Size in bytes.
    public var size: Int64
    /// Neutralised file name.
    public var fileName: String
    /// Sniffed media type.
    public var mediaType: String
    /// Sniffed kind.
    public var kind: String
    /// Creates a stored-file description.
    public init(sha256: String, size: Int64, fileName: String, mediaType: String, kind: String) {
        self.sha256 = sha256
        self.size = size
        self.fileName = fileName
        self.mediaType = mediaType
        self.kind = kind
    }
}

/// Filters of a documents listing.
public struct DocumentFilter: Sendable, Hashable {
    /// Only this department.
    public var departmentID: String?
    /// Only this category.
    public var category: String?
    /// Only acts (else publications) of this year.
    public var year: Int?
    /// Only documents with this tag.
    public var tag: String?
    /// Full-text query (same syntax as item search, plus service: and type:).
    public var query: String?
    /// Include unpublished documents the viewer may manage.
    public var includeUnpublished: Bool
    /// Page size.
    public var limit: Int
    /// Repair a query the syntax refuses instead of throwing (`SearchQuery.forgiving`): for the API.
    public var forgivingQuery = false
    /// Creates a filter.
    public init(departmentID: String? = nil, category: String? = nil, year: Int? = nil, tag: String? = nil,
                query: String? = nil, includeUnpublished: Bool = false, limit: Int = 50) {
        self.departmentID = departmentID
        self.category = category
        self.year = year
        self.tag = tag
        self.query = query
        self.includeUnpublished = includeUnpublished
        self.limit = limit
    }
}
