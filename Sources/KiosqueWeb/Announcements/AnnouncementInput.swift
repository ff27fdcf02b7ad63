import Foundation
import KiosqueSanitize
import KiosqueStoreContract

/// What a writer sends (the API's JSON or the page's form), read strictly: a field of the wrong
/// type, too long, unknown, or a date that is not RFC 3339 is refused naming the field; Markdown
/// is rendered and sanitized here, before anything is stored.
struct AnnouncementInput {
    /// A refusal naming the field.
    struct Problem: Error {
        let field: String
        let message: String
    }

    static let renderer = MarkdownRenderer()
    static let limits: [String: Int] = ["title": 300, "summary": 1_000, "body_markdown": 100_000, "category": 100]
    static let topKeys: Set<String> = ["department", "title", "summary", "body_markdown", "category", "audience", "publish_at",
                                       "expire_at", "pinned", "must_read", "draft", "attachments"]

    var department: String?
    var title: String?
    var summary: String?
    var bodyMarkdown: String?
    /// Outer nil: absent; inner nil: null (cleared).
    var category: String??
    var audience: AnnouncementAudience?
    var publishAt: Date?
    var expireAt: Date??
    var pinned: Bool?
    var mustRead: Bool?
    var draft: Bool?
    /// The ids of the department's documents to attach, in order (nil: leave them as they are).
    var attachments: [String]?

