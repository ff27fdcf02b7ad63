public import Foundation

/// What an announcement carries besides its text: one picture (re-encoded by the media pipeline)
/// and file attachments (checked by content like departmental documents). The bytes live in
/// content-addressed files (`data/announcements`); these rows name them. A file is served only to
/// those who may see its announcement: every read joins `AnnouncementRows.visible`.
public enum AnnouncementFileRole: String, Sendable, Hashable {
    /// The announcement's picture (at most one).
    case picture
    /// A file to download.
    case attachment
}

/// A file already made durable, to record on an announcement.
public struct AnnouncementFileInput: Sendable, Hashable {
    /// SHA-256 of the bytes (hex), the file's name in the storage.
    public var sha256: String
    /// Size in bytes.
    public var size: Int64
    /// The name shown and sent back (already neutralised).
    public var fileName: String
    /// The type sent with downloads (from the content, never from the name).
    public var mediaType: String
    /// The sniffed kind (pdf, odt, png, jpeg…).
    public var kind: String
    /// Pixels, for a picture.
    public var width: Int?
    /// Pixels, for a picture.
    public var height: Int?
    /// Alternative text, for a picture.
    public var alt: String

    /// Creates an input.
    public init(sha256: String, size: Int64, fileName: String, mediaType: String, kind: String, width: Int? = nil,
                height: Int? = nil, alt: String = "") {
        self.sha256 = sha256
        self.size = size
        self.fileName = fileName
        self.mediaType = mediaType
        self.kind = kind
        self.width = width
        self.height = height
        self.alt = alt
    }
}

/// A picture or an attachment of an announcement, as a viewer who may see it gets it.
public struct AnnouncementFile: Sendable, Hashable {
    /// Unguessable public identifier (32 hex digits).
    public var id: String
    /// Picture or attachment.
    public var role: AnnouncementFileRole
    /// The file's description (name, type, size, hash, pixels, alternative text).
    public var file: AnnouncementFileInput
    /// When it was added.
    public var addedAt: Date

    /// Creates a file record.
    public init(id: String, role: AnnouncementFileRole, file: AnnouncementFileInput, addedAt: Date) {
        self.id = id
        self.role = role
        self.file = file
        self.addedAt = addedAt
    }
}
