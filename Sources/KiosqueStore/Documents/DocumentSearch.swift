public import Foundation
import GRDB

extension AppDatabase {
    /// Searches the published documents the viewer may see with the item search syntax, plus
    /// `service:ID` (departments) and `type:X` (a category such as "deliberation", or a file
    /// kind such as "pdf"). `canal:service-ID` and `source:service:ID` also name departments; other
    /// channel or source filters, and `type:article`, match no document.
    public func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer, limit: Int = 10,
                                offset: Int = 0) async throws(StoreError) -> DocumentSearchResults {
        try await read("searching documents") { db in
            guard let plan = try DocumentSearchPlan(db, query: query, viewer: viewer, includeUnpublished: false) else {
                return DocumentSearchResults(total: 0, organisationWide: 0, hits: [])
            }
            return try plan.run(db, limit: max(0, limit), offset: max(0, offset))
        }
    }

    /// The newest published members-only documents of the departments the agent belongs to
    /// (membership, not administration: "Ma page" shows an agent's own services).
    public func memberDocuments(viewer: DocumentViewer, limit: Int = 8) async throws(StoreError) -> [DocumentRecord] {
        try await read("listing the documents of the agent's departments") { db in
            try Self.memberDocuments(db, viewer: viewer, limit: limit)
        }
    }

    static func memberDocuments(_ db: Database, viewer: DocumentViewer, limit: Int) throws -> [DocumentRecord] {
        try DocumentRows.records(db, where: """
            d.status = 'published' AND d.visibility = 'department'
            AND d.department_id IN (SELECT department_id FROM department_members WHERE user_id = :member)
            """, ["member": viewer.userID], viewer: viewer, allVersions: false, limit: max(0, limit))
    }
}

/// The SQL of one document search, built from a parsed query (and a listing's filters).
struct DocumentSearchPlan {
    var conditions = [DocumentRows.visible]
    var args: [String: (any DatabaseValueConvertible)?]
    let match: String?
    let viewer: DocumentViewer

    /// Nil when the query's filters can match no document. Unpublished documents are included
    /// only on request (an editor's listing of their department), and only those the viewer manages.
    init?(_ db: Database, query: SearchQuery, viewer: DocumentViewer, includeUnpublished: Bool) throws {
        self.viewer = viewer
        if !includeUnpublished { conditions.append("d.status = 'published'") }
        args = ["user": viewer.userID, "admin": viewer.isAdmin]
        match = query.ftsExpression
        // Departments named directly, or through their document channel or source.
        guard let departments = DocumentQueryScope.departments(query) else { return nil }
        if !departments.isEmpty {
            conditions.append("dep.key IN (SELECT value FROM json_each(:departments))")
            args["departments"] = JSONList.encode(departments)
        }
        if !query.types.isEmpty {
            guard let named = DocumentQueryScope.types(query, categoriesInUse: try Self.categories(db)) else { return nil }
            let (categories, kinds) = (named.categories, named.kinds)
            var either: [String] = []
            if !categories.isEmpty {
                either.append("d.category IN (SELECT value FROM json_each(:categories))")
                args["categories"] = JSONList.encode(categories)
            }
            if !kinds.isEmpty {
                // Only for a kind ("type:pdf"): reading the current version of every candidate costs.
                either.append("""
                    (SELECT v.kind FROM document_versions v WHERE v.document_id = d.id ORDER BY v.number DESC LIMIT 1)
                      IN (SELECT value FROM json_each(:kinds))
                    """)
                args["kinds"] = JSONList.encode(kinds)
            }
            conditions.append("(" + either.joined(separator: " OR ") + ")")
        }
        if let since = query.since { conditions.append("d.created_at >= :since"); args["since"] = since.unixSeconds }
        if let before = query.before { conditions.append("d.created_at < :before"); args["before"] = before.unixSeconds }
        if let match { args["match"] = match }
    }

    /// Every category in use (free text for departments without a list, and lists change).
    private static func categories(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT category FROM documents WHERE category IS NOT NULL")
    }

