public import KiosqueMedia
public import KiosqueStoreContract
public import ServiceLifecycle

/// Fetches the newest items' pictures soon after they are stored, so the first agent to open Ma page finds them
/// cached; older items' pictures are fetched on first request. Runs in `kiosque serve`'s ServiceGroup, wakes every
/// `interval`, and works only when the store changed; at most `batch` pictures are considered per round and only
/// four fetched at a time (the media engine's politeness limits apply on top).
public struct MediaPrefetchService: Service {
    let media: MediaService
    let store: any PortalStore
    let interval: Duration
    let batch: Int

    /// A prefetcher of the `batch` newest pictures, checking every `interval`.
    public init(media: MediaService, store: any PortalStore, interval: Duration = .seconds(30), batch: Int = 120) {
        self.media = media
        self.store = store
        self.interval = interval
        self.batch = batch
    }

    public func run() async throws {
        var seen: UInt64?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let count = store.changeCount()
            if count != seen {
                seen = count
                await prefetchOnce()
            }
            // A graceful shutdown ends the sleep: return normally then. Throwing here would make
            // the service group take it for a failure and cancel the web front mid-request.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }

    /// One round: the newest pictures not cached yet are fetched.
    public func prefetchOnce() async {
        guard let urls = try? await store.recentPictureURLs(limit: batch) else { return }
        await media.prefetch(urls)
    }
}

extension WebServer {
    /// The picture prefetcher to run beside the web front (nil in `media.mode: direct`).
    public func mediaPrefetcher(store: any PortalStore) -> MediaPrefetchService? {
        media.map { MediaPrefetchService(media: $0, store: store) }
    }
}
