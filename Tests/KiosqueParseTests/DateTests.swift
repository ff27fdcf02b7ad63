// The date dialects met in real feeds, all normalized to UTC; impossible ones give nil.
import Foundation
import KiosqueParse
import Testing

private let dialects: [(String, String?)] = [
    // RFC 822 / 1123 and variants
    ("Fri, 31 Jan 2025 08:00:00 GMT", "2025-01-31T08:00:00Z"),
    ("Fri, 31 Jan 2025 08:00:00 +0100", "2025-01-31T07:00:00Z"),
    ("Fri, 31 Jan 2025 08:00:00 -05:00", "2025-01-31T13:00:00Z"),
    ("31 Jan 2025 08:00:00 Z", "2025-01-31T08:00:00Z"),
    ("Fri, 31 Jan 2025 08:00 GMT", "2025-01-31T08:00:00Z"),
    ("Fri, 31 Jan 25 08:00:00 GMT", "2025-01-31T08:00:00Z"),
    ("Sun, 31 Dec 99 23:59:59 GMT", "1999-12-31T23:59:59Z"),
    ("Fri, 31 January 2025 08:00:00 GMT", "2025-01-31T08:00:00Z"),
    ("Friday, 31-Jan-2025 08:00:00 UTC", "2025-01-31T08:00:00Z"),
    ("Fri, 1 Aug 2025 8:05:09 EST", "2025-08-01T13:05:09Z"),
    ("Tue, 01 Jul 2025 12:00:00 CEST", "2025-07-01T10:00:00Z"),
    ("Tue, 01 Jul 2025 12:00:00 PDT", "2025-07-01T19:00:00Z"),
    ("Tue, 07 Jan 2025 12:00:00 CET", "2025-01-07T11:00:00Z"),
    ("Fri Jan 31 08:00:00 UTC 2025", "2025-01-31T08:00:00Z"),
    ("Jan 31, 2025 8:00 PM", "2025-01-31T20:00:00Z"),
    ("Fri, 31 Jan 2025 08:00:00", "2025-01-31T08:00:00Z"),
    ("Fri, 31 Jan 2025", "2025-01-31T00:00:00Z"),
    ("Mon, 06 Jan 2025 14:30:00 GMT+1", "2025-01-06T13:30:00Z"),
    // French day and month names
    ("lun., 06 janv. 2025 14:30:00 +0100", "2025-01-06T13:30:00Z"),
    ("Mercredi, 12 février 2025 09:05:00 CET", "2025-02-12T08:05:00Z"),
    ("mar., 04 mars 2025 07:00:00 +0100", "2025-03-04T06:00:00Z"),
    ("Mar, 04 Mar 2025 07:00:00 GMT", "2025-03-04T07:00:00Z"),
    ("jeu. 25 déc. 2025 00:00:00 GMT", "2025-12-25T00:00:00Z"),
    ("ven, 15 août 2025 18:00 CEST", "2025-08-15T16:00:00Z"),
    ("15 aout 2025", "2025-08-15T00:00:00Z"),
    ("1 juillet 2025 10:00", "2025-07-01T10:00:00Z"),
    // ISO 8601 / RFC 3339
    ("2025-01-31T08:00:00Z", "2025-01-31T08:00:00Z"),
    ("2025-01-31T08:00:00.123456Z", "2025-01-31T08:00:00Z"),
    ("2025-01-31T08:00:00+01:00", "2025-01-31T07:00:00Z"),
    ("2025-01-31T08:00:00-0230", "2025-01-31T10:30:00Z"),
    ("2025-01-31T08:00+01", "2025-01-31T07:00:00Z"),
    ("2025-01-31 08:00:00", "2025-01-31T08:00:00Z"),
    ("2025-01-31t08:00:00z", "2025-01-31T08:00:00Z"),
    ("2025-01-31", "2025-01-31T00:00:00Z"),
    ("20250131T080000Z", "2025-01-31T08:00:00Z"),
    ("  2024-02-29T12:00:00Z \n", "2024-02-29T12:00:00Z"),
    // JavaScript's Date.toString(), RFC 822 comments, IANA zone names
    ("Mon Jan 13 2025 10:00:00 GMT+0100 (Central European Standard Time)", "2025-01-13T09:00:00Z"),
    ("Mon, 13 Jan 2025 10:00:00 +0000 (UTC)", "2025-01-13T10:00:00Z"),
    ("Mon, 13 Jan 2025 10:00:00 Europe/Paris", "2025-01-13T09:00:00Z"),
    ("Tue, 01 Jul 2025 12:00:00 Europe/Paris", "2025-07-01T10:00:00Z"),
    ("2025-01-13 10:00:00 America/New_York", "2025-01-13T15:00:00Z"),
    ("Mon, 13 Jan 2025 10:00:00 Nowhere/Special", nil),
    // All-numeric dates: year first, European dotted, slashed only when unambiguous
    ("2025/01/13 10:00:00", "2025-01-13T10:00:00Z"),
    ("2025.01.13", "2025-01-13T00:00:00Z"),
    ("13.01.2025 10:00", "2025-01-13T10:00:00Z"),
    ("13/01/2025 10:00", "2025-01-13T10:00:00Z"),
    ("1/13/2025 10:00:00 AM", "2025-01-13T10:00:00Z"),
    ("1/13/2025 3:05:00 PM", "2025-01-13T15:05:00Z"),
    ("05/06/2025", nil),
    // Zones written twice, or a name after the offset; short ISO forms; ISO's 24:00
    ("Mon, 13 Jan 2025 10:00:00 +0000 +0000", "2025-01-13T10:00:00Z"),
    ("13 Jan 2025 10:00:00 +0100 GMT", "2025-01-13T09:00:00Z"),
    ("2025-1-3", "2025-01-03T00:00:00Z"),
    ("2025-01-13T10", "2025-01-13T10:00:00Z"),
    ("2025-01-13T24:00:00Z", "2025-01-14T00:00:00Z"),
    ("2025-01-13T24:30:00Z", nil),
    // Impossible or not dates at all
    ("2025-02-29T12:00:00Z", nil),
    ("Mon, 31 Feb 2025 10:00:00 GMT", nil),
    ("Tue, 04 Feb 2025 25:00:00 GMT", nil),
    ("2025-13-01T00:00:00Z", nil),
    ("0001-01-01T00:00:00Z", nil),
    ("2025-01-31T08:00:00+25:00", nil),
    ("yesterday", nil),
    ("", nil),
    ("Fri, 31 Foo 2025 08:00:00 GMT", nil),
    ("12345", nil),
]

