import Foundation
@testable import KiosqueFetch
import KiosqueModel
import Testing

/// A deterministic generator (SplitMix64) for jitter tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Pure protocol logic: policy, dates, validators, classification")
struct PolicyTests {
    struct DelayCase: Sendable, CustomTestStringConvertible {
        let name: String
        let outcome: FetchOutcome
        let failures: Int
        var retryAfter: TimeInterval?
        var ttl: TimeInterval?
        let expected: TimeInterval
        var testDescription: String { name }
    }

    // Interval 15 min, ceiling 6 h, imposed delays capped at 24 h.
    static let delays: [DelayCase] = [
        DelayCase(name: "success uses the interval", outcome: .success, failures: 0, expected: 900),
        DelayCase(name: "first failure waits one interval", outcome: .failure(.timeout), failures: 1, expected: 900),
        DelayCase(name: "second failure doubles", outcome: .failure(.connect), failures: 2, expected: 1800),
        DelayCase(name: "fourth failure is 8×", outcome: .failure(.dns), failures: 4, expected: 7200),
        DelayCase(name: "backoff stops at the ceiling", outcome: .failure(.http5xx), failures: 7, expected: 21600),
        DelayCase(name: "huge failure counts do not overflow", outcome: .failure(.http5xx), failures: 10_000, expected: 21600),
        DelayCase(name: "Retry-After beyond the backoff wins", outcome: .failure(.rateLimited), failures: 1,
                  retryAfter: 3600, expected: 3600),
        DelayCase(name: "Retry-After shorter than the backoff is ignored", outcome: .failure(.http5xx), failures: 3,
                  retryAfter: 60, expected: 3600),
        DelayCase(name: "absurd Retry-After is capped at 24 h", outcome: .failure(.rateLimited), failures: 1,
                  retryAfter: 9_999_999, expected: 86400),
        DelayCase(name: "feed ttl above the interval slows us down", outcome: .success, failures: 0, ttl: 3600, expected: 3600),
        DelayCase(name: "feed ttl below the interval never speeds us up", outcome: .success, failures: 0, ttl: 60, expected: 900),
    ]