    /// Reads a JSON object; `patch` refuses `department` (an announcement does not move).
    static func json(_ data: Data, patch: Bool) throws(Problem) -> AnnouncementInput {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Problem(field: "", message: "The body must be a JSON object.")
        }
        var input = AnnouncementInput()
        for key in object.keys.sorted() where !topKeys.contains(key) || (patch && key == "department") {
            throw Problem(field: key, message: "unknown field")
        }
        func string(_ key: String, nullable: Bool = false) throws(Problem) -> String?? {
            guard let value = object[key] else { return nil }
            if value is NSNull {
                guard nullable else { throw Problem(field: key, message: "must be a string") }
                return .some(nil)
            }
            guard let text = value as? String, !isBoolean(value) else { throw Problem(field: key, message: "must be a string") }
            return .some(text)
        }
        func boolean(_ key: String) throws(Problem) -> Bool? {
            guard let value = object[key] else { return nil }
            guard isBoolean(value), let flag = value as? Bool else { throw Problem(field: key, message: "must be true or false") }
            return flag
        }
        if let given = try string("department") {
            guard let value = given, (1...64).contains(value.unicodeScalars.count) else {
                throw Problem(field: "department", message: "must be a department id")
            }
            input.department = value
        }
        if let value = try string("title") { input.title = value }
        if let value = try string("summary") { input.summary = value }
        if let value = try string("body_markdown") { input.bodyMarkdown = value }
        if let value = try string("category", nullable: true) { input.category = .some(value) }
        if let value = try string("publish_at") {
            guard let text = value, let date = parseDate(text) else { throw Problem(field: "publish_at", message: "must be an RFC 3339 date-time") }
            input.publishAt = date
        }
        if let value = try string("expire_at", nullable: true) {
            if let text = value {
                guard let date = parseDate(text) else { throw Problem(field: "expire_at", message: "must be an RFC 3339 date-time or null") }
                input.expireAt = .some(date)
            } else {
                input.expireAt = .some(nil)
            }
        }
        input.pinned = try boolean("pinned")
        input.mustRead = try boolean("must_read")
        input.draft = try boolean("draft")
        if let value = object["audience"] {
            guard let audience = value as? [String: Any] else { throw Problem(field: "audience", message: "must be an object") }
            for key in audience.keys.sorted() where key != "departments" && key != "groups" {
                throw Problem(field: "audience.\(key)", message: "unknown field")
            }
            func list(_ key: String) throws(Problem) -> [String] {
                guard let raw = audience[key] else { return [] }
                return try strings(raw, field: "audience.\(key)", most: 50, length: 1...200, what: "names")
            }
            input.audience = AnnouncementAudience(departments: try list("departments"), groups: try list("groups"))
        }
        if let value = object["attachments"] {
            input.attachments = try strings(value, field: "attachments", most: AnnouncementDocument.maxPerAnnouncement, length: 1...64,
                                            what: "document ids")
        }
        try input.checkLengths()
        return input
    }

    /// A JSON array of at most `most` strings of `length` code points, or a refusal naming `field`.
    private static func strings(_ raw: Any, field: String, most: Int, length: ClosedRange<Int>, what: String) throws(Problem) -> [String] {
        guard let items = raw as? [Any], items.count <= most else {
            throw Problem(field: field, message: "must be an array of at most \(most) \(what)")
        }
        var values: [String] = []
        for item in items {
            guard let value = item as? String, length.contains(value.unicodeScalars.count) else {
                throw Problem(field: field, message: "must hold \(what) of \(length.lowerBound) to \(length.upperBound) characters")
            }
            values.append(value)
        }
        return values
    }

    /// Reads the writing form's fields (`audience_departments` and `audience_groups` are comma-separated).
    static func form(_ form: FormData) throws(Problem) -> AnnouncementInput {
        var input = AnnouncementInput()
        input.department = form["department"]
        input.title = form.trimmed("title") ?? ""
        input.summary = form["summary"] ?? ""
        input.bodyMarkdown = form["body_markdown"] ?? ""
        input.category = .some(form.trimmed("category"))
        func names(_ key: String) -> [String] {
            (form[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let departments = (form.fieldsNamed("audience_department") + names("audience_departments"))
        input.audience = AnnouncementAudience(departments: Array(Set(departments)).sorted(), groups: names("audience_groups"))
        if let text = form.trimmed("publish_at") {
            guard let date = parseLocal(text) else { throw Problem(field: "publish_at", message: "invalid date") }
            input.publishAt = date
        }
        if let text = form.trimmed("expire_at") {
            guard let date = parseLocal(text) else { throw Problem(field: "expire_at", message: "invalid date") }
            input.expireAt = .some(date)
        } else {
            input.expireAt = .some(nil)
        }
        input.pinned = form["pinned"] != nil
        input.mustRead = form["must_read"] != nil
        input.draft = form["draft"] != nil
        // The documents' list is in the form only when it was shown: without it the attachments stay.
        if form["attachments_listed"] != nil { input.attachments = form.fieldsNamed("attachment_document") }
        try input.checkLengths()
        return input
    }

    private func checkLengths() throws(Problem) {
        let values: [(String, String?)] = [("title", title), ("summary", summary), ("body_markdown", bodyMarkdown), ("category", category ?? nil)]
        for (key, value) in values {
            // JSON Schema counts code points, as the OpenAPI document's maxLength does.
            if let value, value.unicodeScalars.count > Self.limits[key]! {
                throw Problem(field: key, message: "must be at most \(Self.limits[key]!) characters")
            }
        }
        if let title, title.isEmpty { throw Problem(field: "title", message: "must not be empty") }
    }

    /// The content to store: `base` (the current version, for an edit) with this input's fields over it.
    func content(over base: AnnouncementContent?, now: Date) throws(Problem) -> AnnouncementContent {
        guard let title = title ?? base?.title else { throw Problem(field: "title", message: "is required") }
        let markdown = bodyMarkdown ?? base?.bodyMarkdown ?? ""
        let rendered = Self.renderer.render(markdown)
        let publishAt = publishAt ?? base?.publishAt ?? now
        let expireAt: Date? = self.expireAt ?? (base?.expireAt ?? nil)
        let category: String? = self.category ?? (base?.category ?? nil)
        if let expireAt, expireAt <= publishAt { throw Problem(field: "expire_at", message: "must be after publish_at") }
        return AnnouncementContent(
            title: title, summary: summary ?? base?.summary ?? "", bodyMarkdown: markdown, bodyHTML: rendered.html, bodyText: rendered.text,
            category: category, audience: audience ?? base?.audience ?? .everyone, publishAt: publishAt,
            expireAt: expireAt, pinned: pinned ?? base?.pinned ?? false, mustRead: mustRead ?? base?.mustRead ?? false,
            isDraft: draft ?? base?.isDraft ?? false, attachedDocuments: attachments)
    }

    /// JSON booleans arrive as NSNumber like numbers do: tell them apart by their type.
    static func isBoolean(_ value: Any) -> Bool {
        guard !(value is String), let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// An RFC 3339 date-time (`T` or `t`, `Z`, `z` or an offset, optional fraction).
    static func parseDate(_ text: String) -> Date? {
        let normal = text.replacingOccurrences(of: "t", with: "T").replacingOccurrences(of: "z", with: "Z")
        guard normal.count >= 20, normal.count <= 40 else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: normal) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: normal)
    }

    /// The form's `datetime-local` value (YYYY-MM-DDTHH:MM), read in the portal's time zone (Europe/Paris).
    static func parseLocal(_ text: String) -> Date? {
        if let date = parseDate(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Paris")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

extension FormData {
    /// Every value of a repeated field (checkboxes).
    func fieldsNamed(_ name: String) -> [String] { fields[name] ?? [] }
}