@Test("date dialects", arguments: dialects)
func dialect(_ input: String, _ expected: String?) {
    #expect(FeedDates.parse(input).map(FeedDates.iso8601) == expected)
}

@Test func dropsImpossibleDatesWithWarningsNeverNow() throws {
    let feed = try Fixture.parse("rss2-impossible-date.xml")
    #expect(feed.items.allSatisfy { $0.published == nil })
    #expect(feed.warnings.count == 2)
    #expect(feed.warnings[0].contains("item 1 pubDate") && feed.warnings[0].contains("31 Feb"))
    let atom = try Fixture.parse("atom-impossible-updated.xml")
    #expect(atom.updated == nil)
    #expect(atom.items[0].updated == nil && atom.items[0].published == nil)
    #expect(Fixture.iso(atom.items[1].published) == "2024-02-29T10:00:00Z")
    #expect(atom.warnings.count == 3)
}

@Test func unrecognizedDateWarns() throws {
    let feed = try Fixture.parse("rss2-unrecognized-date.xml")
    #expect(feed.items.first?.published == nil)
    #expect(feed.warnings == ["item 1 pubDate: dropped unrecognized date \"yesterday afternoon\""])
}

@Test(arguments: [
    ("rss2-french-dates.xml", ["2025-01-06T13:30:00Z", "2025-02-12T08:05:00Z", "2025-08-15T16:00:00Z", "2025-03-04T06:00:00Z", "2025-12-25T00:00:00Z"]),
    ("rss2-two-digit-year.xml", ["2025-01-06T14:30:00Z", "2000-01-01T04:59:59Z"]),
    ("rss2-named-zones.xml", ["2025-07-01T10:00:00Z", "2025-07-01T16:00:00Z", "2025-07-01T20:00:00Z", "2025-07-01T12:00:00Z"]),
    ("rss2-iso-date-in-pubdate.xml", ["2025-03-10T06:15:30Z", "2025-03-10T00:00:00Z"]),
])
func fixtureDates(file: String, expected: [String]) throws {
    let feed = try Fixture.parse(file)
    #expect(feed.items.map { Fixture.iso($0.published) } == expected)
    #expect(feed.warnings.isEmpty)
}
