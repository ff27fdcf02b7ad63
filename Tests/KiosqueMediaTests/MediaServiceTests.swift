import Foundation
import KiosqueFetch
import KiosqueMedia
import KiosqueTestServer
import Testing

@Suite("Media cache against a real image server on 127.0.0.1", .serialized)
final class MediaServiceTests {
    let server: TestHTTPServer
    let folder: URL

    init() throws {
        server = try MediaFixtures.server()
        folder = try MediaFixtures.temporaryDirectory()
    }

    deinit {
        server.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    private func id(_ service: MediaService, _ path: String) -> String {
        service.signer.id(for: server.url(path))
    }

    @Test("Each format is served re-encoded with its decoded type; thumbnails are small")
    func serves() async throws {
        let service = try MediaFixtures.service(in: folder)
        for (path, type) in [("/a.jpg", "image/jpeg"), ("/b.png", "image/png"), ("/c.gif", "image/png"), ("/d.webp", "image/webp")] {
            guard case .image(let data, let mimeType, let etag) = await service.answer(id: id(service, path), variant: .full) else {
                Issue.record("\(path) not served")
                continue
            }
            #expect(mimeType == type)
            #expect(!data.isEmpty && etag.hasPrefix("\""))
            guard case .image(let small, _, _) = await service.answer(id: id(service, path), variant: .thumbnail) else {
                Issue.record("\(path) thumbnail not served")
                continue
            }
            #expect(small.count < data.count || path == "/c.gif")
        }
    }

    @Test("300 concurrent readers of 3 pictures make 3 upstream requests")
    func singleFlight() async throws {
        let service = try MediaFixtures.service(in: folder)
        let ids = ["/many/1.jpg", "/many/2.jpg", "/slow.jpg"].map { id(service, $0) }
        let served = await withTaskGroup(of: Bool.self) { group -> Int in
            for reader in 0..<300 {
                group.addTask {
                    if case .image = await service.answer(id: ids[reader % 3], variant: reader % 2 == 0 ? .full : .thumbnail) {
                        return true
                    }
                    return false
                }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(served == 300)
        #expect(server.requests.count == 3)
        let statistics = await service.currentStatistics()
        #expect(statistics.upstreamRequests == 3)
        #expect(statistics.hits + statistics.misses == 300)
    }

    @Test("A restart keeps the cache: nothing is fetched again")
    func restart() async throws {
        do {
            let first = try MediaFixtures.service(in: folder)
            guard case .image = await first.answer(id: id(first, "/a.jpg"), variant: .full) else {
                Issue.record("not served")
                return
            }
        }
        let requestsBefore = server.requests.count
        let second = try MediaFixtures.service(in: folder)
        guard case .image = await second.answer(id: id(second, "/a.jpg"), variant: .full) else {
            Issue.record("not served after restart")
            return
        }
        #expect(server.requests.count == requestsBefore)
        #expect(await second.currentStatistics().hits == 1)
    }

    @Test("The budget evicts the least recently used pictures first")
    func eviction() async throws {
        // One picture's size (full + thumbnail), measured in a throw-away cache, sets a budget of about three and a half.
        let probeFolder = try MediaFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: probeFolder) }
        let probe = try MediaFixtures.service(in: probeFolder)
        _ = await probe.answer(id: id(probe, "/unique/0"), variant: .full)
        let one = await probe.cache.totalBytes
        let budget = one * 7 / 2
        let service = try MediaFixtures.service(in: folder, budget: budget)
        for index in 1...8 {
            _ = await service.answer(id: id(service, "/unique/\(index)"), variant: .full)
            // Keep the first picture in use: it must survive.
            _ = await service.answer(id: id(service, "/unique/1"), variant: .full)
        }
        let total = await service.cache.totalBytes
        #expect(total <= budget)
        #expect(await service.cache.objectCount < 16)
        let before = server.requests(path: "/unique/1").count
        guard case .image = await service.answer(id: id(service, "/unique/1"), variant: .full) else {
            Issue.record("recently used picture lost")
            return
        }
        #expect(server.requests(path: "/unique/1").count == before)
        let twoBefore = server.requests(path: "/unique/2").count
        _ = await service.answer(id: id(service, "/unique/2"), variant: .full)
        #expect(server.requests(path: "/unique/2").count == twoBefore + 1, "the oldest picture was evicted and fetched again")
    }

    @Test("Hostile files answer 404, are remembered, and never crash", arguments: [
        "/bomb.png", "/truncated.jpg", "/script.svg", "/photo.jpg", "/polyglot.gif", "/missing.jpg",
    ])
    func hostile(path: String) async throws {
        let service = try MediaFixtures.service(in: folder)
        #expect(await service.answer(id: id(service, path), variant: .full) == .notFound)
        #expect(await service.answer(id: id(service, path), variant: .thumbnail) == .notFound)
        #expect(server.requests(path: path).count == 1, "a refusal is not fetched again")
        #expect(await service.currentStatistics().refusals == 1)
        // Hostile files are remembered on disk, a missing one for a while: pages show their alt text either way.
        #expect(service.cache.isRefusedSnapshot(service.signer.mac(server.url(path))))
    }

    @Test("SSRF at connect time: a name resolving to loopback is refused on the very address libcurl connects to")
    func socketCheck() async throws {
        let url = "http://localhost:\(server.port)/a.jpg"
        let strict = HTTPEngine(settings: MediaFixtures.fetch)
        let refused = await strict.fetch(FetchRequest(sourceID: "t", url: url, addressPolicy: AddressPolicy()))
        strict.shutdown()
        guard case .failure(let failure) = refused else {
            Issue.record("localhost fetched without allow-list")
            return
        }
        #expect(["127.0.0.1", "::1"].contains(failure.refusedAddress ?? ""), "\(failure)")
        #expect(server.requests.isEmpty)
        let allowing = HTTPEngine(settings: MediaFixtures.fetch)
        let allowed = await allowing.fetch(FetchRequest(sourceID: "t", url: url, addressPolicy: AddressPolicy(allowedPrivateHosts: ["LOCALHOST"])))
        allowing.shutdown()
        #expect((try? allowed.get().status) == 200)
    }

    @Test("SSRF through a proxy: the destination is resolved and checked before each hop, the allow-list still applies")
    func proxyCheck() async throws {
        let proxy = try TestForwardProxy(user: nil, password: nil)
        defer { proxy.shutdown() }
        var settings = MediaFixtures.fetch
        settings.proxy = proxy.url
        let engine = HTTPEngine(settings: settings)
        defer { engine.shutdown() }
        let url = "http://localhost:\(server.port)/a.jpg"
        let refused = await engine.fetch(FetchRequest(sourceID: "t", url: url, addressPolicy: AddressPolicy()))
        guard case .failure(let failure) = refused else {
            Issue.record("localhost fetched through the proxy without allow-list")
            return
        }
        #expect(failure.refusedAddress == "127.0.0.1")
        #expect(proxy.tally.forwarded == 0)
        let allowed = await engine.fetch(FetchRequest(sourceID: "t", url: url, addressPolicy: AddressPolicy(allowedPrivateHosts: ["localhost"])))
        #expect((try? allowed.get().status) == 200)
        #expect(proxy.tally.forwarded == 1)
    }

    @Test("A tampered or unsigned id answers 404 without any request")
    func badSignature() async throws {
        let service = try MediaFixtures.service(in: folder)
        let good = id(service, "/a.jpg")
        let other = MediaSigner(key: Data(repeating: 9, count: 32)).id(for: server.url("/a.jpg"))
        for bad in [other, "x" + good, "nothing", "", String(good.prefix(22)) + "." + "aHR0cDovLzEyNy4wLjAuMS9iLnBuZw"] {
            #expect(await service.answer(id: bad, variant: .full) == .notFound)
        }
        #expect(server.requests.isEmpty)
    }

    @Test("SSRF: loopback is refused without the allow-list; redirects to internal addresses are refused with it")
    func ssrf() async throws {
        let strict = try MediaFixtures.service(in: folder, allowLoopback: false)
        #expect(await strict.answer(id: id(strict, "/a.jpg"), variant: .full) == .notFound)
        #expect(server.requests.isEmpty, "no connection reached the loopback server")

        let engine = HTTPEngine(settings: MediaFixtures.fetch)
        let policy = AddressPolicy(allowedPrivateHosts: ["127.0.0.1"])
        for path in ["/to-loopback", "/to-metadata", "/to-localhost"] {
            let result = await engine.fetch(FetchRequest(sourceID: "t", url: server.url(path), addressPolicy: policy))
            guard case .failure(let failure) = result else {
                Issue.record("\(path) followed")
                continue
            }
            let expected: Set<String> = path == "/to-loopback" ? ["127.0.0.2"] : path == "/to-metadata" ? ["169.254.169.254"]
                : ["127.0.0.1", "::1"]  // a name: refused at connect time, on the resolved address
            #expect(expected.contains(failure.refusedAddress ?? ""), "\(path): \(failure)")
        }
        let direct = await engine.fetch(FetchRequest(sourceID: "t", url: server.url("/a.jpg"), addressPolicy: AddressPolicy()))
        guard case .failure(let failure) = direct else {
            Issue.record("loopback fetched without allow-list")
            return
        }
        #expect(failure.refusedAddress == "127.0.0.1")
        let allowed = await engine.fetch(FetchRequest(sourceID: "t", url: server.url("/a.jpg"), addressPolicy: policy))
        #expect((try? allowed.get().status) == 200)
        let file = await engine.fetch(FetchRequest(sourceID: "t", url: "file:///etc/passwd", addressPolicy: policy))
        #expect((try? file.get()) == nil, "guarded requests never read files")
        engine.shutdown()
    }
}
