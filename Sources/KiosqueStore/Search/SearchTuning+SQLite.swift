/// The SQLite search index's own knobs (FTS5 bm25 and the per-source token).
extension SearchTuning {
    /// bm25 weights of title, summary, content, author, source title and the source tag.
    static let weights = "10.0, 4.0, 1.0, 2.0, 2.0, 0.0"
    /// Prefix of the synthetic per-source token (digits keep it whole through the tokenizer).
    static let sourceTagPrefix = "ksrc"
}
