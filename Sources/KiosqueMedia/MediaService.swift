public import Foundation
public import KiosqueFetch
import Metrics

/// How pictures reach the browser (`media.mode`).
public enum MediaMode: String, Sendable, CaseIterable {
    /// Kiosque fetches, checks and serves every picture itself (the default).
    case proxy
    /// Pictures load from their sites as before.
    case direct
}

/// Which size of a picture is asked for.
public enum MediaVariant: Sendable {
    /// The picture as shown in an article (longest side `max_dimension`).
    case full
    /// The small picture of a list row.
    case thumbnail
}

/// What `/media/{id}` answers.
public enum MediaAnswer: Sendable, Equatable {
    /// The bytes, their type and their ETag.
    case image(Data, mimeType: String, etag: String)
    /// Bad signature, refused, unreachable or evicted-and-unreachable: a fast 404.
    case notFound
}

/// Counters shown on /admin (and exported to /metrics under `kiosque_media_*`).
public struct MediaStatistics: Sendable, Equatable {
    /// Requests answered from the cache.
    public var hits = 0
    /// Requests that had to fetch the picture.
    public var misses = 0
    /// Pictures refused (hostile, forbidden address, unreachable).
    public var refusals = 0
    /// Bytes fetched from outside sites.
    public var upstreamBytes: Int64 = 0
    /// Bytes that outside sites did not have to send again thanks to the cache.
    public var bytesSaved: Int64 = 0
    /// Upstream requests made (one per distinct picture, whatever the number of readers).
    public var upstreamRequests = 0

    /// Hits over all requests, 0 when none.
    public var hitRatio: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}

/// Settings of the media cache (`media:` in channels.yml).
public struct MediaSettings: Sendable {
    /// proxy or direct.
    public var mode: MediaMode
    /// The cache's budget in bytes.
    public var maxSize: Int64
    /// The largest picture fetched, in bytes.
    public var maxImageBytes: Int
    /// The longest side served.
    public var maxDimension: Int
    /// Hosts that may resolve to private addresses (intranet feeds).
    public var allowedPrivateHosts: [String]

    /// The contract's defaults: proxy, 2 GB, 5 MB, 1600 px, no private host.
    public init(mode: MediaMode = .proxy, maxSize: Int64 = 2 << 30, maxImageBytes: Int = 5 << 20, maxDimension: Int = 1600,
                allowedPrivateHosts: [String] = []) {
        self.mode = mode
        self.maxSize = maxSize
        self.maxImageBytes = maxImageBytes
        self.maxDimension = maxDimension
        self.allowedPrivateHosts = allowedPrivateHosts
    }
}

