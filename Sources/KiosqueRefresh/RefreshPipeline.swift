public import Foundation
public import KiosqueConfig
public import KiosqueFetch
public import KiosqueModel
import KiosqueParse
public import KiosqueStoreContract
public import Logging
import Synchronization

/// Fetch → parse → sanitize → store for one source: the only place where those modules meet.
/// Every outcome, good or bad, becomes a `FetchAttempt` recorded in the source's health.
/// A cycle over many sources (`RefreshCycle`) runs the same stages, with the storing grouped.
public struct RefreshPipeline: Sendable {
    public let engine: HTTPEngine
    public let cache: ResponseCache
    public let store: any PortalStore
    /// Read at each refresh, so a reloaded channels.yml applies to the next fetch.
    public let live: LiveConfiguration
    let logger: Logger
    /// Building a sanitizer compiles its policy (about a millisecond): reuse it until the content settings change.
    private let preparers = PreparerCache()
    /// Cache writes fsync twice each (several ms): they run on these threads, never on Swift's
    /// cooperative ones, which are only as many as the cores and would sit idle meanwhile.
    let fileWriters = BlockingLane(label: "kiosque.cache-writer", width: 8)

    public init(configuration live: LiveConfiguration, engine: HTTPEngine, cache: ResponseCache, store: any PortalStore,
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
        var staged = await stage(source, startedAt: now)
        if let items = staged.items {
            let start = ContinuousClock.now
            do {
                let result = try await store.ingest(sourceID: source.id, items: items, fetchedAt: now)
                RefreshMetrics.recordIngest(seconds: start.duration(to: .now))
                staged.stored(result)
            } catch {
                staged.failedToStore(error)
            }
        }
        if let entry = staged.cacheEntry { await saveCache(entry) }
        let (attempt, next) = settle(staged)
        do {
            try await store.recordAttempt(attempt, nextAttemptAt: next)
        } catch {
            logger.error("could not record the fetch attempt", metadata: ["source": "\(source.id)", "error": "\(error)"])
        }
        return (attempt, next)
    }

    /// Fetches a source and, when it brought a body not seen before, parses and prepares its items
    /// (the CPU part, inside `cpu` when given). What is left is storing the items and the attempt.
    func stage(_ source: SourceDefinition, startedAt: Date, cpu: AsyncGate? = nil) async -> StagedRefresh {
        let configuration = live.current
        let policy = FetchPolicy(interval: configuration.interval(of: source), ceiling: configuration.fetch.maxBackoff)
        var staged = StagedRefresh(source: source, record: FetchAttempt(sourceID: source.id, startedAt: startedAt), policy: policy)
        let cached = cache.load(sourceID: source.id)
        let request = FetchRequest(sourceID: source.id, url: source.url, etag: cached?.etag,
                                   lastModified: cached?.lastModified, credentials: source.credentials)
        let fetched = await engine.fetch(request)
        staged.previousFailures = (try? await store.health(sourceID: source.id))?.consecutiveFailures ?? 0
        let response: FetchResponse
        switch fetched {
        case .failure(let failure):
            staged.record.errorClass = failure.errorClass
            staged.record.errorMessage = failure.message
            staged.record.httpStatus = failure.httpStatus
            staged.retryAfter = failure.retryAfter
            return staged
        case .success(let r):
            response = r
        }
        staged.record.httpStatus = response.status
        staged.record.bytes = response.bytesDownloaded
        staged.record.permanentRedirect = response.permanentRedirect
        staged.retryAfter = response.retryAfter
        if response.notModified {
            staged.record.notModified = true
            return staged
        }
        let preparer = preparers.preparer(for: configuration.content)
        let store = store
        // Parsed, sanitized and made ready for the store's writer (its index tokens) here, on one
        // of the cores, so that the single writer only stores.
        let prepare = { @Sendable [staged] () -> StagedRefresh in
            var prepared = Self.parseAndPrepare(response, cached: cached, staged: staged, preparer: preparer)
            if let items = prepared.items { prepared.items = store.prepareForIngest(items.map(ItemKeys.identified)) }
            return prepared
        }
        guard let cpu else { return prepare() }
        return await cpu.withPermit { prepare() }
    }

    /// The CPU-bound part: hash, parse, sanitize. An unchanged body costs only its hash.
    private static func parseAndPrepare(_ response: FetchResponse, cached: CachedResponse?, staged: StagedRefresh,
                                        preparer: ItemPreparer) -> StagedRefresh {
        var staged = staged
        let entry = CacheEntry(sourceID: staged.source.id, response: response, bodyHash: response.computeBodyHash())
        // The same bytes as last time cost no parsing; only the validators are refreshed.
        if let cached, cached.bodyHash == entry.bodyHash {
            staged.record.notModified = true
            staged.cacheEntry = entry
            return staged
        }
        let feed: ParsedFeed
        do {
            feed = try FeedParser.parse(response.body, url: URL(string: response.finalURL), httpCharset: response.charset)
        } catch {
            staged.record.errorClass = .notAFeed
            staged.record.errorMessage = error.message
            if case .notAFeed(_, let feeds) = error { staged.record.discoveredFeeds = feeds }
            return staged
        }
        staged.record.warnings = Array(feed.warnings.prefix(20))
        staged.feedTTL = feed.minimumRefreshInterval
        staged.items = preparer.prepare(feed, documentURL: URL(string: response.finalURL))
        // Written only once the items are stored: otherwise the next attempt parses the same body again.
        staged.pendingCacheEntry = entry
        return staged
    }

    /// The attempt as recorded, and when to try the source again.
    func settle(_ staged: StagedRefresh) -> (attempt: FetchAttempt, next: Date) {
        var attempt = staged.record
        attempt.duration = Date().timeIntervalSince(staged.clockStart)
        RefreshMetrics.record(attempt)
        let failures = attempt.succeeded ? 0 : staged.previousFailures + 1
        var generator = SystemRandomNumberGenerator()
        let next = staged.policy.nextAttempt(after: attempt.startedAt,
                                             outcome: attempt.succeeded ? .success : .failure(attempt.errorClass ?? .other),
                                             consecutiveFailures: failures, retryAfter: staged.retryAfter,
                                             feedTTL: staged.feedTTL, using: &generator)
        return (attempt, next)
    }

    /// Writes a source's last good body and validators, off the cooperative threads.
    func saveCache(_ entry: CacheEntry) async {
        let cache = self.cache, logger = self.logger
        await fileWriters.run {
            do {
                try cache.store(sourceID: entry.sourceID, body: entry.response.body, etag: entry.response.etag,
                                lastModified: entry.response.lastModified, bodyHash: entry.bodyHash)
            } catch {
                logger.warning("could not write the cache", metadata: ["source": "\(entry.sourceID)", "error": "\(error)"])
            }
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
