public import Foundation

/// Exact-path routes plus a fallback, turned into a server handler.
public struct TestRouter: Sendable {
    /// A route's answer to one request.
    public typealias Route = @Sendable (TestRequest) -> TestResponse
    private var routes: [String: Route] = [:]
    private var prefixes: [(prefix: String, route: Route)] = []
    /// Answers requests no route matches (404 by default).
    public var fallback: Route = { _ in .status(404, headers: [("Content-Type", "text/plain")]) }

    /// An empty router.
    public init() {}

    /// Answers `path` (without query) with `route`.
    public mutating func on(_ path: String, _ route: @escaping Route) {
        routes[path] = route
    }

    /// Answers `path` with a fixed response.
    public mutating func on(_ path: String, respond response: TestResponse) {
        routes[path] = { _ in response }
    }

    /// Answers every path starting with `prefix` (checked after exact paths, first match wins).
    public mutating func on(prefix: String, _ route: @escaping Route) {
        prefixes.append((prefix, route))
    }

    /// The handler to give to `TestHTTPServer`.
    public var handler: @Sendable (TestRequest) -> TestResponse {
        let routes = routes, prefixes = prefixes, fallback = fallback
        return { request in
            if let route = routes[request.path] { return route(request) }
            if let match = prefixes.first(where: { request.path.hasPrefix($0.prefix) }) { return match.route(request) }
            return fallback(request)
        }
    }

    /// Answers `path` with `body` and validators, replying 304 when the client's validators match.
    public mutating func conditional(_ path: String, body: Data, contentType: String, etag: String,
                                     lastModified: String) {
        on(path) { request in
            let validators: [(name: String, value: String)] = [("ETag", etag), ("Last-Modified", lastModified)]
            if let match = request.header("If-None-Match") {
                if match == etag || match == "*" { return .status(304, headers: validators) }
            } else if request.header("If-Modified-Since") == lastModified {
                return .status(304, headers: validators)
            }
            return .ok(body, contentType: contentType, headers: validators)
        }
    }
}
