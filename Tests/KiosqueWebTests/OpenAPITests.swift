import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// The OpenAPI document must describe exactly the API the router serves, and the answers must
/// carry the properties it declares as required.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentedOperationsAreExactlyTheRoutedOnes() async throws {
        let fixture = try await WebFixture.make()
        let routed = Set(fixture.server.router.routes.map { "\($0.method.rawValue) \($0.path)" }.filter { $0.contains(" /api/v1/") && !$0.hasSuffix("openapi.json") })
        let spec = try await Self.fetchSpec(fixture)
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            let routerPath = "/api/v1" + path  // the router describes captures as {name}, as OpenAPI does
            for method in operations.keys { documented.insert("\(method.uppercased()) \(routerPath)") }
        }
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }

    @Test(arguments: StoreBackends.all) func responsesCarryTheRequiredProperties(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let store = fixture.store
        let spec = try await Self.fetchSpec(fixture)
        let schemaObjects = try #require((spec["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let required = schemaObjects.mapValues { ($0["required"] as? [String]) ?? [] }
        let alice = try #require(try await store.user(login: "alice"))
        let (token, hash) = AccountTools.newAPIToken()
        var update = UserUpdate()
        update.apiTokenHash = .some(hash)
        _ = try await store.updateUser(id: alice.id, update)
        try await fixture.application().test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            func check(_ uri: String, _ schema: String, list key: String?) async throws {
                let response = try await client.execute(uri: uri, method: .get, headers: auth)
                #expect(response.status == .ok, "\(uri)")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let elements: [[String: Any]] = key.map { (object[$0] as? [[String: Any]]) ?? [] } ?? [object]
                #expect(!elements.isEmpty, "\(uri) returned nothing to check")
                for element in elements {
                    for property in required[schema] ?? [] { #expect(element.keys.contains(property), "\(uri): \(schema).\(property) missing") }
                }
            }
            try await check("/api/v1/channels", "Channel", list: "channels")
            try await check("/api/v1/items?channel=securite", "Item", list: "items")
            try await check("/api/v1/items?channel=securite", "ItemPage", list: nil)
            try await check("/api/v1/search?q=budget", "Item", list: "items")
            try await check("/api/v1/search?q=budget", "SearchResults", list: nil)
            try await check("/api/v1/sources", "SourceHealth", list: "sources")
            let error = try await client.execute(uri: "/api/v1/items/99999/star", method: .post, headers: auth)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: error.body)) as? [String: Any])
            let inner = try #require(object["error"] as? [String: Any])
            #expect(inner["code"] is String && inner["message"] is String)
        }
    }

    static func fetchSpec(_ fixture: WebFixture) async throws -> [String: Any] {
        let body = try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            return Data(buffer: response.body)
        }
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}

