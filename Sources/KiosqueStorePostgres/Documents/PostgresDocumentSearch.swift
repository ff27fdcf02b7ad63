public import Foundation
public import KiosqueStoreContract
import PostgresNIO

/// Listing and searching departmental documents on PostgreSQL (SQLite's DocumentListing and
/// DocumentSearch): the French text search configuration over each document's weighted vector,
/// and the same rights, filters and ranking window as SQLite.
extension PostgresStore {
    /// The listing of `DocumentStore.documents(filter:viewer:)`: newest first, or by relevance
    /// when the filter's query has words.
    public func documents(filter: DocumentFilter, viewer: DocumentViewer) async throws(StoreError) -> [DocumentRecord] {
        let query: SearchQuery?
        switch try DocumentListingQuery(filter) {
        case .none: query = nil
        case .search(let parsed): query = parsed
        case .nothing: return []
        }
        return try await documentRead("listing documents") { rows in
            if let query {
                guard let plan = try await PostgresDocumentSearch(rows, query: query, viewer: viewer,
                                                                  includeUnpublished: filter.includeUnpublished, listing: filter) else {
                    return []
                }
                return try await plan.run(rows, limit: filter.limit, offset: 0, snippets: false).hits.map(\.record)
            }
            var builder = SQLBuilder()
            var conditions = PostgresDocumentSearch.listingConditions(filter, &builder)
            if !filter.includeUnpublished { conditions.append("d.status = 'published'") }
            return try await rows.records(where: (["true"] + conditions).joined(separator: " AND "), builder, viewer: viewer,
                                          allVersions: false, limit: filter.limit)
        }
    }

    /// Searches the published documents the viewer may see with the item search syntax, plus
    /// `service:ID` (departments) and `type:X` (a category such as "deliberation", or a file
    /// kind such as "pdf"). `canal:service-ID` and `source:service:ID` also name departments; other
    /// channel or source filters, and `type:article`, match no document.
    public func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer, limit: Int,
                                offset: Int) async throws(StoreError) -> DocumentSearchResults {
        try await documentRead("searching documents") { rows in
            guard let plan = try await PostgresDocumentSearch(rows, query: query, viewer: viewer, includeUnpublished: false,
                                                              listing: nil) else {
                return DocumentSearchResults(total: 0, organisationWide: 0, hits: [])
            }
            return try await plan.run(rows, limit: max(0, limit), offset: max(0, offset))
        }
    }

    /// The newest published members-only documents of the departments the agent belongs to
    /// (membership, not administration: "Ma page" shows an agent's own services).
    public func memberDocuments(viewer: DocumentViewer, limit: Int) async throws(StoreError) -> [DocumentRecord] {
        try await documentRead("listing the documents of the agent's departments") { rows in
            try await PostgresDocumentSearch.memberDocuments(rows, viewer: viewer, limit: limit)
        }
    }
}

/// One document search, built from a parsed query (and a listing's filters); its SQL is written
/// again for each statement so that every statement binds only its own values.
struct PostgresDocumentSearch {
    let query: SearchQuery
    let viewer: DocumentViewer
    let includeUnpublished: Bool
    let listing: DocumentFilter?
    let departments: [String]
    let types: (categories: [String], kinds: [String])?

    /// Nil when the query's filters can match no document. Unpublished documents are included
    /// only on request (an editor's listing of their department), and only those the viewer manages.
    init?(_ rows: PostgresDocumentRows, query: SearchQuery, viewer: DocumentViewer, includeUnpublished: Bool,
          listing: DocumentFilter?) async throws {
        guard let departments = DocumentQueryScope.departments(query) else { return nil }
        if query.types.isEmpty {
            types = nil
        } else {
            // Categories are free text: every one in use is compared folded.
            let inUse = try await PostgresRows.all(rows.connection.query(
                "SELECT DISTINCT category FROM documents WHERE category IS NOT NULL", logger: rows.logger), String.self)
            guard let named = DocumentQueryScope.types(query, categoriesInUse: inUse) else { return nil }
            types = named
        }
        (self.query, self.viewer, self.includeUnpublished, self.listing, self.departments) =
            (query, viewer, includeUnpublished, listing, departments)
    }

