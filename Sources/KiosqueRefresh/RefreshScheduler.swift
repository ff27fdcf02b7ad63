public import Foundation
public import KiosqueConfig
public import KiosqueModel
public import KiosqueStoreContract
public import Logging
public import ServiceLifecycle

/// The fetch scheduler inside `kiosque serve`: every few seconds it fetches the sources whose next
/// attempt is due, at most `fetch.concurrency` at once. On shutdown it starts nothing new and lets
/// transfers in flight finish. IT's "fetch now" goes through `fetchNow(_:)`.
public final class RefreshScheduler: Service, Sendable {
    private let pipeline: RefreshPipeline
    private let live: LiveConfiguration
    private var configuration: PortalConfiguration { live.current }
    private let tick: Duration
    private let logger: Logger
    private let manual: AsyncStream<String>
    private let manualContinuation: AsyncStream<String>.Continuation
    private let maintenance: MaintenanceTask
    /// This process's name on the sources it leases (host, process, and a random part for restarts).
    let instance = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UInt32.random(in: 0...UInt32.max))"

    public init(configuration live: LiveConfiguration, pipeline: RefreshPipeline, tick: Duration = .seconds(5),
                logger: Logger = Logger(label: "kiosque.scheduler")) {
        self.live = live
        self.pipeline = pipeline
        self.tick = tick
        self.logger = logger
        (manual, manualContinuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
        self.maintenance = MaintenanceTask(store: pipeline.store, live: live, logger: logger)
    }

    /// Asks for one source to be fetched as soon as possible, whatever its schedule.
    /// Returns false when the id names no configured source.
    @discardableResult
    public func fetchNow(_ sourceID: String) -> Bool {
        guard configuration.catalog.sources.contains(where: { $0.id == sourceID }) else { return false }
        manualContinuation.yield(sourceID)
        return true
    }

    public func run() async throws {
        logger.info("fetch scheduler started", metadata: ["sources": "\(configuration.catalog.sources.count)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeManualRequests() }
            group.addTask { await self.maintenance.run() }
            group.addTask { await self.runCycles() }
            await group.next()
            group.cancelAll()
        }
        manualContinuation.finish()
        logger.info("fetch scheduler stopped")
    }

    private func runCycles() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runDueSources(now: Date())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.tick) }
            } catch {
                return
            }
        }
    }

    private func consumeManualRequests() async {
        await withGracefulShutdownHandler {
            for await id in manual {
                guard let source = configuration.catalog.sources.first(where: { $0.id == id }) else { continue }
                let (attempt, _) = await pipeline.refresh(source)
                logger.info("manual fetch", metadata: ["source": "\(id)", "outcome": "\(RefreshReport.line(for: attempt))"])
            }
        } onGracefulShutdown: {
            self.manualContinuation.finish()
        }
    }

    /// One pass: every due source, bounded concurrency. Public for `kiosque fetch` and tests.
    /// On a store shared by several instances the due sources are leased a few at a time, so each
    /// is fetched by one instance only.
    public func runDueSources(now: Date) async {
        let configuration = self.configuration
        if let shared = pipeline.store as? any SourceLeasing {
            let feed = LeasedSources(store: shared, owner: instance, configuration: configuration, logger: logger)
            let renewal = Task { await feed.keepLeases() }
            await RefreshCycle(pipeline: pipeline, width: configuration.fetch.concurrency).run(from: feed) { _ in }
            renewal.cancel()
            return
        }
        let due = await Self.dueSources(configuration.catalog.sources, store: pipeline.store, now: now)
        await Self.refreshAll(due, pipeline: pipeline, width: configuration.fetch.concurrency) { _ in }
    }

    /// What `kiosque fetch` fetches.
    public enum FetchSelection: Sendable, Hashable {
        /// The due sources.
        case due
        /// Every source, due or not.
        case all
        /// These sources, due or not.
        case sources([String])
    }

    /// `kiosque fetch`: one pass over `selection`, run by hand, perhaps beside running instances.
    /// On a store shared by several instances (PostgreSQL) it leases like `kiosque serve`: the due
    /// sources a few at a time, named ones (`--all`, `--source`) all at once, so that it never
    /// fetches a source another instance holds; those are returned as `held` and left alone.
    /// `report` sees each attempt once it is recorded. Throws when the store cannot lease.
    public static func fetchOnce(_ selection: FetchSelection, configuration: PortalConfiguration, pipeline: RefreshPipeline,
                                 logger: Logger, report: @escaping @Sendable (FetchAttempt) async -> Void) async throws -> (fetched: Int, held: [String]) {
        let catalog = configuration.catalog.sources
        let counter = AttemptCounter()
        let counting: @Sendable (FetchAttempt) async -> Void = { attempt in
            await counter.add()
            await report(attempt)
        }
        let cycle = RefreshCycle(pipeline: pipeline, width: configuration.fetch.concurrency)
        guard let shared = pipeline.store as? any SourceLeasing else {
            let selected: [SourceDefinition]
            switch selection {
            case .due: selected = await dueSources(catalog, store: pipeline.store, now: Date())
            case .all: selected = catalog
            case .sources(let ids): selected = catalog.filter { ids.contains($0.id) }
            }
            await cycle.run(selected, report: counting)
            return (await counter.count, [])
        }
        let owner = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/fetch-\(UInt32.random(in: 0...UInt32.max))"
        func run(_ feed: LeasedSources) async {
            let renewal = Task { await feed.keepLeases() }
            await cycle.run(from: feed, report: counting)
            renewal.cancel()
        }
        switch selection {
        case .due:
            // Passes until one fetches nothing: `fetch.per_host` may stop a pass while this pass's
            // own leases fill a host, and the sources it left are still due once those are recorded.
            var before = -1
            while await counter.count != before {
                before = await counter.count
                await run(LeasedSources(store: shared, owner: owner, configuration: configuration, logger: logger))
            }
            return (await counter.count, [])
        case .all, .sources:
            let wanted: [String]
            if case .sources(let ids) = selection { wanted = catalog.map(\.id).filter { ids.contains($0) } } else { wanted = catalog.map(\.id) }
            let leased = try await shared.leaseSources(owner: owner, sourceIDs: wanted, duration: configuration.fetch.lease, now: Date())
            await run(LeasedSources(store: shared, owner: owner, leased: leased, configuration: configuration, logger: logger))
            return (await counter.count, wanted.filter { !leased.contains($0) })
        }
    }

    /// The sources whose next attempt is due (never-fetched sources first).
    public static func dueSources(_ sources: [SourceDefinition], store: any PortalStore, now: Date) async -> [SourceDefinition] {
        let health = (try? await store.allHealth()) ?? []
        let nextByID = Dictionary(health.map { ($0.sourceID, $0.nextAttemptAt) }, uniquingKeysWith: { a, _ in a })
        return sources.filter { source in
            guard let next = nextByID[source.id] ?? nil else { return true }
            return next <= now
        }
    }

    /// Refreshes sources with at most `width` transfers at once, parsing and sanitizing on every
    /// core and storing in grouped batches (see `RefreshCycle`); `report` sees each attempt once it
    /// is recorded. One source's failure never stops the others.
    public static func refreshAll(_ sources: [SourceDefinition], pipeline: RefreshPipeline, width: Int,
                                  report: @Sendable (FetchAttempt) async -> Void) async {
        await RefreshCycle(pipeline: pipeline, width: width).run(sources, report: report)
    }
}

