import Foundation
import GRDB

extension AppDatabase {
    /// Documents the viewer may see, filtered, newest first, or by relevance when `filter.query`
    /// has words. The query uses the item search syntax; `service:ID` restricts departments and
    /// `type:X` matches a category ("type:deliberation" finds "Délibérations") or a file kind.
    public func documents(filter: DocumentFilter, viewer: DocumentViewer) async throws(StoreError) -> [DocumentRecord] {
        let query: SearchQuery?
        switch try DocumentListingQuery(filter) {
        case .none: query = nil
        case .search(let parsed): query = parsed
        case .nothing: return []
        }
        return try await read("listing documents") { db in
            if let query {
                // The search's plan: the index drives, ranking covers the newest matches.
                guard var plan = try DocumentSearchPlan(db, query: query, viewer: viewer, includeUnpublished: filter.includeUnpublished) else {
                    return []
                }
                plan.restrict(to: filter)
                return try plan.run(db, limit: filter.limit, offset: 0, snippets: false).hits.map(\.record)
            }
            var (conditions, args) = DocumentRows.conditions(for: filter)
            if !filter.includeUnpublished { conditions.append("d.status = 'published'") }
            return try DocumentRows.records(db, where: (["1"] + conditions).joined(separator: " AND "), args, viewer: viewer,
                                            allVersions: false, limit: filter.limit)
        }
    }
}

extension DocumentRows {
    /// The SQL conditions (on `d` and `dep`) and arguments of a listing's department, category,
    /// tag and year filters.
    static func conditions(for filter: DocumentFilter) -> ([String], [String: (any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var args: [String: (any DatabaseValueConvertible)?] = [:]
        if let department = filter.departmentID { conditions.append("dep.key = :department"); args["department"] = department }
        if let category = filter.category { conditions.append("d.category = :category"); args["category"] = category }
        if let tag = filter.tag {
            conditions.append("EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id AND t.tag = :tag)")
            args["tag"] = tag
        }
        if let year = filter.year {
            conditions.append("coalesce(substr(d.act_date, 1, 4), strftime('%Y', d.created_at, 'unixepoch')) = :year")
            args["year"] = String(year)
        }
        return (conditions, args)
    }
}
