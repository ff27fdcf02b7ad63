import Foundation
import KiosqueModel
import KiosqueStoreContract

/// One pass over many sources, as a pipeline: `width` transfers at once; parsing and sanitizing
/// (the CPU part) at most one per core; the store's single writer fed grouped batches of several
/// sources in one transaction each, so that it stays busy while the cores prepare the next ones.
/// A source's failure (fetch, parse, store) stays its own: the others are stored and recorded.
struct RefreshCycle: Sendable {
    let pipeline: RefreshPipeline
    /// Transfers at once (`fetch.concurrency`).
    let width: Int
    /// Sources parsed and prepared at once.
    var cpuWidth = ProcessInfo.processInfo.activeProcessorCount
    /// Items prepared and waiting for the writer before preparing pauses (memory bound). On the
    /// 1,000-feed farm (FarmBench), 1,200 kept the first cycle as fast as 2,000 with ~10 MB less
    /// peak memory (each waiting item holds its texts and their index tokens).
    var maxQueuedItems = 1_200
    /// Items per write transaction at most: bigger batches index faster, smaller ones commit sooner.
    var maxBatchItems = 1_000
    /// Cache files being written at most; each holds a body, so a slow disk slows the writer down
    /// rather than piling bodies up in memory.
    var maxPendingCacheWrites = 64

    /// Refreshes every source once; `report` sees each attempt once it is recorded.
    func run(_ sources: [SourceDefinition], report: @Sendable (FetchAttempt) async -> Void) async {
        await run(from: SourceList(sources), report: report)
    }

    /// Refreshes the sources `feed` hands out until it has no more.
    func run(from feed: some SourceFeed, report: @Sendable (FetchAttempt) async -> Void) async {
        let queue = IngestQueue(limit: maxQueuedItems)
        let cpu = AsyncGate(width: cpuWidth)
        let cacheWrites = AsyncGate(width: maxPendingCacheWrites)
        let pipeline = self.pipeline, width = self.width
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await Self.fetchAndPrepare(feed, pipeline: pipeline, width: width, cpu: cpu, into: queue)
                await queue.finish()
            }
            // The writer's loop runs here; cache writes are added to the group and awaited with it.
            while let batch = await queue.take(maxItems: maxBatchItems) {
                let settled = await storeItems(batch)
                for case let entry? in settled.map(\.cacheEntry) {
                    await cacheWrites.acquire()
                    group.addTask {
                        await pipeline.saveCache(entry)
                        cacheWrites.release()
                    }
                }
                await record(settled, report: report)
            }
            await group.waitForAll()
        }
    }

    /// The producers: fetches with bounded width, each prepared inside the CPU gate, then queued.
    private static func fetchAndPrepare(_ feed: some SourceFeed, pipeline: RefreshPipeline, width: Int,
                                        cpu: AsyncGate, into queue: IngestQueue) async {
        await withTaskGroup(of: Void.self) { group in
            var exhausted = false
            for _ in 0..<max(1, width) {
                guard let source = await feed.next() else { exhausted = true; break }
                group.addTask { await queue.put(await pipeline.stage(source, startedAt: Date(), cpu: cpu)) }
            }
            while await group.next() != nil {
                guard !exhausted else { continue }
                guard let source = await feed.next() else { exhausted = true; continue }
                group.addTask { await queue.put(await pipeline.stage(source, startedAt: Date(), cpu: cpu)) }
            }
        }
    }

    /// Stores a batch's items in one transaction; if it fails, each source alone, so that one
    /// source's bad items (or a source removed meanwhile) never lose the others'.
    private func storeItems(_ batch: [StagedRefresh]) async -> [StagedRefresh] {
        var batch = batch
        let indices = batch.indices.filter { batch[$0].items != nil }
        guard !indices.isEmpty else { return batch }
        let store = pipeline.store
        let fetchedAt = indices.map { batch[$0].record.startedAt }.max() ?? Date()
        let start = ContinuousClock.now
        do {
            let results = try await store.ingest(batches: indices.map { (sourceID: batch[$0].source.id, items: batch[$0].items ?? []) },
                                                 fetchedAt: fetchedAt)
            RefreshMetrics.recordIngest(seconds: start.duration(to: .now))
            for (index, result) in zip(indices, results) { batch[index].stored(result) }
        } catch {
            pipeline.logger.warning("a batch could not be stored; storing its sources one by one",
                                    metadata: ["sources": "\(indices.count)", "error": "\(error)"])
            for index in indices {
                do {
                    let result = try await store.ingest(sourceID: batch[index].source.id, items: batch[index].items ?? [],
                                                        fetchedAt: batch[index].record.startedAt)
                    batch[index].stored(result)
                } catch {
                    batch[index].failedToStore(error)
                }
            }
        }
        return batch
    }

    /// Records a batch's attempts and health in one transaction, then reports them.
    private func record(_ batch: [StagedRefresh], report: @Sendable (FetchAttempt) async -> Void) async {
        let settled = batch.map { pipeline.settle($0) }
        do {
            let unknown = try await pipeline.store.recordAttempts(settled.map { (attempt: $0.attempt, nextAttemptAt: $0.next) })
            for id in unknown {
                pipeline.logger.error("could not record the fetch attempt", metadata: ["source": "\(id)", "error": "unknown source"])
            }
        } catch {
            pipeline.logger.error("could not record fetch attempts", metadata: ["sources": "\(batch.count)", "error": "\(error)"])
        }
        for entry in settled { await report(entry.attempt) }
    }
}
