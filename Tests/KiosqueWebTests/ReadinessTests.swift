import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import KiosqueStoreTesting
import Testing

/// `/readyz` on PostgreSQL: an instance that loses its database answers 503 and comes back to 200
/// by itself when the database returns (issue 18). The database is a server of this test's own,
/// stopped (`pg_ctl stop -m fast`) and started again on the same port and data under the running app.
@Suite("Readiness")
struct ReadinessTests {
    @Test func readyzFollowsTheLossAndReturnOfThePostgreSQLDatabase() async throws {
        let database = try await PrivatePostgres.start()
        do {
            let fixture = try await WebFixture.make(backend: database.backend)
            try await fixture.application().test(.router) { client in
                let (status, body) = try await Self.readyz(client)
                #expect(status == .ok)
                #expect(body["status"] == "ready")
                #expect(body["database"] == "postgresql")
                #expect(body["store"] == "ok")

                try await database.stopDatabase()
                let lost = try await Self.poll(client, until: .serviceUnavailable)
                #expect(lost?["database"] == "postgresql")
                #expect(lost?["store"] == "unreachable")

                try await database.restartDatabase()
                let back = try await Self.poll(client, until: .ok)
                #expect(back?["status"] == "ready")
                // The agents' pages work again too, not only the probe.
                let home = try await client.execute(uri: "/connexion", method: .get)
                #expect(home.status == .ok)
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    /// On SQLite the probe names its database as well.
    @Test func readyzNamesTheSQLiteDatabase() async throws {
        let fixture = try await WebFixture.make()
        try await fixture.application().test(.router) { client in
            let (status, body) = try await Self.readyz(client)
            #expect(status == .ok)
            #expect(body == ["status": "ready", "database": "sqlite", "store": "ok"])
        }
    }

    static func readyz(_ client: some TestClientProtocol) async throws -> (HTTPResponse.Status, [String: String]) {
        let response = try await client.execute(uri: "/readyz", method: .get)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String] ?? [:]
        return (response.status, body)
    }

    /// Asks `/readyz` until it answers `status` (at most 120 times, a quarter of a second apart;
    /// each unreachable answer itself takes up to the probe's 2-second limit): the body then, or nil.
    static func poll(_ client: some TestClientProtocol, until status: HTTPResponse.Status) async throws -> [String: String]? {
        for _ in 0..<120 {
            let (answered, body) = try await readyz(client)
            if answered == status { return body }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("/readyz never answered \(status)")
        return nil
    }
}
