import Foundation
import KiosqueStoreContract

/// The documents part of a general search (/recherche, /api/v1/search, `kiosque search`): the
/// documents the agent may see, shown apart from the articles. Organisation-wide documents are
/// also items of their department's channel; those items are dropped from the article list so a
/// document appears once, as a document.
struct DocumentSearchSection {
    /// The documents found, and the article hits left once document items are removed.
    let documents: DocumentSearchResults
    let articles: [SearchHit]
    let articleTotal: Int

    /// Runs the document search for the query the item search understood.
    static func run(store: any PortalStore, results: SearchResults, viewer: DocumentViewer, limit: Int) async throws(StoreError) -> DocumentSearchSection {
        let documents = try await store.searchDocuments(results.query, viewer: viewer, limit: limit)
        let articles = results.items.filter { !isDocumentItem($0.item) }
        return DocumentSearchSection(documents: documents, articles: articles,
                                     articleTotal: max(articles.count, results.total - documents.organisationWide))
    }

    /// Whether an item stands for a departmental document (its link is the document page).
    static func isDocumentItem(_ item: ItemSummary) -> Bool {
        (item.link ?? "").hasPrefix("/documents/")
    }

    /// Rows for the search page: title, department, category, kind, date, snippet, link.
    func rows(views: ViewRenderer, context: AppRequestContext) -> [[String: Any]] {
        documents.hits.map { hit in
            let record = hit.record
            var row: [String: Any] = [
                "id": record.id, "title": record.title, "department_id": record.departmentID,
                "department_title": record.departmentTitle, "kind": record.current.kind.uppercased(),
                "date": views.dates.format(record.createdAt, language: context.language), "date_iso": views.dates.iso(record.createdAt),
                "snippet_html": SearchController.snippetHTML(hit.snippet),
            ]
            if let category = record.category { row["category"] = category }
            if record.visibility == .department { row["members_only"] = true }
            return row
        }
    }

    /// JSON objects for the API.
    func json() -> [[String: Any]] {
        documents.hits.map { hit in
            let record = hit.record
            return [
                "id": record.id, "title": record.title, "service": record.departmentID, "service_title": record.departmentTitle,
                "category": record.category.map { $0 as Any } ?? NSNull(), "visibility": record.visibility.rawValue,
                "kind": record.current.kind, "created_at": JSONDates.string(record.createdAt), "url": "/documents/\(record.id)",
                "snippet": hit.snippet.map(\.text).joined(), "highlights": hit.snippet.filter(\.highlighted).map(\.text),
            ]
        }
    }
}
