import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
@testable import KiosqueWeb
import Testing

/// Downloads are streamed from disk in chunks: whole files and ranges that span chunk
/// boundaries must come back byte for byte.
@Suite("Document downloads")
struct DocumentStreamingTests {
    @Test func wholeFilesAndRangesAcrossChunksComeBackExactly() async throws {
        let fixture = try await WebFixture.make { $0.catalog.departments = [DepartmentDefinition(id: "finances", title: "Finances")] }
        let alice = try #require(try await fixture.store.user(login: "alice"))
        try await fixture.store.setMembership(userID: alice.id, departmentID: "finances", isEditor: true)
        var bytes = DocumentsPermissionTests.pdf
        var generator = SystemRandomNumberGenerator()
        bytes += Data((0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let file = bytes
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "alice")
            let created = try await DocumentsPermissionTests.publish(client, as: &browser, department: "finances",
                                                                     [("title", "Gros fichier")], file: file, name: "gros.pdf")
            #expect(created.status == .created)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            let id = try #require(json["id"] as? String)
            let whole = try await client.execute(uri: "/documents/\(id)/fichier", method: .get, headers: browser.headers())
            #expect(whole.status == .ok)
            #expect(Data(buffer: whole.body) == file)
            #expect(whole.headers[.contentLength] == String(file.count))
            for (range, expected) in [("bytes=65530-131080", file[65_530...131_080]), ("bytes=-10", file.suffix(10)),
                                      ("bytes=299990-", file[299_990...])] {
                var headers = browser.headers()
                headers[.range] = range
                let part = try await client.execute(uri: "/documents/\(id)/fichier", method: .get, headers: headers)
                #expect(part.status == .partialContent, "\(range)")
                #expect(Data(buffer: part.body) == Data(expected), "\(range)")
                #expect(part.headers[.contentLength] == String(expected.count))
            }
        }
    }
}
