import Foundation
import Hummingbird
import KiosqueStoreContract

/// Search with the store's syntax: facets by channel and month, highlighted snippets.
struct SearchController {
    let store: any PortalStore
    let views: ViewRenderer
    let pageSize = 20

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/recherche", use: search)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let query = request.query["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let offset = max(0, request.query["debut"].flatMap { Int($0) } ?? 0)
        var data: [String: Any] = ["query": query, "has_query": !query.isEmpty]
        guard !query.isEmpty else { return views.page("search", data, context: context, navigation: "search") }
        let results: SearchResults
        do {
            results = try await store.search(query: query, userID: agent.id, limit: pageSize, offset: offset)
        } catch {
            guard case .invalidSearch(let problem) = error else { throw error }
            data["error"] = problem.description
            data["has_query"] = false
            return views.page("search", data, context: context, navigation: "search", status: .badRequest)
        }
        try? await store.logActivity(action: "search", userID: agent.id)
        // Documents the agent may see, in their own section on the first page.
        let documents = try await DocumentSearchSection.run(store: store, results: results, viewer: try context.documentViewer(),
                                                            limit: offset == 0 ? 10 : 0)
        // Announcements are among the articles for their audience (their news channel's items); those
        // the agent sees without being of the audience (writers, administrators), or not listed yet,
        // archived ones included, come in their own section.
        var announcements: [Announcement] = []
        if offset == 0 {
            announcements = try await store.searchAnnouncements(query: query, viewer: try context.documentViewer(), now: context.now)
                .filter { $0.itemID == nil || !$0.inAudience }
        }
        if !announcements.isEmpty {
            data["has_announcements"] = true
            data["announcements"] = announcements.map { AnnouncementsController.row($0, views: views, context: context) }
        }
        data["total"] = documents.articleTotal
        // Counting stops at the ranked window (SearchTuning.countCap): past it, "plus de 2 000 résultats".
        data["total_is_lower_bound"] = !results.totalIsExact
        data["results_word"] = views.text(documents.articleTotal > 1 ? "search_results" : "search_result", context)
        data["no_results"] = documents.articles.isEmpty && documents.documents.total == 0 && announcements.isEmpty
        if documents.documents.total > 0 {
            data["has_documents"] = true
            data["documents_total"] = documents.documents.total
            data["documents"] = documents.rows(views: views, context: context)
        }
        data["results"] = documents.articles.map { hit -> [String: Any] in
            var row = views.itemRow(hit.item, context: context, returnTo: "/recherche")
            row["snippet_html"] = Self.snippetHTML(hit.snippet)
            return row
        }
        data["facet_channels"] = results.channelFacets.map { facet -> [String: Any] in
            ["title": facet.label, "count": facet.count, "href_query": FormData.percentEncode("\(query) canal:\(facet.key)")]
        }
        data["facet_months"] = results.monthFacets.map { facet -> [String: Any] in
            ["label": views.dates.month(facet.key, language: context.language), "count": facet.count,
             "href_query": FormData.percentEncode(Self.monthFilter(query, month: facet.key))]
        }
        if offset > 0 { data["previous_offset_query"] = FormData.encode([("q", query), ("debut", String(max(0, offset - pageSize)))]) }
        if offset + pageSize < min(results.total, results.pageable) { data["next_offset_query"] = FormData.encode([("q", query), ("debut", String(offset + pageSize))]) }
        return views.page("search", data, context: context, navigation: "search")
    }

    /// Escaped text with `<mark>` around the matched words: the store gives segments, never HTML.
    static func snippetHTML(_ segments: [SnippetSegment]) -> String {
        segments.map { segment in
            let text = htmlEscape(segment.text)
            return segment.highlighted ? "<mark>\(text)</mark>" : text
        }.joined()
    }

    /// The query narrowed to one month (`depuis:` first day, `avant:` first day of the next).
    static func monthFilter(_ query: String, month: String) -> String {
        let parts = month.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { return query }
        let (year, m) = (parts[0], parts[1])
        let next = m == 12 ? String(format: "%04d-01-01", year + 1) : String(format: "%04d-%02d-01", year, m + 1)
        return "\(query) depuis:\(String(format: "%04d-%02d-01", year, m)) avant:\(next)"
    }
}
