import KiosqueModel
import Metrics

/// What the refresh pipeline reports to the metrics system (exported at /metrics by `kiosque serve`):
/// fetches and their latency by outcome, items ingested, and the store's ingest transactions' time.
enum RefreshMetrics {
    static func record(_ attempt: FetchAttempt) {
        let outcome = attempt.errorClass?.rawValue ?? (attempt.notModified ? "not_modified" : "ok")
        Counter(label: "kiosque_fetch_total", dimensions: [("outcome", outcome)]).increment()
        Timer(label: "kiosque_fetch_duration_seconds", dimensions: [("outcome", outcome)])
            .recordNanoseconds(Int64(attempt.duration * 1_000_000_000))
        if attempt.newItems > 0 {
            Counter(label: "kiosque_items_ingested_total", dimensions: [("kind", "new")]).increment(by: attempt.newItems)
        }
        if attempt.updatedItems > 0 {
            Counter(label: "kiosque_items_ingested_total", dimensions: [("kind", "updated")]).increment(by: attempt.updatedItems)
        }
    }

    /// One ingest transaction (one source, or a fetch cycle's batch of several).
    static func recordIngest(seconds elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        Timer(label: "kiosque_db_ingest_seconds").recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
