/// A piece of a snippet: plain text, highlighted when it matched the query. Never HTML.
public struct SnippetSegment: Sendable, Hashable, Codable {
    /// The text, to be escaped by whoever renders it.
    public var text: String
    /// Whether this piece matched a searched word.
    public var highlighted: Bool

    /// Creates a segment.
    public init(text: String, highlighted: Bool) {
        self.text = text
        self.highlighted = highlighted
    }

    /// Splits snippet output written with the private-use markers (`open`, `close`) into segments.
    public static func parse(_ marked: String) -> [SnippetSegment] {
        var segments: [SnippetSegment] = []
        var current = "", highlighted = false
        for scalar in marked.unicodeScalars {
            if scalar == SnippetSegment.open || scalar == SnippetSegment.close {
                if !current.isEmpty { segments.append(SnippetSegment(text: current, highlighted: highlighted)) }
                current = ""
                highlighted = scalar == SnippetSegment.open
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { segments.append(SnippetSegment(text: current, highlighted: highlighted)) }
        return segments
    }

    /// Private-use scalars that delimit highlights inside the database's snippet function, never shown.
    public static let open: Unicode.Scalar = "\u{E000}"
    /// Closes a highlight opened by `open`.
    public static let close: Unicode.Scalar = "\u{E001}"
}

/// One search result.
public struct SearchHit: Sendable, Hashable {
    /// The item (its `channel` is the agent's subscribed channel when there is one).
    public var item: ItemSummary
    /// An extract around the matched words.
    public var snippet: [SnippetSegment]
    /// The blended relevance (higher is better): bm25 weighted by freshness.
    public var score: Double

    /// Creates a value with every field.
    public init(item: ItemSummary, snippet: [SnippetSegment], score: Double) {
        self.item = item
        self.snippet = snippet
        self.score = score
    }
}

/// A facet value and how many results carry it.
public struct FacetCount: Sendable, Hashable {
    /// The value to put back into a query (a channel id, or "2025-03" for a month).
    public var key: String
    /// What to show (the channel title, or the month key).
    public var label: String
    /// Number of results.
    public var count: Int

    /// Creates a value with every field.
    public init(key: String, label: String, count: Int) {
        self.key = key
        self.label = label
        self.count = count
    }
}

/// A page of search results with facets.
public struct SearchResults: Sendable, Hashable {
    /// The query as understood.
    public var query: SearchQuery
    /// Number of matching items: exact, or a lower bound (`SearchTuning.countCap`) when `totalIsExact` is false.
    public var total: Int
    /// False when there are at least `total` matches ("more than 2,000 results").
    public var totalIsExact: Bool
    /// This page of results, best first.
    public var items: [SearchHit]
    /// Results per channel, largest first.
    public var channelFacets: [FacetCount]
    /// Results per month ("2025-03"), newest first.
    public var monthFacets: [FacetCount]
    /// True when ranking and facets covered only the newest `SearchTuning.window` matches.
    public var isWindowed: Bool
    /// How many results can be paged through (ranked matches, at most the window): offer a
    /// "next page" only while offset + limit < pageable.
    public var pageable: Int

    /// Creates a value with every field.
    public init(query: SearchQuery, total: Int, totalIsExact: Bool, items: [SearchHit], channelFacets: [FacetCount],
                monthFacets: [FacetCount], isWindowed: Bool, pageable: Int) {
        self.query = query
        self.total = total
        self.totalIsExact = totalIsExact
        self.items = items
        self.channelFacets = channelFacets
        self.monthFacets = monthFacets
        self.isWindowed = isWindowed
        self.pageable = pageable
    }
}

/// Knobs of the search engine, fixed so results are reproducible.
public enum SearchTuning {
    /// Ranking and facets consider at most this many of the newest matches: a word found in
    /// 200,000 items must still answer in milliseconds, and freshness matters for news.
    public static let window = 2_000
    /// Counting stops here: past it, agents are told "more than 2,000 results". It is the window:
    /// counting further meant visiting every match of a common word (on PostgreSQL each one's row,
    /// ~190 ms of a 380 ms search at 100,000 items — BENCHMARKS.md, issue 18), for a figure nobody
    /// pages through.
    public static let countCap = window
    /// After this many days an item keeps about half of its freshness boost.
    public static let freshnessDays = 30.0
}