/// The media cache's front: verifies ids, answers from disk, and otherwise fetches each picture once (single
/// flight: concurrent readers of one picture share one upstream request), checks and re-encodes it, and keeps it.
public actor MediaService {
    /// Signs and checks addresses.
    public nonisolated let signer: MediaSigner
    /// The on-disk cache.
    public nonisolated let cache: MediaCache
    private let engine: HTTPEngine
    private let processor: ImageProcessor
    private let policy: AddressPolicy
    /// The settings it runs with.
    public nonisolated let settings: MediaSettings
    private var inFlight: [String: Task<CachedEntry?, Never>] = [:]
    /// Pictures that failed to fetch recently (network, status): answered 404 without retrying for a while.
    private var recentFailures: [String: Date] = [:]
    private var statistics = MediaStatistics()
    /// How long a passing fetch failure is remembered.
    static let failureMemory: TimeInterval = 600

    /// A service over `cache`, fetching through its own libcurl engine with the portal's `fetch` settings
    /// (proxy, timeouts, per-host politeness) and the body capped at `media.max_image_bytes`.
    public init(settings: MediaSettings, signer: MediaSigner, cache: MediaCache, fetch: FetchSettings) {
        self.settings = settings
        self.signer = signer
        self.cache = cache
        var fetch = fetch
        fetch.maxBytes = settings.maxImageBytes
        engine = HTTPEngine(settings: fetch)
        processor = ImageProcessor(maxDimension: settings.maxDimension)
        policy = AddressPolicy(allowedPrivateHosts: settings.allowedPrivateHosts)
        for label in ["kiosque_media_hits_total", "kiosque_media_misses_total", "kiosque_media_refusals_total",
                      "kiosque_media_upstream_bytes_total"] { _ = Counter(label: label) }
    }

    /// The rewriter for pages: signs with this service's key and shows refused pictures as their alt text.
    public nonisolated var rewriter: MediaRewriter {
        let cache = cache
        return MediaRewriter(signer: signer, isRefused: { cache.isRefusedSnapshot($0) })
    }

    /// The counters so far.
    public func currentStatistics() -> MediaStatistics { statistics }

    /// Answers `/media/{id}`. Hits never enter this actor's queue except to be counted: the file is read by the
    /// caller's task, so concurrent readers are served in parallel.
    public nonisolated func answer(id: String, variant: MediaVariant) async -> MediaAnswer {
        guard let (url, key) = signer.verify(id) else { return .notFound }
        if let entry = await cache.entry(key) {
            guard entry.refusal == nil else { return .notFound }
            if let answer = await read(entry, variant) {
                await countHit(saved: entry.upstreamBytes)
                return answer
            }
        }
        guard let entry = await miss(url: url, key: key), entry.refusal == nil else { return .notFound }
        return await read(entry, variant) ?? .notFound
    }

    private func countHit(saved: Int64) {
        statistics.hits += 1
        statistics.bytesSaved += saved
        Counter(label: "kiosque_media_hits_total").increment()
    }

    private func miss(url: String, key: String) async -> CachedEntry? {
        statistics.misses += 1
        Counter(label: "kiosque_media_misses_total").increment()
        return await load(url: url, key: key)
    }

    /// Fetches pictures not yet cached, a few at a time (right after ingest, for the newest items).
    public func prefetch(_ urls: [String], width: Int = 4) async {
        await withTaskGroup(of: Void.self) { group in
            var pending = urls.makeIterator()
            for _ in 0..<max(1, width) {
                guard let url = pending.next() else { break }
                group.addTask { await self.warm(url) }
            }
            while await group.next() != nil {
                if let url = pending.next() { group.addTask { await self.warm(url) } }
            }
        }
    }

    private func warm(_ url: String) async {
        let key = signer.mac(url)
        if await cache.entry(key) != nil { return }
        _ = await load(url: url, key: key)
    }

    private nonisolated func read(_ entry: CachedEntry, _ variant: MediaVariant) async -> MediaAnswer? {
        guard let chosen = variant == .full ? entry.full : entry.thumbnail, let data = cache.read(chosen) else { return nil }
        await cache.touch(chosen.hash)
        return .image(data, mimeType: chosen.mimeType, etag: "\"\(chosen.hash.prefix(32))\"")
    }

    /// One upstream request per key at a time: later callers await the first one's task.
    private func load(url: String, key: String) async -> CachedEntry? {
        if let failedAt = recentFailures[key], Date().timeIntervalSince(failedAt) < Self.failureMemory { return nil }
        if let running = inFlight[key] { return await running.value }
        let task = Task { await self.fetchAndStore(url: url, key: key) }
        inFlight[key] = task
        let entry = await task.value
        inFlight[key] = nil
        return entry
    }

    private func fetchAndStore(url: String, key: String) async -> CachedEntry? {
        let scheme = url.prefix(8).lowercased()
        guard scheme.hasPrefix("http://") || scheme.hasPrefix("https://") else {
            return await refuse(key: key, url: url, .fetch("not an http(s) address"))
        }
        statistics.upstreamRequests += 1
        let request = FetchRequest(sourceID: "media", url: url, addressPolicy: policy)
        let result = await engine.fetch(request)
        switch result {
        case .failure(let failure):
            statistics.upstreamBytes += failure.bytesDownloaded
            Counter(label: "kiosque_media_upstream_bytes_total").increment(by: Int(failure.bytesDownloaded))
            if failure.refusedAddress != nil { return await refuse(key: key, url: url, .forbiddenAddress(failure.message)) }
            return await refuse(key: key, url: url, .fetch(failure.message))
        case .success(let response):
            statistics.upstreamBytes += response.bytesDownloaded
            Counter(label: "kiosque_media_upstream_bytes_total").increment(by: Int(response.bytesDownloaded))
            guard response.body.count <= settings.maxImageBytes else {
                return await refuse(key: key, url: url, .fetch("larger than \(settings.maxImageBytes) bytes"))
            }
            let processor = processor
            let body = response.body
            // libvips work leaves the actor: other pictures keep being served meanwhile.
            let processed = await Task.detached(priority: .utility) { processor.process(body) }.value
            switch processed {
            case .failure(let refusal):
                return await refuse(key: key, url: url, refusal)
            case .success(let image):
                return try? await cache.store(key: key, url: url, image: image, upstreamBytes: response.bytesDownloaded)
            }
        }
    }

    private func refuse(key: String, url: String, _ refusal: MediaRefusal) async -> CachedEntry? {
        statistics.refusals += 1
        Counter(label: "kiosque_media_refusals_total").increment()
        if refusal.isPermanent {
            try? await cache.storeRefusal(key: key, url: url, reason: refusal.description)
        } else {
            recentFailures[key] = Date()
            if recentFailures.count > 10_000 { recentFailures.removeAll() }
            cache.noteFailure(key, memory: Self.failureMemory)
        }
        return CachedEntry(url: url, full: nil, thumbnail: nil, refusal: refusal.description, upstreamBytes: 0)
    }
}
