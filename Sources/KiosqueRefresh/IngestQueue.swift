/// Sources prepared and waiting for the store's writer, bounded by their number of items so that a
/// slow disk makes the preparing tasks wait instead of piling articles up in memory.
actor IngestQueue {
    private var entries: [StagedRefresh] = []
    private var queuedItems = 0
    private var finished = false
    private let limit: Int
    private var producers: [CheckedContinuation<Void, Never>] = []
    private var consumer: CheckedContinuation<Void, Never>?

    /// `limit`: items queued before `put` waits (a source with more items still passes alone).
    init(limit: Int) {
        self.limit = limit
    }

    /// Queues a source, waiting while the queue is full.
    func put(_ entry: StagedRefresh) async {
        let count = entry.itemCount
        while queuedItems > 0 && queuedItems + count > limit {
            await withCheckedContinuation { producers.append($0) }
        }
        entries.append(entry)
        queuedItems += count
        consumer?.resume()
        consumer = nil
    }

    /// No more sources will come; `take` returns nil once the queue is empty.
    func finish() {
        finished = true
        consumer?.resume()
        consumer = nil
    }

    /// Everything queued, up to `maxItems` items (at least one source), waiting for the first;
    /// nil when finished and empty. Taking all that waited is what groups the writer's batches.
    func take(maxItems: Int) async -> [StagedRefresh]? {
        while entries.isEmpty {
            if finished { return nil }
            await withCheckedContinuation { consumer = $0 }
        }
        var count = 0, items = 0
        while count < entries.count, count == 0 || items + entries[count].itemCount <= maxItems {
            items += entries[count].itemCount
            count += 1
        }
        // Taken entries leave the array at once: the queue must not keep what the writer stored.
        let taken = Array(entries.prefix(count))
        entries.removeFirst(count)
        queuedItems -= items
        let waiting = producers
        producers.removeAll()
        for producer in waiting { producer.resume() }
        return taken
    }
}
