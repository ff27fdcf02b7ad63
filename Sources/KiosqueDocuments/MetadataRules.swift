public import KiosqueStoreContract
import Foundation

extension DocumentLibrary {
    /// Reads metadata from form or multipart fields (`title`, `category`, `description`, `date`,
    /// `tags` comma-separated, `visibility`); the first problem is thrown naming its field.
    public static func metadata(fields: [String: String]) throws(DocumentError) -> DocumentMetadata {
        func value(_ name: String) -> String? {
            guard let v = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        var visibility = DocumentVisibility.organisation
        if let raw = value("visibility") {
            guard let parsed = DocumentVisibility(rawValue: raw) else {
                throw .invalidField(field: "visibility", message: "must be `organisation` or `department`, not `\(raw.prefix(40))`")
            }
            visibility = parsed
        }
        let tags = (value("tags") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return DocumentMetadata(title: value("title") ?? "", category: value("category"), description: value("description") ?? "",
                                actDate: value("date"), tags: tags, visibility: visibility)
    }

    /// Checks metadata against the rules and the department's categories; returns it tidied.
    public static func validate(_ metadata: DocumentMetadata, department: DepartmentInfo) throws(DocumentError) -> DocumentMetadata {
        var checked = metadata
        checked.title = metadata.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !checked.title.isEmpty else { throw .invalidField(field: "title", message: "a title is required") }
        guard checked.title.count <= 300 else { throw .invalidField(field: "title", message: "at most 300 characters") }
        guard checked.description.count <= 20_000 else { throw .invalidField(field: "description", message: "at most 20,000 characters") }
        if let category = checked.category, !department.categories.isEmpty, !department.categories.contains(category) {
            throw .invalidField(field: "category", message: "`\(category.prefix(60))` is not one of \(department.categories.joined(separator: ", "))")
        }
        if let date = checked.actDate, !isCalendarDate(date) {
            throw .invalidField(field: "date", message: "`\(date.prefix(20))` is not a date written YYYY-MM-DD")
        }
        var seen = Set<String>()
        let tags = checked.tags.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        guard tags.count <= 20 else { throw .invalidField(field: "tags", message: "at most 20 tags") }
        if let long = tags.first(where: { $0.count > 50 }) {
            throw .invalidField(field: "tags", message: "`\(long.prefix(20))…` is longer than 50 characters")
        }
        checked.tags = tags
        return checked
    }

    /// Whether `text` is a real day written YYYY-MM-DD.
    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}
