public import Foundation
public import KiosqueModel

/// Running the portal: fetch health, retention, maintenance, backup, activity, sign-in log, statistics.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol OperationsStore: Sendable {
    /// Appends an access/activity event (personal data: purged after the configured delay).
    func logActivity(action: String, userID: Int64?, detail: String?, address: String?, at date: Date) async throws(StoreError)
    /// Rolls events older than `days` up into anonymous daily counts, then deletes them; returns rows purged.
    @discardableResult
    func purgeActivity(olderThanDays days: Int, now: Date) async throws(StoreError) -> Int
    /// Daily counts (from the live log and the rolled-up history) since `since`, oldest first.
    func dailyActivity(since: Date) async throws(StoreError) -> [DailyActivity]
    /// Stores one fetch attempt and updates the source's health (failure streak, last success, next attempt).
    func recordAttempt(_ attempt: FetchAttempt, nextAttemptAt: Date?) async throws(StoreError)
    /// Stores a fetch cycle's attempts and health in one transaction; an attempt of a source the
    /// store does not know (removed meanwhile) is skipped, not fatal: its id is returned.
    func recordAttempts(_ attempts: [(attempt: FetchAttempt, nextAttemptAt: Date?)]) async throws(StoreError) -> [String]
    /// A source's health; nil for an unknown source, an empty health for one never fetched.
    func health(sourceID: String) async throws(StoreError) -> SourceHealth?
    /// The health of every live source, by source id.
    func allHealth() async throws(StoreError) -> [SourceHealth]
    /// A source's latest attempts, newest first.
    func recentAttempts(sourceID: String, limit: Int) async throws(StoreError) -> [FetchAttempt]
    /// Keeps the latest `keep` attempts of each source, deleting older history; returns rows deleted.
    @discardableResult
    func pruneAttempts(keep: Int) async throws(StoreError) -> Int
    /// Deletes items older than `days` and beyond the newest `maxItemsPerSource` of each source,
    /// never a starred item nor a departmental document's item (sources `service:<department>`:
    /// documents are the town's own records, kept until an editor or IT removes them; dates are
    /// scanned in the dense item_keys, oldest ids first, not in the wide items rows). Works in
    /// small transactions so readers and the fetcher are never blocked for long; returns how many
    /// items were deleted.
    @discardableResult
    func applyRetention(days: Int?, maxItemsPerSource: Int?, now: Date) async throws(StoreError) -> Int
    /// Routine upkeep, to run daily off-peak: merges the full-text index into one segment
    /// (about 6 s at a million items on the benchmark machine, holding the writer; searches get
    /// ~15 % faster), or with `fullMerge: false` merges in small steps for at most `budget`
    /// seconds so the fetcher can write in between; then refreshes planner statistics, gives
    /// free pages back when more than a tenth of the file is free, and truncates the WAL.
    @discardableResult
    func optimize(fullMerge: Bool, budget: TimeInterval) async throws(StoreError) -> OptimizeReport
    /// Writes a consistent snapshot of the live database to a new file (SQLite online backup);
    /// refuses to overwrite an existing file.
    func backup(to destination: String) async throws(StoreError)
    /// Bytes used by the database file and its WAL.
    func sizeOnDisk() -> Int64
    /// Counts of the main tables, for `kiosque` status output and tests.
    func counts() async throws(StoreError) -> [String: Int]
    /// Appends a sign-in attempt to the audit log.
    func recordSignIn(_ event: SignInEvent) async throws(StoreError)
    /// The latest sign-in attempts, newest first; only failures when `failuresOnly`.
    func signIns(limit: Int, failuresOnly: Bool) async throws(StoreError) -> [SignInEvent]
    /// Per-channel items, subscribers and reads, most read first.
    func channelStatistics() async throws(StoreError) -> [ChannelStatistics]
    /// Items per day (by their date) since `since`, oldest first.
    func itemsPerDay(since: Date) async throws(StoreError) -> [DailyCount]
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension OperationsStore {
    /// `logActivity` with detail = nil.
    public func logActivity(action: String, userID: Int64?, address: String?, at date: Date) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: nil, address: address, at: date)
    }
    /// `logActivity` with address = nil.
    public func logActivity(action: String, userID: Int64?, detail: String?, at date: Date) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: detail, address: nil, at: date)
    }
    /// `logActivity` with at = Date().
    public func logActivity(action: String, userID: Int64?, detail: String?, address: String?) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: detail, address: address, at: Date())
    }
    /// `logActivity` with detail = nil, address = nil.
    public func logActivity(action: String, userID: Int64?, at date: Date) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: nil, address: nil, at: date)
    }
    /// `logActivity` with detail = nil, at = Date().
    public func logActivity(action: String, userID: Int64?, address: String?) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: nil, address: address, at: Date())
    }
    /// `logActivity` with address = nil, at = Date().
    public func logActivity(action: String, userID: Int64?, detail: String?) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: detail, address: nil, at: Date())
    }
    /// `logActivity` with detail = nil, address = nil, at = Date().
    public func logActivity(action: String, userID: Int64?) async throws(StoreError) {
        try await logActivity(action: action, userID: userID, detail: nil, address: nil, at: Date())
    }
    /// `purgeActivity` with now = Date().
    @discardableResult
    public func purgeActivity(olderThanDays days: Int) async throws(StoreError) -> Int {
        try await purgeActivity(olderThanDays: days, now: Date())
    }
    /// `recentAttempts` with limit = 20.
    public func recentAttempts(sourceID: String) async throws(StoreError) -> [FetchAttempt] {
        try await recentAttempts(sourceID: sourceID, limit: 20)
    }
    /// `pruneAttempts` with keep = 200.
    @discardableResult
    public func pruneAttempts() async throws(StoreError) -> Int {
        try await pruneAttempts(keep: 200)
    }
    /// `applyRetention` with now = Date().
    @discardableResult
    public func applyRetention(days: Int?, maxItemsPerSource: Int?) async throws(StoreError) -> Int {
        try await applyRetention(days: days, maxItemsPerSource: maxItemsPerSource, now: Date())
    }
    /// `optimize` with fullMerge = true.
    @discardableResult
    public func optimize(budget: TimeInterval) async throws(StoreError) -> OptimizeReport {
        try await optimize(fullMerge: true, budget: budget)
    }
    /// `optimize` with budget = 20.
    @discardableResult
    public func optimize(fullMerge: Bool) async throws(StoreError) -> OptimizeReport {
        try await optimize(fullMerge: fullMerge, budget: 20)
    }
    /// `optimize` with fullMerge = true, budget = 20.
    @discardableResult
    public func optimize() async throws(StoreError) -> OptimizeReport {
        try await optimize(fullMerge: true, budget: 20)
    }
    /// `signIns` with limit = 200.
    public func signIns(failuresOnly: Bool) async throws(StoreError) -> [SignInEvent] {
        try await signIns(limit: 200, failuresOnly: failuresOnly)
    }
    /// `signIns` with failuresOnly = false.
    public func signIns(limit: Int) async throws(StoreError) -> [SignInEvent] {
        try await signIns(limit: limit, failuresOnly: false)
    }
    /// `signIns` with limit = 200, failuresOnly = false.
    public func signIns() async throws(StoreError) -> [SignInEvent] {
        try await signIns(limit: 200, failuresOnly: false)
    }
}
