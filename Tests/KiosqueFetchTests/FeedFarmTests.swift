import Foundation
import KiosqueFetch
import KiosqueTestServer
import Testing

@Suite("Feed farm (benchmark support) through the real engine")
struct FeedFarmTests {
    @Test func secondCycleIsAll304UntilTheFarmPublishes() async throws {
        let farm = FeedFarm(latency: 0.01, itemsPerFeed: 5)
        let server = try farm.start()
        let engine = HTTPEngine(settings: Support.settings(concurrency: 4, perHost: 4))
        let sources = (0..<12).map { FetchRequest(sourceID: "s\($0)", url: farm.url($0, on: server)) }

        let first = await cycle(engine, sources)
        #expect(first.count == 12 && first.allSatisfy { $0.status == 200 })
        #expect(first[0].contentType == "application/rss+xml" && first[1].contentType == "application/atom+xml")
        #expect(String(decoding: first[3].body, as: UTF8.self).contains("<entry>"))

        let validated = zip(sources, first).map { source, response in
            FetchRequest(sourceID: source.sourceID, url: source.url, etag: response.etag, lastModified: response.lastModified)
        }
        let second = await cycle(engine, validated)
        #expect(second.count == 12 && second.allSatisfy { $0.notModified })
        let firstBytes = first.reduce(0) { $0 + $1.bytesDownloaded }
        let secondBytes = second.reduce(0) { $0 + $1.bytesDownloaded }
        #expect(secondBytes * 5 < firstBytes)

        farm.publish()
        let third = await cycle(engine, validated)
        #expect(third.allSatisfy { $0.status == 200 && $0.etag != first[0].etag })
        #expect(server.stats.connectionsAccepted <= 4)
    }

    @Test func unknownFeedPathsAre404() async throws {
        let farm = FeedFarm(latency: 0)
        let server = try farm.start()
        let failure = await HTTPEngine(settings: Support.settings()).fetch(
            FetchRequest(sourceID: "x", url: server.url("/feeds/minus.xml"))).failure
        #expect(failure?.httpStatus == 404)
    }

    /// Fetches every source concurrently and returns the responses in source order.
    private func cycle(_ engine: HTTPEngine, _ sources: [FetchRequest]) async -> [FetchResponse] {
        await withTaskGroup(of: (Int, FetchResponse?).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, await engine.fetch(source).value) }
            }
            var responses = [FetchResponse?](repeating: nil, count: sources.count)
            for await (index, response) in group { responses[index] = response }
            return responses.compactMap { $0 }
        }
    }
}
