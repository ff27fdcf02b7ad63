import Foundation
import KiosqueModel
import KiosqueParse
import Testing

@Test func smoke() throws {
    let feed = try Fixture.parse("rss2-basic.xml")
    print(String(decoding: FeedJSON.encode(feed), as: UTF8.self))
    #expect(feed.items.count == 2)
}