    /// The conditions (on `d` and `dep`) of a listing's department, category, tag and year filters.
    static func listingConditions(_ filter: DocumentFilter, _ builder: inout SQLBuilder) -> [String] {
        var conditions: [String] = []
        if let department = filter.departmentID { conditions.append("dep.key = \(builder.bind(department))") }
        if let category = filter.category { conditions.append("d.category = \(builder.bind(category))") }
        if let tag = filter.tag {
            conditions.append("EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id AND t.tag = \(builder.bind(tag)))")
        }
        if let year = filter.year {
            conditions.append("""
                coalesce(substr(d.act_date, 1, 4), to_char(to_timestamp(d.created_at) AT TIME ZONE 'UTC', 'YYYY')) = \(builder.bind(String(year)))
                """)
        }
        return conditions
    }

    /// `FROM … WHERE …` of the matches (documents `d`, departments `dep`, the tsquery as `q.query`
    /// when the query has words), and whether it has words.
    private func matches(_ builder: inout SQLBuilder) -> (from: String, hasText: Bool) {
        var conditions = [PostgresDocumentRows.visible(viewer, &builder)]
        if !includeUnpublished { conditions.append("d.status = 'published'") }
        var from = "FROM documents d JOIN departments dep ON dep.id = d.department_id"
        let text = PostgresTextQuery.expression(query, into: &builder)
        if let text {
            from += ", (SELECT \(text) AS query) q"
            conditions.append("d.search_vector @@ q.query")
        }
        if !departments.isEmpty { conditions.append("dep.key = ANY(\(builder.bind(departments)))") }
        if let types {
            var either: [String] = []
            if !types.categories.isEmpty { either.append("d.category = ANY(\(builder.bind(types.categories)))") }
            if !types.kinds.isEmpty {
                // Only for a kind ("type:pdf"): reading the current version of every candidate costs.
                either.append("""
                    (SELECT v.kind FROM document_versions v WHERE v.document_id = d.id ORDER BY v.number DESC LIMIT 1)
                      = ANY(\(builder.bind(types.kinds)))
                    """)
            }
            conditions.append("(" + either.joined(separator: " OR ") + ")")
        }
        if let since = query.since { conditions.append("d.created_at >= \(builder.bind(since.unixSeconds))") }
        if let before = query.before { conditions.append("d.created_at < \(builder.bind(before.unixSeconds))") }
        if let listing { conditions += Self.listingConditions(listing, &builder) }
        return (from + " WHERE " + conditions.joined(separator: " AND "), text != nil)
    }