    @Test(arguments: delays)
    func baseDelay(_ row: DelayCase) {
        let policy = FetchPolicy(interval: 900)
        #expect(policy.baseDelay(outcome: row.outcome, consecutiveFailures: row.failures,
                                 retryAfter: row.retryAfter, feedTTL: row.ttl) == row.expected)
    }

    @Test(arguments: [(-1.0, 810.0), (0.0, 900.0), (1.0, 990.0), (5.0, 990.0)])
    func jitterMovesTheIntervalBothWays(unit: Double, expected: TimeInterval) {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let next = FetchPolicy(interval: 900, jitter: 0.1).nextAttempt(after: now, outcome: .success,
                                                                        consecutiveFailures: 0, jitterUnit: unit)
        #expect(next.timeIntervalSince(now) == expected)
    }

    @Test func jitterNeverComesBeforeRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let next = FetchPolicy(interval: 60, jitter: 0.5).nextAttempt(
            after: now, outcome: .failure(.rateLimited), consecutiveFailures: 1, retryAfter: 600, jitterUnit: -1)
        #expect(next.timeIntervalSince(now) == 600)
    }

    @Test func seededJitterIsDeterministicAndBounded() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let policy = FetchPolicy(interval: 1000, jitter: 0.2)
        var first = SeededGenerator(state: 42), second = SeededGenerator(state: 42)
        var draws: Set<TimeInterval> = []
        for _ in 0..<50 {
            let a = policy.nextAttempt(after: now, outcome: .success, consecutiveFailures: 0, using: &first)
            let b = policy.nextAttempt(after: now, outcome: .success, consecutiveFailures: 0, using: &second)
            #expect(a == b)
            #expect((800...1200).contains(a.timeIntervalSince(now)))
            draws.insert(a.timeIntervalSince(now))
        }
        #expect(draws.count > 40) // jitter really spreads sources out
    }

    static let retryAfterRows: [(String, TimeInterval?)] = [
        ("120", 120), (" 0 ", 0), ("Sun, 06 Nov 1994 08:50:37 GMT", 60), ("Sunday, 06-Nov-94 08:50:37 GMT", 60),
        ("Sun Nov  6 08:50:37 1994", 60), ("Sun, 06 Nov 1994 08:40:37 GMT", 0), ("-5", nil), ("soon", nil), ("", nil),
        ("1.5", nil), ("99999999999999999999999", TimeInterval(Int.max)),
    ]

    @Test(arguments: retryAfterRows)
    func retryAfterParsing(value: String, expected: TimeInterval?) {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse(value, now: now) == expected)
    }

    static let dateRows: [(String, TimeInterval?)] = [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
        ("Sun Nov  6 08:49:37 1994", 784_111_777),
        ("sun, 06 nov 1994 08:49:37 gmt", 784_111_777),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Tue, 01-Jan-30 00:00:00 GMT", 1_893_456_000),
        ("Sun, 31 Feb 1994 08:49:37 GMT", nil),
        ("Sun, 06 Nov 1994 25:49:37 GMT", nil),
        ("Sun, 06 Nov 1994 08:49:37 CET", nil),
        ("Sun, 06 Foo 1994 08:49:37 GMT", nil),
        ("2025-03-03T18:30:00Z", nil),
        ("", nil),
    ]

    @Test(arguments: dateRows)
    func httpDates(text: String, expected: TimeInterval?) {
        #expect(HTTPDate.parse(text)?.timeIntervalSince1970 == expected)
    }

    static let conditionalRows: [(String?, String?, [HeaderField])] = [
        (nil, nil, []),
        ("\"abc\"", nil, [HeaderField("If-None-Match", "\"abc\"")]),
        ("W/\"abc\"", "Mon, 03 Mar 2025 18:30:00 GMT",
         [HeaderField("If-None-Match", "W/\"abc\""), HeaderField("If-Modified-Since", "Mon, 03 Mar 2025 18:30:00 GMT")]),
        (nil, "Mon, 03 Mar 2025 18:30:00 GMT", [HeaderField("If-Modified-Since", "Mon, 03 Mar 2025 18:30:00 GMT")]),
        ("  ", " ", []),
        ("\"a\"\r\nX-Evil: 1", "ok", [HeaderField("If-Modified-Since", "ok")]),
    ]

    @Test(arguments: conditionalRows)
    func conditionalGetHeaders(etag: String?, lastModified: String?, expected: [HeaderField]) {
        #expect(ConditionalGet(etag: etag, lastModified: lastModified).headers == expected)
    }

    // CURLcode values from curl.h (7.88).
    static let curlRows: [(Int, Bool, FetchErrorClass)] = [
        (6, false, .dns), (5, false, .dns), (7, false, .connect), (52, false, .connect), (56, false, .connect),
        (28, false, .timeout), (35, false, .tls), (60, false, .tls), (58, false, .tls), (63, false, .tooLarge),
        (23, true, .tooLarge), (47, false, .redirect), (1, false, .other), (61, false, .other), (99_999, false, .other),
    ]

    @Test(arguments: curlRows)
    func curlCodesAreClassified(code: Int, exceeded: Bool, expected: FetchErrorClass) {
        let failure = FailureClassifier.transportFailure(code: code, detail: "detail\nline", exceededLimit: exceeded,
                                                          settings: FetchSettings())
        #expect(failure.errorClass == expected)
        #expect(!failure.message.contains("\n"))
    }

    static let statusRows: [(Int, FetchErrorClass?)] = [
        (200, nil), (204, nil), (304, nil), (0, nil), (301, .redirect), (400, .http4xx), (401, .credentials),
        (403, .http4xx), (404, .http4xx), (407, .credentials), (410, .http4xx), (429, .rateLimited),
        (500, .http5xx), (503, .http5xx), (599, .http5xx), (199, .other), (600, .other),
    ]

    @Test(arguments: statusRows)
    func httpStatusesAreClassified(status: Int, expected: FetchErrorClass?) {
        let failure = FailureClassifier.httpFailure(status: status, retryAfter: nil)
        #expect(failure?.errorClass == expected)
        if let failure { #expect(failure.httpStatus == status) }
    }

    static let contentTypeRows: [(String?, String?, String?)] = [
        ("application/rss+xml", "application/rss+xml", nil),
        ("Application/RSS+XML; Charset=\"UTF-8\"", "application/rss+xml", "utf-8"),
        ("text/xml;charset=iso-8859-1;q=1", "text/xml", "iso-8859-1"),
        ("; charset=utf-8", nil, "utf-8"),
        (nil, nil, nil),
    ]

    @Test(arguments: contentTypeRows)
    func contentTypeIsSplit(value: String?, type: String?, charset: String?) {
        let split = Transfer.splitContentType(value)
        #expect(split.type == type && split.charset == charset)
    }

    @Test func repeatedHeadersAreJoinedAndNamesLowercased() {
        let headers = Transfer.headerDictionary(["HTTP/1.1 200 OK", "ETag: \"x\"", "Vary: Accept", "vary: Cookie", "junk"])
        #expect(headers == ["etag": "\"x\"", "vary": "Accept, Cookie"])
    }
}

@Suite("URL text helpers")
struct URLTextTests {
    @Test(arguments: [("http://a/", "http"), ("HTTPS://a/", "https"), ("file:///tmp/x", "file"),
                      ("http://mairie-évry.fr/flux", "http"), ("ftp://a", "ftp"), ("//a:80/x", nil), ("not a url", nil),
                      (":x", nil), ("1http://a", nil)] as [(String, String?)])
    func scheme(url: String, expected: String?) {
        #expect(URLText.scheme(of: url) == expected)
    }

    @Test(arguments: [("http://user:secret@host/feed?a=b@c", "http://host/feed?a=b@c"), ("http://host/x@y", "http://host/x@y"),
                      ("https://a:b@c:8443", "https://c:8443"), ("file:///tmp/a@b", "file:///tmp/a@b"), ("no scheme", "no scheme")])
    func redaction(url: String, expected: String) {
        #expect(URLText.redacted(url) == expected)
    }
}
