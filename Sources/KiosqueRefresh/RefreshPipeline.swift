public import Foundation
public import KiosqueConfig
public import KiosqueFetch
public import KiosqueModel
import KiosqueParse
public import KiosqueStore
public import Logging
import Synchronization

/// Fetch → parse → sanitize → store for one source: the only place where those modules meet.
/// Every outcome, good or bad, becomes a `FetchAttempt` recorded in the source's health.
public struct RefreshPipeline: Sendable {
    public let engine: HTTPEngine
    public let cache: ResponseCache
    public let store: AppDatabase
    /// Read at each refresh, so a reloaded channels.yml applies to the next fetch.
    public let live: LiveConfiguration
    private let logger: Logger
    /// Building a sanitizer compiles its policy (about a millisecond): reuse it until the content settings change.
    private let preparers = PreparerCache()

    public init(configuration live: LiveConfiguration, engine: HTTPEngine, cache: ResponseCache, store: AppDatabase,
                logger: Logger = Logger(label: "kiosque.refresh")) {
        self.live = live
        self.engine = engine
        self.cache = cache
        self.store = store
        self.logger = logger
    }

    /// The libcurl settings that channels.yml and the environment describe.
    public static func fetchSettings(for configuration: PortalConfiguration,
                                     environment: [String: String] = ProcessInfo.processInfo.environment) -> FetchSettings {
        let fetch = configuration.fetch
        var settings = FetchSettings(timeout: fetch.timeout, connectTimeout: fetch.connectTimeout,
                                     maxBytes: Int(fetch.maxBytes), concurrency: fetch.concurrency, perHost: fetch.perHost,
                                     userAgent: fetch.userAgent, proxy: fetch.proxy)
        settings = settings.fillingFromEnvironment(environment)
        if !fetch.noProxy.isEmpty {
            settings.noProxy = ([settings.noProxy].compactMap { $0 } + fetch.noProxy).joined(separator: ",")
        }
        return settings
    }

    /// Refreshes one source now and records the attempt; never throws: failures are health, not errors.
    @discardableResult
    public func refresh(_ source: SourceDefinition, now: Date = Date()) async -> (attempt: FetchAttempt, nextAttempt: Date) {
        let started = Date()
        let configuration = live.current
        let preparer = preparers.preparer(for: configuration.content)
        var attempt = await run(source, startedAt: now, preparer: preparer)
        attempt.duration = Date().timeIntervalSince(started)
        RefreshMetrics.record(attempt.record, ingestSeconds: attempt.ingestSeconds)
        let previous = try? await store.health(sourceID: source.id)
        let failures = attempt.succeeded ? 0 : (previous?.consecutiveFailures ?? 0) + 1
        let policy = FetchPolicy(interval: configuration.interval(of: source), ceiling: configuration.fetch.maxBackoff)
        var generator = SystemRandomNumberGenerator()
        let next = policy.nextAttempt(after: now, outcome: attempt.succeeded ? .success : .failure(attempt.errorClass ?? .other),
                                      consecutiveFailures: failures, retryAfter: attempt.retryAfter,
                                      feedTTL: attempt.feedTTL, using: &generator)
        do {
            try await store.recordAttempt(attempt.record, nextAttemptAt: next)
        } catch {
            logger.error("could not record the fetch attempt", metadata: ["source": "\(source.id)", "error": "\(error)"])
        }
        return (attempt.record, next)
    }

    /// An attempt plus the politeness hints that only scheduling needs.
    private struct Outcome {
        var record: FetchAttempt
        var retryAfter: TimeInterval?
        var feedTTL: TimeInterval?
        /// Time spent in the store's ingest transaction, for metrics.
        var ingestSeconds: Double?
        var succeeded: Bool { record.succeeded }
        var errorClass: FetchErrorClass? { record.errorClass }
        var duration: TimeInterval {
            get { record.duration }
            set { record.duration = newValue }
        }
    }

    private func run(_ source: SourceDefinition, startedAt: Date, preparer: ItemPreparer) async -> Outcome {
        var outcome = Outcome(record: FetchAttempt(sourceID: source.id, startedAt: startedAt))
        let cached = cache.load(sourceID: source.id)
        let request = FetchRequest(sourceID: source.id, url: source.url, etag: cached?.etag,
                                   lastModified: cached?.lastModified, credentials: source.credentials)
        let response: FetchResponse
        switch await engine.fetch(request) {
        case .failure(let failure):
            outcome.record.errorClass = failure.errorClass
            outcome.record.errorMessage = failure.message
            outcome.record.httpStatus = failure.httpStatus
            outcome.retryAfter = failure.retryAfter
            return outcome
        case .success(let r):
            response = r
        }
        outcome.record.httpStatus = response.status
        outcome.record.bytes = response.bytesDownloaded
        outcome.record.permanentRedirect = response.permanentRedirect
        outcome.retryAfter = response.retryAfter
        if response.notModified {
            outcome.record.notModified = true
            return outcome
        }
        // The same bytes as last time cost no parsing; only the validators are refreshed.
        let bodyHash = response.computeBodyHash()
        if let cached, cached.bodyHash == bodyHash {
            outcome.record.notModified = true
            saveCache(source.id, response, bodyHash: bodyHash)
            return outcome
        }
        let feed: ParsedFeed
        do {
            feed = try FeedParser.parse(response.body, url: URL(string: response.finalURL), httpCharset: response.charset)
        } catch {
            outcome.record.errorClass = .notAFeed
            outcome.record.errorMessage = error.message
            if case .notAFeed(_, let feeds) = error { outcome.record.discoveredFeeds = feeds }
            return outcome
        }
        outcome.record.warnings = Array(feed.warnings.prefix(20))
        outcome.feedTTL = feed.minimumRefreshInterval
        let items = preparer.prepare(feed, documentURL: URL(string: response.finalURL))
        do {
            let ingestStart = ContinuousClock.now
            let result = try await store.ingest(sourceID: source.id, items: items, fetchedAt: startedAt)
            let elapsed = ingestStart.duration(to: .now).components
            outcome.ingestSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            outcome.record.newItems = result.new
            outcome.record.updatedItems = result.updated
        } catch {
            // Nothing is cached, so the next attempt parses and ingests the same body again.
            outcome.record.errorClass = .storage
            outcome.record.errorMessage = "the items could not be stored: \(error)"
            return outcome
        }
        saveCache(source.id, response, bodyHash: bodyHash)
        return outcome
    }

    private func saveCache(_ sourceID: String, _ response: FetchResponse, bodyHash: String) {
        do {
            try cache.store(sourceID: sourceID, body: response.body, etag: response.etag,
                            lastModified: response.lastModified, bodyHash: bodyHash)
        } catch {
            logger.warning("could not write the cache", metadata: ["source": "\(sourceID)", "error": "\(error)"])
        }
    }
}

/// The item preparer for the content settings in force, rebuilt only when they change.
final class PreparerCache: Sendable {
    private let state = Mutex<(PortalConfiguration.Content, ItemPreparer)?>(nil)

    func preparer(for content: PortalConfiguration.Content) -> ItemPreparer {
        state.withLock { cached in
            if let (settings, preparer) = cached, settings == content { return preparer }
            let preparer = ItemPreparer(iframeHosts: content.iframeHosts, summaryLength: content.summaryLength)
            cached = (content, preparer)
            return preparer
        }
    }
}
