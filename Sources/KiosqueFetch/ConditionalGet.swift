import Foundation

/// One HTTP header field to send.
public struct HeaderField: Sendable, Hashable {
    /// The field name, e.g. "If-None-Match".
    public var name: String
    /// The field value.
    public var value: String

    /// A field with the given name and value.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The validators of the last good response, turned into the headers of a conditional GET.
public struct ConditionalGet: Sendable, Hashable {
    /// The stored ETag (strong or weak), sent back verbatim.
    public var etag: String?
    /// The stored Last-Modified, sent back verbatim (servers compare it as a string).
    public var lastModified: String?

    /// Validators as stored with the last good body.
    public init(etag: String?, lastModified: String?) {
        self.etag = etag
        self.lastModified = lastModified
    }

    /// The validators a request carries.
    public init(_ request: FetchRequest) {
        self.init(etag: request.etag, lastModified: request.lastModified)
    }

    /// If-None-Match and If-Modified-Since, each only when its validator is usable. Both are sent when
    /// both exist: a server that ignores ETags can still answer 304 on the date.
    public var headers: [HeaderField] {
        var fields: [HeaderField] = []
        if let etag = Self.usable(etag) { fields.append(HeaderField("If-None-Match", etag)) }
        if let lastModified = Self.usable(lastModified) { fields.append(HeaderField("If-Modified-Since", lastModified)) }
        return fields
    }

    /// A validator trimmed, or nil when empty or holding control characters: a cached value must never
    /// smuggle a line break (another header) into the request.
    static func usable(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return trimmed
    }
}