    /// Adds a listing's department, category, tag and year filters.
    mutating func restrict(to filter: DocumentFilter) {
        let (more, values) = DocumentRows.conditions(for: filter)
        conditions += more
        args.merge(values) { $1 }
    }

    /// Ranks, counts and loads one page; `snippets: false` for listings that show none.
    func run(_ db: Database, limit: Int, offset: Int, snippets wanted: Bool = true) throws -> DocumentSearchResults {
        var args = self.args
        args["window"] = SearchTuning.window
        let filter = conditions.joined(separator: " AND ")
        let from: String, ranked: [(id: Int64, score: Double, listed: Bool)]
        if match != nil {
            // The index drives (CROSS JOIN keeps it the outer loop, newest rowid first) and stops at
            // the window: a word in 80,000 documents costs 2,000 bm25 computations, not 80,000.
            from = """
                FROM documents_fts f CROSS JOIN documents d ON d.id = f.rowid CROSS JOIN departments dep ON dep.id = d.department_id
                WHERE documents_fts MATCH :match AND \(filter)
                """
            // bm25 is negative, lower is better: negate it so that higher is better, as for items.
            ranked = try Row.fetchAll(db, sql: """
                SELECT d.id, bm25(documents_fts, 10.0, 3.0, 2.0, 3.0, 1.0), d.visibility = 'organisation' \(from)
                ORDER BY f.rowid DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { (id: $0[0], score: -($0[1] as Double), listed: $0[2]) }
                .sorted { ($0.score, $0.id) > ($1.score, $1.id) }
        } else {
            from = "FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE \(filter)"
            ranked = try Row.fetchAll(db, sql: """
                SELECT d.id, d.created_at, d.visibility = 'organisation' \(from) ORDER BY d.created_at DESC, d.id DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { (id: $0[0], score: Double($0[1] as Int64), listed: $0[2]) }
        }
        var total = ranked.count
        if ranked.count >= SearchTuning.window {
            args["cap"] = SearchTuning.countCap
            total = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 \(from) LIMIT :cap)", arguments: StatementArguments(args)) ?? total
        }
        let listed = ranked.filter(\.listed).count
        let page = Array(ranked.dropFirst(offset).prefix(limit))
        guard !page.isEmpty else { return DocumentSearchResults(total: total, organisationWide: listed, hits: []) }
        let list = "[" + page.map { String($0.id) }.joined(separator: ",") + "]"
        // Rights are checked again on the page's rows (the records query applies them itself).
        let records = try DocumentRows.records(db, where: "d.id IN (SELECT value FROM json_each(:ids))", ["ids": list],
                                               viewer: viewer,
                                               allVersions: false, limit: page.count)
        let byPublicID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let publicIDs = Dictionary(try Row.fetchAll(db, sql: "SELECT id, public_id FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                                                    arguments: [list]).map { (($0[0] as Int64), ($0[1] as String)) },
                                   uniquingKeysWith: { a, _ in a })
        var snippets: [Int64: [SnippetSegment]] = [:]
        if let match, wanted {
            let open = String(SnippetSegment.open), close = String(SnippetSegment.close)
            for row in try Row.fetchAll(db, sql: """
                SELECT rowid, snippet(documents_fts, 4, :o, :c, '…', 24) AS body, snippet(documents_fts, 1, :o, :c, '…', 24) AS description
                FROM documents_fts WHERE documents_fts MATCH :match AND rowid IN (SELECT value FROM json_each(:ids))
                """, arguments: ["o": open, "c": close, "match": match, "ids": list]) {
                let body = SnippetSegment.parse(row["body"] ?? ""), description = SnippetSegment.parse(row["description"] ?? "")
                snippets[row["rowid"]] = body.contains(where: \.highlighted) || description.isEmpty ? body : description
            }
        }
        let hits = page.compactMap { entry -> DocumentHit? in
            guard let publicID = publicIDs[entry.id], let record = byPublicID[publicID] else { return nil }
            let snippet = snippets[entry.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String(record.description.prefix(200)), highlighted: false)]
            return DocumentHit(record: record, snippet: snippet, score: entry.score)
        }
        return DocumentSearchResults(total: total, organisationWide: listed, hits: hits)
    }
}
