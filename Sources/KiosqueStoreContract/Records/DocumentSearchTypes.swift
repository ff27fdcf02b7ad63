public import Foundation

/// One document found by a search, with an extract around the matched words.
public struct DocumentHit: Sendable, Hashable {
    /// The document (current version only).
    public var record: DocumentRecord
    /// Plain-text pieces, highlighted where they matched; never HTML.
    public var snippet: [SnippetSegment]
    /// Relevance, higher is better (bm25; publication time when the query has no words).
    public var score: Double

    /// Creates a value with every field.
    public init(record: DocumentRecord, snippet: [SnippetSegment], score: Double) {
        self.record = record
        self.snippet = snippet
        self.score = score
    }
}

/// A page of document search results.
public struct DocumentSearchResults: Sendable, Hashable {
    /// Matching documents the viewer may see: exact below `SearchTuning.window`, else a lower bound.
    public var total: Int
    /// How many of the matches are organisation-wide: those are also items of their department's
    /// channel, so the item search finds them too (callers showing both may discount them).
    public var organisationWide: Int
    /// This page, best first.
    public var hits: [DocumentHit]

    /// Creates a value with every field.
    public init(total: Int, organisationWide: Int, hits: [DocumentHit]) {
        self.total = total
        self.organisationWide = organisationWide
        self.hits = hits
    }
}
