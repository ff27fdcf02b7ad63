public import Foundation

/// A ranked match, before the agent-specific page is built.
public struct SearchHitKey: Sendable, Hashable {
    public var id: Int64, sortAt: Int64, linkHash: Int64?, score: Double

    /// Creates a value with every field.
    public init(id: Int64, sortAt: Int64, linkHash: Int64?, score: Double) {
        self.id = id
        self.sortAt = sortAt
        self.linkHash = linkHash
        self.score = score
    }
}

/// Everything about a search that does not depend on the agent or the page, ranked the same way by every backend.
public struct RankedSearch: Sendable {
    public var hits: [SearchHitKey] = []
    public var total = 0
    public var totalIsExact = true
    public var isWindowed = false
    public var channelFacets: [FacetCount] = []
    public var monthFacets: [FacetCount] = []

    /// An empty ranking (a search that can find no article).
    public init() {}

    /// The ranking of a window of matches: best first, one result per article (the same link through
    /// two sources counts once), `total` lowered by the duplicates dropped, months faceted; channel
    /// facets are left to the backend.
    public init(window: [SearchHitKey], total: Int, totalIsExact: Bool) {
        var seenLinks = Set<Int64>()
        for hit in window.sorted(by: { ($0.score, $0.id) > ($1.score, $1.id) }) {
            if let link = hit.linkHash, !seenLinks.insert(link).inserted { continue }
            hits.append(hit)
        }
        self.total = total - (window.count - hits.count)
        self.totalIsExact = totalIsExact
        isWindowed = window.count >= SearchTuning.window
        monthFacets = SearchFacets.months(hits.map(\.sortAt))
    }
}

extension SearchTuning {
    /// A relevance (larger is better) weighted by freshness: an item loses up to 70% of it with age.
    public static func blended(_ relevance: Double, sortAt: Int64, now: Date) -> Double {
        let ageDays = max(0, now.timeIntervalSince1970 - Double(sortAt)) / 86_400
        return relevance * (0.3 + 0.7 / (1 + ageDays / freshnessDays))
    }
}
