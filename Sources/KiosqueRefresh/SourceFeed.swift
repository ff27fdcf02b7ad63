import Foundation
import KiosqueConfig
import KiosqueModel
import KiosqueStoreContract
import Logging

/// Where a refresh cycle takes its sources from, one at a time as transfers free up.
protocol SourceFeed: Sendable {
    /// The next source to fetch, or nil when the cycle has none left.
    func next() async -> SourceDefinition?
}

/// A fixed list (one instance: every due source, or the sources `kiosque fetch` names).
final class SourceList: SourceFeed, @unchecked Sendable {
    private var pending: ArraySlice<SourceDefinition>
    private let lock = NSLock()

    init(_ sources: [SourceDefinition]) { pending = sources[...] }

    func next() async -> SourceDefinition? { lock.withLock { pending.popFirst() } }
}

/// Due sources leased from a store shared by several instances, a few at a time: each instance
/// takes about as many as it can fetch at once, so that the instances divide a cycle between them
/// instead of the first one taking it all. A lease ends when the attempt is recorded, or expires
/// (`fetch.lease`) if this instance dies, and another instance then takes the source.
actor LeasedSources: SourceFeed {
    private let store: any SourceLeasing
    private let owner: String
    private let sources: [String: SourceDefinition]
    private let chunk: Int
    private let perHost: Int
    private let duration: TimeInterval
    private let logger: Logger
    private var buffer: [SourceDefinition] = []
    private var exhausted = false
    /// Leased this cycle and perhaps not recorded yet: renewed until recorded (see `keepLeases`).
    private var held: Set<String> = []

    init(store: any SourceLeasing, owner: String, configuration: PortalConfiguration, logger: Logger) {
        self.store = store
        self.owner = owner
        self.sources = Dictionary(configuration.catalog.sources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.chunk = max(1, configuration.fetch.concurrency)
        self.perHost = configuration.fetch.perHost
        self.duration = configuration.fetch.lease
        self.logger = logger
    }

    /// Sources already leased to `owner` (`leaseSources`, for `kiosque fetch --all` or `--source`):
    /// handed out in order, renewed by `keepLeases` until recorded, nothing more leased.
    init(store: any SourceLeasing, owner: String, leased: [String], configuration: PortalConfiguration, logger: Logger) {
        self.store = store
        self.owner = owner
        let sources = Dictionary(configuration.catalog.sources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.sources = sources
        self.chunk = max(1, configuration.fetch.concurrency)
        self.perHost = configuration.fetch.perHost
        self.duration = configuration.fetch.lease
        self.logger = logger
        self.buffer = leased.compactMap { sources[$0] }
        self.held = Set(leased.filter { sources[$0] != nil })
        self.exhausted = true
    }

    func next() async -> SourceDefinition? {
        if buffer.isEmpty && !exhausted { await leaseMore() }
        return buffer.isEmpty ? nil : buffer.removeFirst()
    }

    /// Renews this cycle's leases every third of their duration until cancelled: a source fetched
    /// but still waiting for the writer (a slow database, a large cycle) stays this instance's,
    /// while one whose attempt was recorded has no lease left to renew and is dropped from the set.
    func keepLeases() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(max(1, duration / 3))) } catch { return }
            guard !held.isEmpty else { continue }
            let asked = held
            do {
                let kept = try await store.renewSources(owner: owner, sourceIDs: Array(asked), duration: duration, now: Date())
                held.subtract(asked.subtracting(kept))  // sources leased meanwhile stay held
            } catch {
                logger.warning("could not renew source leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func leaseMore() async {
        do {
            let ids = try await store.leaseDueSources(owner: owner, limit: chunk, perHost: perHost, duration: duration, now: Date())
            if ids.isEmpty { exhausted = true; return }
            // A source the store still knows but this instance's configuration no longer has
            // (a reload on another instance first) is given back rather than held until expiry.
            let unknown = ids.filter { sources[$0] == nil }
            if !unknown.isEmpty { try? await store.releaseSources(owner: owner, sourceIDs: unknown) }
            buffer.append(contentsOf: ids.compactMap { sources[$0] })
            held.formUnion(ids.filter { sources[$0] != nil })
        } catch {
            logger.error("could not lease due sources; this cycle stops here", metadata: ["error": "\(error)"])
            exhausted = true
        }
    }
}
