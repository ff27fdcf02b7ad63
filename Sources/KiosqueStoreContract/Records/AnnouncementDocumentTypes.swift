public import Foundation

/// A document of the publishing department attached to an announcement (migration
/// "v15-announcement-documents"), as one viewer may see it: listed only when that viewer may see
/// both the announcement and the document (the documents' own rights, checked in SQL).
public struct AnnouncementDocument: Sendable, Hashable {
    /// The document's public identifier (its page is `/documents/<id>`).
    public var id: String
    /// The document's title.
    public var title: String
    /// The sniffed kind of its current version (pdf, odt…), empty without a version.
    public var kind: String
    /// The media type of its current version.
    public var mediaType: String
    /// The size of its current version in bytes.
    public var size: Int64
    /// Its place among the announcement's attached documents, from 0.
    public var position: Int

    /// Creates a value with every field.
    public init(id: String, title: String, kind: String, mediaType: String, size: Int64, position: Int) {
        self.id = id
        self.title = title
        self.kind = kind
        self.mediaType = mediaType
        self.size = size
        self.position = position
    }

    /// Documents attached to one announcement at most.
    public static let maxPerAnnouncement = 20
}
