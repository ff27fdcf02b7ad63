// One helper to load fixtures and parse them the way the refresh pipeline will.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

enum Fixture {
    /// The bytes of `Fixtures/<name>`.
    static func data(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                               "missing fixture \(name)")
        return try Data(contentsOf: url)
    }

    /// The document URL fixtures pretend to come from.
    static let documentURL = URL(string: "https://example.org/feeds/news.xml")!

    /// Parses a fixture as if fetched from `documentURL` (or from `url`).
    static func parse(_ name: String, url: URL? = documentURL, charset: String? = nil) throws -> ParsedFeed {
        try FeedParser.parse(try data(name), url: url, httpCharset: charset)
    }

    /// The error a fixture is expected to raise.
    static func failure(_ name: String, url: URL? = documentURL) throws -> FeedParseError? {
        let bytes = try data(name)
        do throws(FeedParseError) {
            _ = try FeedParser.parse(bytes, url: url)
            return nil
        } catch {
            return error
        }
    }

    /// `2025-01-31T08:00:00Z`-style text of a date, for readable expectations.
    static func iso(_ date: Date?) -> String? { date.map(FeedDates.iso8601) }
}

/// Parses inline XML (tiny documents stating one spec rule).
func parseInline(_ xml: String, url: URL? = Fixture.documentURL) throws -> ParsedFeed {
    try FeedParser.parse(Data(xml.utf8), url: url)
}
