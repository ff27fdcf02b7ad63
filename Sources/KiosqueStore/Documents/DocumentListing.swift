import Foundation
import GRDB

extension AppDatabase {
    /// Documents the viewer may see, filtered, newest first, or by relevance when `filter.query`
    /// has words. The query uses the item search syntax; `service:ID` restricts departments and
    /// `type:X` matches a category ("type:deliberation" finds "Délibérations") or a file kind.
    public func documents(filter: DocumentFilter, viewer: DocumentViewer) async throws(StoreError) -> [DocumentRecord] {
        var parsed: SearchQuery?
        if let text = filter.query?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            do { parsed = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        }
        let query = parsed
        return try await read("listing documents") { db in
            var conditions = ["1"]
            var args: [String: (any DatabaseValueConvertible)?] = [:]
            if !filter.includeUnpublished { conditions.append("d.status = 'published'") }
            var departments = query?.services ?? []
            if let department = filter.departmentID { departments.append(department) }
            if let department = filter.departmentID, let services = query?.services, !services.isEmpty, !services.contains(department) {
                return []
            }
            if !departments.isEmpty {
                conditions.append("dep.key IN (SELECT value FROM json_each(:departments))")
                args["departments"] = JSONList.encode(departments)
            }
            if let category = filter.category { conditions.append("d.category = :category"); args["category"] = category }
            if let tag = filter.tag {
                conditions.append("EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id AND t.tag = :tag)")
                args["tag"] = tag
            }
            if let year = filter.year {
                conditions.append("coalesce(substr(d.act_date, 1, 4), strftime('%Y', d.created_at, 'unixepoch')) = :year")
                args["year"] = String(year)
            }
            if let since = query?.since { conditions.append("d.created_at >= :since"); args["since"] = since.unixSeconds }
            if let before = query?.before { conditions.append("d.created_at < :before"); args["before"] = before.unixSeconds }
            var order = "d.created_at DESC, d.id DESC"
            if let match = query?.ftsExpression {
                conditions.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH :match)")
                order = "(SELECT bm25(documents_fts, 10.0, 3.0, 2.0, 3.0, 1.0) FROM documents_fts WHERE documents_fts MATCH :match AND rowid = d.id), d.created_at DESC"
                args["match"] = match
            }
            let types = (query?.types ?? []).map(DocumentRows.typeKey)
            // A type filter runs on the fetched rows (categories are free text): fetch more to fill a page.
            let records = try DocumentRows.records(db, where: conditions.joined(separator: " AND "), args, viewer: viewer,
                                                   allVersions: false, order: order, limit: types.isEmpty ? filter.limit : filter.limit * 20)
            guard !types.isEmpty else { return records }
            return Array(records.filter { record in
                let keys = [record.category.map(DocumentRows.typeKey), DocumentRows.typeKey(record.current.kind)]
                return types.contains { keys.contains($0) }
            }.prefix(filter.limit))
        }
    }
}

extension DocumentRows {
    /// A category or type folded for comparison: lower case, no accents, no final plural s.
    static func typeKey(_ text: String) -> String {
        var key = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
            .trimmingCharacters(in: .whitespaces)
        if key.hasSuffix("s") && key.count > 3 { key.removeLast() }
        return key
    }
}
