public import Foundation

/// Dividing the fetch work between several instances that share one store (PostgreSQL). Not part
/// of `PortalStore`: the embedded store serves one instance, which simply fetches every due source.
public protocol SourceLeasing: Sendable {
    /// Hands `owner` up to `limit` due sources (never fetched, or whose next attempt time has come),
    /// chosen earliest due first, for `duration`: no other owner gets them until the lease ends or an
    /// attempt is recorded for them. At most `perHost` sources of one host are leased at once, all
    /// owners together, so that a site's politeness limit is the portal's and not each instance's.
    /// Returns the sources' configuration identifiers.
    func leaseDueSources(owner: String, limit: Int, perHost: Int, duration: TimeInterval, now: Date) async throws(StoreError) -> [String]
    /// Hands `owner` these sources, due or not (`kiosque fetch --all` or `--source`), for `duration`,
    /// except those another owner's live lease holds (another instance is fetching them) and those
    /// the store does not know; returns the sources leased.
    func leaseSources(owner: String, sourceIDs: [String], duration: TimeInterval, now: Date) async throws(StoreError) -> [String]
    /// Extends `owner`'s leases on these sources to `now + duration`, so that a long cycle keeps the
    /// sources it has not recorded yet; returns those `owner` still holds (a recorded attempt ends a lease).
    func renewSources(owner: String, sourceIDs: [String], duration: TimeInterval, now: Date) async throws(StoreError) -> [String]
    /// Gives back leased sources that `owner` will not fetch after all (shutdown, removed from the
    /// configuration); their next due time alone decides again.
    func releaseSources(owner: String, sourceIDs: [String]) async throws(StoreError)
}
