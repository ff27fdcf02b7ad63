import Foundation
import KiosqueModel
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

@Suite(.postgres)
struct FetchLeaseTests {
    static func catalog(sources count: Int) -> Catalog {
        let sources = (0..<count).map { SourceDefinition(id: "s\($0)", url: "http://127.0.0.1:9/feed\($0).xml", title: "Source \($0)") }
        return Catalog(sources: sources, channels: [ChannelDefinition(id: "all", title: "Tout", sources: sources.map(\.id))],
                       bouquets: [BouquetDefinition(id: "b", title: "B", channels: ["all"], isDefault: true)])
    }

    /// Two instances leasing at the same time, repeatedly: no source is ever handed to both, and
    /// together they take every due source.
    @Test func twoConcurrentLeasersNeverGetTheSameSource() async throws {
        let configuration = try await PostgresCluster.freshDatabase(poolSize: 8)
        try await PostgresCluster.withStore(configuration) { store in
            try await store.syncCatalog(Self.catalog(sources: 300), now: Date())
        }
        let now = Date()
        let taken = try await withThrowingTaskGroup(of: [String].self) { group in
            for instance in ["a", "b"] {
                group.addTask {
                    try await PostgresCluster.withStore(configuration, migrate: false) { store in
                        // Small batches in parallel: both instances hit the same rows again and again.
                        try await withThrowingTaskGroup(of: [String].self) { inner in
                            for _ in 0..<4 {
                                inner.addTask {
                                    var mine: [String] = []
                                    while true {
                                        let leases = try await store.leaseDueSources(owner: instance, limit: 7, perHost: .max, duration: 300, now: now)
                                        if leases.isEmpty { return mine }
                                        mine += leases
                                    }
                                }
                            }
                            return try await inner.reduce(into: []) { $0 += $1 }
                        }
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = taken.flatMap { $0 }
        #expect(all.count == 300, "sources leased: \(all.count)")
        #expect(Set(all).count == all.count, "a source was leased twice")
        #expect(taken.allSatisfy { !$0.isEmpty }, "both instances should get work")
    }

    /// `fetch.per_host` is the portal's limit: sources of one host under a live lease count across
    /// every instance, whatever the spelling of the address (case, user info, port).
    @Test func perHostLimitHoldsAcrossInstances() async throws {
        let urls = ["http://A.example/1", "http://a.example:8080/2", "https://user@a.example/3", "http://a.example/4",
                    "http://b.example/1", "http://b.example/2", "http://b.example/3", "http://[::1]:9/v6"]
        let sources = urls.enumerated().map { SourceDefinition(id: "s\($0.offset)", url: $0.element, title: "Source \($0.offset)") }
        let catalog = Catalog(sources: sources, channels: [ChannelDefinition(id: "all", title: "Tout", sources: sources.map(\.id))],
                              bouquets: [BouquetDefinition(id: "b", title: "B", channels: ["all"], isDefault: true)])
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(catalog, now: Date())
            let now = Date()
            let first = try await store.leaseDueSources(owner: "x", limit: 10, perHost: 2, duration: 60, now: now)
            #expect(first == ["s0", "s1", "s4", "s5", "s7"], "two per host, the IPv6 literal its own host")
            let second = try await store.leaseDueSources(owner: "y", limit: 10, perHost: 2, duration: 60, now: now)
            #expect(second.isEmpty, "every host is at its limit: \(second)")
            try await store.releaseSources(owner: "x", sourceIDs: ["s1"])
            let third = try await store.leaseDueSources(owner: "y", limit: 10, perHost: 2, duration: 60, now: now)
            #expect(third.count == 1 && ["s1", "s2", "s3"].contains(third.first ?? ""), "one place freed on a.example: \(third)")
        }
    }

    /// An instance that dies keeps its leases until they expire; then another takes its sources.
    @Test func expiredLeasesAreTakenOver() async throws {
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(Self.catalog(sources: 5), now: Date())
            let start = Date()
            let dead = try await store.leaseDueSources(owner: "dead", limit: 3, perHost: .max, duration: 60, now: start)
            #expect(dead.count == 3)
            let meanwhile = try await store.leaseDueSources(owner: "alive", limit: 10, perHost: .max, duration: 60, now: start.addingTimeInterval(30))
            #expect(Set(meanwhile).isDisjoint(with: dead))
            #expect(meanwhile.count == 2)
            let later = try await store.leaseDueSources(owner: "alive", limit: 10, perHost: .max, duration: 60, now: start.addingTimeInterval(61))
            // The dead instance's three come back; "alive"'s own two are still leased (until +90 s).
            #expect(Set(later) == Set(dead))
        }
    }

    @Test func renewedLeasesAreKeptAndReleasedOnesComeBack() async throws {
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(Self.catalog(sources: 2), now: Date())
            let start = Date()
            let ids = try await store.leaseDueSources(owner: "a", limit: 2, perHost: .max, duration: 60, now: start)
            let kept = try await store.renewSources(owner: "a", sourceIDs: ids, duration: 120, now: start.addingTimeInterval(50))
            #expect(Set(kept) == Set(ids))
            let stolen = try await store.renewSources(owner: "b", sourceIDs: ids, duration: 120, now: start)
            #expect(stolen.isEmpty)
            let during = try await store.leaseDueSources(owner: "b", limit: 2, perHost: .max, duration: 60, now: start.addingTimeInterval(100))
            #expect(during.isEmpty)
            try await store.releaseSources(owner: "a", sourceIDs: [ids[0]])
            let after = try await store.leaseDueSources(owner: "b", limit: 2, perHost: .max, duration: 60, now: start.addingTimeInterval(100))
            #expect(after == [ids[0]])
        }
    }
}
