import Foundation
import Testing

@Suite("Files kiosque writes")
struct FilePermissionTests {
    /// The database holds password, session and API-token hashes; documents may be members-only.
    @Test func dataIsNotReadableByOtherLocalUsers() async throws {
        let portal = try Portal.make()
        let added = try await portal.run(["user", "add", "agent", "--password-stdin"], stdin: "un-mot-de-passe-long\n")
        #expect(added.status == 0, "\(added.stderr)")
        for path in ["data", "data/kiosque.sqlite"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: portal.directory.appendingPathComponent(path).path)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0, "\(path) is mode \(String(mode, radix: 8))")
        }
    }
}
