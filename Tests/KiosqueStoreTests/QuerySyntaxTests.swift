import Foundation
import Testing
@testable import KiosqueStore

/// The search syntax, as a pure value: text in, query or helpful error out.
struct QuerySyntaxTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!

    struct Case: Sendable, CustomStringConvertible {
        var text: String
        var required: [String] = []
        var excluded: [String] = []
        var channels: [String] = []
        var sources: [String] = []
        var since: String?
        var before: String?
        var fts: String?
        var description: String { text }
    }

    static let cases: [Case] = [
        Case(text: "budget", required: ["budget"], fts: "(\"budget\")"),
        Case(text: "conseil municipal", required: ["conseil", "municipal"], fts: "(\"conseil\" AND \"municipal\")"),
        Case(text: "\"conseil municipal\" vote", required: ["conseil municipal", "vote"],
             fts: "(\"conseil municipal\" AND \"vote\")"),
        Case(text: "«conseil municipal»", required: ["conseil municipal"]),
        Case(text: "budget -fonctionnement", required: ["budget"], excluded: ["fonctionnement"],
             fts: "(\"budget\") NOT \"fonctionnement\""),
        Case(text: "budget -\"dette publique\"", required: ["budget"], excluded: ["dette publique"]),
        Case(text: "urbanis* plan", required: ["urbanis", "plan"], fts: "(\"urbanis\" * AND \"plan\")"),
        Case(text: "école canal:education", required: ["école"], channels: ["education"]),
        Case(text: "école channel:education source:mairie", required: ["école"], channels: ["education"], sources: ["mairie"]),
        Case(text: "vote depuis:2025-01-01", required: ["vote"], since: "2025-01-01"),
        Case(text: "vote since:2025-01 before:2025-03-31", required: ["vote"], since: "2025-01-01", before: "2025-03-31"),
        Case(text: "vote avant:2024", required: ["vote"], before: "2024-01-01"),
        Case(text: "canal:conseil", channels: ["conseil"]),
        // Quotes and FTS5 operators typed by agents are only text.
        Case(text: "a\"b OR NEAR(x) AND", required: ["a\"b", "OR", "NEAR(x)", "AND"],
             fts: "(\"a\"\"b\" AND \"OR\" AND \"NEAR(x)\")"),
        Case(text: "covid:19 http://x.fr", required: ["covid:19", "http://x.fr"]),
        Case(text: "  budget   --  … ", required: ["budget"]),
        Case(text: "l'élu", required: ["l'élu"]),
        // Function words are dropped unless quoted or alone.
        Case(text: "fête de la musique", required: ["fête", "de", "la", "musique"], fts: "(\"fête\" AND \"musique\")"),
        Case(text: "\"fête de la musique\"", required: ["fête de la musique"], fts: "(\"fête de la musique\")"),
        Case(text: "de la", required: ["de", "la"], fts: "(\"de\" AND \"la\")"),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) throws {
        let q = try SearchQuery.parse(c.text, timeZone: Self.paris)
        #expect(q.required.map(\.text) == c.required)
        #expect(q.excluded.map(\.text) == c.excluded)
        #expect(q.channels == c.channels)
        #expect(q.sources == c.sources)
        #expect(q.since == c.since.map(Self.date))
        #expect(q.before == c.before.map(Self.date))
        if let fts = c.fts { #expect(q.ftsExpression == fts) }
    }

    static let errors: [(String, SearchQueryError)] = [
        ("", .empty),
        ("   ", .empty),
        ("\"conseil municipal", .unterminatedQuote(position: 0)),
        ("vote \"budget", .unterminatedQuote(position: 5)),
        ("-budget", .onlyExclusions),
        ("vote depuis:hier", .invalidDate(operator: "depuis", value: "hier")),
        ("vote since:2025-02-30", .invalidDate(operator: "since", value: "2025-02-30")),
        ("vote avant:2025-13-01", .invalidDate(operator: "avant", value: "2025-13-01")),
        ("vote canal:", .missingValue(operator: "canal")),
        (Array(repeating: "mot", count: 33).joined(separator: " "), .tooLong(maxTerms: 32, maxCharacters: 1_000)),
        (String(repeating: "a", count: 1_001), .tooLong(maxTerms: 32, maxCharacters: 1_000)),
    ]

    @Test(arguments: errors)
    func refuses(_ pair: (String, SearchQueryError)) {
        #expect(throws: pair.1) { try SearchQuery.parse(pair.0, timeZone: Self.paris) }
        #expect(!pair.1.description.isEmpty)
    }

    @Test func documentHooksParse() throws {
        let q = try SearchQuery.parse("budget service:finances type:Deliberation")
        #expect(q.services == ["finances"])
        #expect(q.types == ["deliberation"])
    }

    static func date(_ text: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = paris
        let p = text.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
    }
}