/// Counts the attempts of a pass reported from concurrent fetches.
private actor AttemptCounter {
    private(set) var count = 0
    func add() { count += 1 }
}

/// Retention and database upkeep: hourly retention, a daily optimize.
struct MaintenanceTask: Sendable {
    let store: any PortalStore
    let live: LiveConfiguration
    let logger: Logger

    func run() async {
        var lastOptimize = Date.distantPast
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let retention = live.current.retention
            do {
                let report = try await store.applyRetention(days: retention.days, maxItemsPerSource: retention.maxItemsPerSource, now: Date())
                logger.debug("retention applied", metadata: ["report": "\(report)"])
                _ = try await store.purgeExpiredSessions()
                // Personal data (access and reading activity) is kept only as long as configured; aggregates stay.
                _ = try await store.purgeActivity(olderThanDays: live.current.retention.activityDays)
                _ = try await store.purgeAnnouncementViews(before: Date().addingTimeInterval(-Double(live.current.retention.activityDays) * 86_400))
                if Date().timeIntervalSince(lastOptimize) > 86_400 {
                    try await store.optimize()
                    lastOptimize = Date()
                }
            } catch {
                logger.error("maintenance failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3_600)) }
            } catch {
                return
            }
        }
    }
}

/// The one-line summaries `kiosque fetch` prints, from a source's attempt.
public enum RefreshReport {
    /// e.g. `ok 200 12 new 3 updated 48.2 KB 0.41s` or `failed timeout: …`.
    public static func line(for attempt: FetchAttempt) -> String {
        let seconds = String(format: "%.2fs", attempt.duration)
        let size = ByteCountFormatter.string(fromByteCount: attempt.bytes, countStyle: .file)
        guard attempt.succeeded else {
            var line = "FAILED \(attempt.errorClass?.rawValue ?? "error")"
            if let status = attempt.httpStatus { line += " (HTTP \(status))" }
            line += ": \(attempt.errorMessage ?? "unknown error")"
            if !attempt.discoveredFeeds.isEmpty { line += " — advertised feeds: \(attempt.discoveredFeeds.joined(separator: " "))" }
            return line + " [\(seconds)]"
        }
        var line = attempt.notModified ? "ok unchanged" : "ok \(attempt.newItems) new, \(attempt.updatedItems) updated"
        if let status = attempt.httpStatus { line += " (HTTP \(status), \(size))" }
        line += " [\(seconds)]"
        if let moved = attempt.permanentRedirect { line += " — moved permanently to \(moved): update channels.yml" }
        if !attempt.warnings.isEmpty { line += " — \(attempt.warnings.count) warning(s): \(attempt.warnings[0])" }
        return line
    }
}
