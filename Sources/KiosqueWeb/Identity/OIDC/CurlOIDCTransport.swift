import Foundation
import KiosqueFetch
import KiosqueIdentity

/// The OpenID Connect client's HTTP calls through the portal's libcurl engine (its proxy, timeouts
/// and size cap apply): KiosqueIdentity only defines the `OIDCTransport` it needs.
struct CurlOIDCTransport: OIDCTransport {
    let engine: HTTPEngine

    func get(_ url: String, headers: [String: String], accept: String) async throws -> OIDCHTTPResponse {
        var request = FetchRequest(sourceID: "oidc", url: try Self.checked(url))
        request.headers = headers.sorted { $0.key < $1.key }.map { HeaderField($0.key, $0.value) }
        request.accept = accept
        return try await run(request)
    }

    func postForm(_ url: String, form: [(String, String)], headers: [String: String]) async throws -> OIDCHTTPResponse {
        var request = FetchRequest(sourceID: "oidc", url: try Self.checked(url))
        request.formBody = OIDCForm.encode(form)
        request.headers = headers.sorted { $0.key < $1.key }.map { HeaderField($0.key, $0.value) }
        request.accept = "application/json"
        return try await run(request)
    }

    private func run(_ request: FetchRequest) async throws -> OIDCHTTPResponse {
        switch await engine.fetch(request) {
        case .success(let answer): return OIDCHTTPResponse(status: answer.status, contentType: answer.contentType, body: answer.body)
        case .failure(let failure): throw failure
        }
    }

    /// The engine also reads file:// (feeds declared by IT): a provider's addresses must be http(s).
    private static func checked(_ url: String) throws -> String {
        let scheme = URLComponents(string: url)?.scheme?.lowercased()
        guard scheme == "https" || scheme == "http" else { throw FetchFailure(.other, "not an http(s) address") }
        return url
    }
}