    /// Ranks, counts and loads one page; `snippets: false` for listings that show none.
    func run(_ rows: PostgresDocumentRows, limit: Int, offset: Int, snippets wanted: Bool = true) async throws -> DocumentSearchResults {
        let (connection, logger) = (rows.connection, rows.logger)
        var builder = SQLBuilder()
        let (from, hasText) = matches(&builder)
        let window = builder.bind(SearchTuning.window)
        // With words: the newest matches up to the window, ranked by relevance — weights {D, C, B, A}
        // as SQLite's bm25 weighs its columns: title (A) 10, description and tags (B) 3, category
        // (C) 2, text (D) 1. Without: the newest, scored by their time.
        builder.sql = hasText
            ? """
              SELECT d.id, ts_rank_cd('{0.1, 0.2, 0.3, 1.0}', d.search_vector, q.query)::float8, d.visibility = 'organisation'
              \(from) ORDER BY d.id DESC LIMIT \(window)
              """
            : "SELECT d.id, d.created_at::float8, d.visibility = 'organisation' \(from) ORDER BY d.created_at DESC, d.id DESC LIMIT \(window)"
        var ranked: [(id: Int64, score: Double, listed: Bool)] = []
        for try await (id, score, listed) in try await connection.query(builder.query, logger: logger).decode((Int64, Double, Bool).self) {
            ranked.append((id, score, listed))
        }
        if hasText { ranked.sort { ($0.score, $0.id) > ($1.score, $1.id) } }
        var total = ranked.count
        if ranked.count >= SearchTuning.window {
            var counter = SQLBuilder()
            let (countFrom, _) = matches(&counter)
            counter.sql = "SELECT count(*) FROM (SELECT 1 \(countFrom) LIMIT \(counter.bind(SearchTuning.countCap))) AS capped"
            total = try await PostgresRows.all(connection.query(counter.query, logger: logger), Int.self).first ?? total
        }
        let listed = ranked.filter(\.listed).count
        let page = Array(ranked.dropFirst(offset).prefix(limit))
        guard !page.isEmpty else { return DocumentSearchResults(total: total, organisationWide: listed, hits: []) }
        let ids = page.map(\.id)
        // Rights are checked again on the page's rows (the records query applies them itself).
        var pageBuilder = SQLBuilder()
        let condition = "d.id = ANY(\(pageBuilder.bind(ids)))"
        let records = Dictionary(try await rows.keyedRecords(where: condition, pageBuilder, viewer: viewer, allVersions: false,
                                                             limit: page.count).map { ($0.rowID, $0.record) },
                                 uniquingKeysWith: { a, _ in a })
        let snippets = hasText && wanted ? try await self.snippets(rows, ids: ids) : [:]
        let hits = page.compactMap { entry -> DocumentHit? in
            guard let record = records[entry.id] else { return nil }
            let snippet = snippets[entry.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String(record.description.prefix(200)), highlighted: false)]
            return DocumentHit(record: record, snippet: snippet, score: entry.score)
        }
        return DocumentSearchResults(total: total, organisationWide: listed, hits: hits)
    }

    /// How much of a document's text its extract is looked for in (SQLite's snippet reads it all;
    /// ts_headline parses what it is given, for each hit of the page).
    static let snippetCharacters = 200_000

    /// The extracts of the page's documents: around the words in the text, else in the description.
    private func snippets(_ rows: PostgresDocumentRows, ids: [Int64]) async throws -> [Int64: [SnippetSegment]] {
        var builder = SQLBuilder()
        guard let text = PostgresTextQuery.expression(query, into: &builder) else { return [:] }
        let options = builder.bind("StartSel=\(SnippetSegment.open), StopSel=\(SnippetSegment.close), "
                                   + "MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…")
        builder.sql = """
            SELECT d.id,
              ts_headline('kiosque_french', left(coalesce((SELECT text FROM document_versions WHERE document_id = d.id
                ORDER BY number DESC LIMIT 1), ''), \(builder.bind(Self.snippetCharacters))::int), q.query, \(options)),
              ts_headline('kiosque_french', d.description, q.query, \(options))
            FROM documents d, (SELECT \(text) AS query) q WHERE d.id = ANY(\(builder.bind(ids)))
            """
        var snippets: [Int64: [SnippetSegment]] = [:]
        for try await (id, body, description) in try await rows.connection.query(builder.query, logger: rows.logger)
            .decode((Int64, String, String).self) {
            let bodySegments = SnippetSegment.parse(body), descriptionSegments = SnippetSegment.parse(description)
            snippets[id] = bodySegments.contains(where: \.highlighted) || descriptionSegments.isEmpty ? bodySegments : descriptionSegments
        }
        return snippets
    }

    /// The newest published members-only documents of the viewer's departments.
    static func memberDocuments(_ rows: PostgresDocumentRows, viewer: DocumentViewer, limit: Int) async throws -> [DocumentRecord] {
        var builder = SQLBuilder()
        let condition = """
            d.status = 'published' AND d.visibility = 'department'
            AND d.department_id IN (SELECT department_id FROM department_members WHERE user_id = \(builder.bind(viewer.userID)))
            """
        return try await rows.records(where: condition, builder, viewer: viewer, allVersions: false, limit: max(0, limit))
    }
}
