public import Foundation

/// What a document search's filters name (departments, categories, file kinds), decided the same
/// way by both stores before each turns it into SQL.
package enum DocumentQueryScope {
    /// The file kinds the documents module stores (its `DocumentKind` raw values).
    package static let fileKinds: Set<String> = ["pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "png", "jpeg", "gif", "webp", "txt", "md"]

    /// A category or type folded for comparison: lower case, no accents, no final plural s.
    package static func typeKey(_ text: String) -> String {
        var key = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
            .trimmingCharacters(in: .whitespaces)
        if key.hasSuffix("s") && key.count > 3 { key.removeLast() }
        return key
    }

    /// The departments the query names, directly (`service:`) or through their document channel
    /// (`canal:service-ID`) or source (`source:service:ID`); empty when it names none. Nil when it
    /// names only channels or sources that are no department's: no document can match.
    package static func departments(_ query: SearchQuery) -> [String]? {
        var departments = query.services
        if !query.channels.isEmpty || !query.sources.isEmpty {
            let named = query.channels.compactMap { suffix($0, after: "service-") } + query.sources.compactMap { suffix($0, after: "service:") }
            guard !named.isEmpty else { return nil }
            departments += named
        }
        return departments
    }

    /// The categories in use that `type:` names ("type:deliberation" is "Délibérations": categories
    /// are free text, compared folded) and the file kinds it names. Nil when it names neither.
    package static func types(_ query: SearchQuery, categoriesInUse: [String]) -> (categories: [String], kinds: [String])? {
        let wanted = Set(query.types.map(typeKey))
        let categories = categoriesInUse.filter { wanted.contains(typeKey($0)) }
        let kinds = wanted.intersection(fileKinds).sorted()
        return categories.isEmpty && kinds.isEmpty ? nil : (categories, kinds)
    }

    private static func suffix(_ text: String, after prefix: String) -> String? {
        text.hasPrefix(prefix) && text.count > prefix.count ? String(text.dropFirst(prefix.count)) : nil
    }
}

/// A listing's query, read the same way by both stores.
package enum DocumentListingQuery {
    /// No words: a plain listing.
    case none
    /// A search restricted by the listing's filters.
    case search(SearchQuery)
    /// A forgiving query with nothing left to search: no document matches.
    case nothing

    /// `filter.query` parsed (strictly, or repaired with `forgivingQuery`); `.invalidSearch` for bad syntax.
    package init(_ filter: DocumentFilter) throws(StoreError) {
        guard let text = filter.query?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { self = .none; return }
        if filter.forgivingQuery {
            self = SearchQuery.forgiving(text).map(Self.search) ?? .nothing
        } else {
            do { self = .search(try SearchQuery.parse(text)) } catch { throw .invalidSearch(error) }
        }
    }
}
