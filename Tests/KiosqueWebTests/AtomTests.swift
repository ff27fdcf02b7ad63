import Foundation
import HummingbirdTesting
import KiosqueParse
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// Atom out is read back by our own parser and by Python's feedparser (Debian's python3-feedparser).
@Suite("Atom output")
struct AtomTests {
    @Test(arguments: StoreBackends.all) func channelFeedParsesBackWithOurParserAndFeedparser(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let body = try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/canaux/securite.atom", method: .get)
            #expect(response.status == .ok)
            return Data(buffer: response.body)
        }
        let feed = try FeedParser.parse(body, url: URL(string: "http://localhost:8080/canaux/securite.atom"))
        #expect(feed.format == .atom10)
        #expect(feed.title == "Sécurité")
        #expect(feed.warnings.isEmpty, "\(feed.warnings)")
        #expect(feed.items.map(\.title) == ["Faille critique dans un pare-feu", "Bulletin <hebdomadaire> & \"sécurité\""])
        #expect(feed.items.first?.link == "https://cert.example.org/a1")

        let file = NSTemporaryDirectory() + "kiosque-atom-\(UUID().uuidString).xml"
        try body.write(to: URL(fileURLWithPath: file))
        let script = """
        import json, sys, feedparser
        d = feedparser.parse(sys.argv[1])
        print(json.dumps({"bozo": d.bozo, "version": d.version, "titles": [e.title for e in d.entries],
                          "links": [e.link for e in d.entries]}))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")  // Debian's, where python3-feedparser lives
        process.arguments = ["-c", script, file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "feedparser is required (make test installs python3-feedparser)")
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["bozo"] as? Int == 0 || result["bozo"] as? Bool == false, "feedparser found the feed malformed")
        #expect(result["version"] as? String == "atom10")
        #expect((result["titles"] as? [String])?.contains("Bulletin <hebdomadaire> & \"sécurité\"") == true)
    }
}
