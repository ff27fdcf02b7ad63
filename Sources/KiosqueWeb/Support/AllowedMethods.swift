import Foundation
import HTTPTypes
import Hummingbird

/// 405 Method Not Allowed with `Allow` (RFC 9110 §15.5.6) for the API: a path that exists with
/// other methods is not "not found". The paths and methods come from the OpenAPI document, so
/// the answer and the published contract cannot drift apart. Wraps the router like `HeadAsGet`,
/// since the router answers 404 (through its middleware) for a method it has no route for.
struct AllowedMethods<Base: HTTPResponderBuilder>: HTTPResponderBuilder {
    let base: Base
    let table: MethodTable

    func buildResponder() -> Responder { Responder(base: base.buildResponder(), table: table) }

    struct Responder: HTTPResponder {
        let base: Base.Responder
        let table: MethodTable

        func respond(to request: Request, context: Base.Responder.Context) async throws -> Response {
            // Before the router: its middleware (sign-in, CSRF) would otherwise answer first for a
            // route that does not exist with this method.
            if let refusal = table.refusal(for: request) { return refusal }
            return try await base.respond(to: request, context: context)
        }
    }
}

/// The API's paths (as patterns) and the methods each allows.
struct MethodTable: Sendable {
    private struct Route: Sendable {
        /// nil stands for a `{parameter}` segment.
        let segments: [String?]
        let methods: [String]
    }
    private let routes: [Route]
    /// The document's server path (`/api/v1`): other paths are never looked at.
    private let prefix: String

    /// Reads `paths` of an OpenAPI document whose server URL is a path prefix (`/api/v1`).
    init(openAPI: Data) {
        guard let document = try? JSONSerialization.jsonObject(with: openAPI) as? [String: Any],
              let paths = document["paths"] as? [String: [String: Any]] else { routes = []; prefix = "/"; return }
        let prefix = ((document["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""
        self.prefix = prefix + "/"
        var routes: [Route] = []
        for (path, operations) in paths {
            let segments: [String?] = (prefix + path).split(separator: "/").map { segment in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? nil : String(segment)
            }
            var methods: [String] = []
            for verb in ["get", "put", "post", "delete", "patch"] where operations[verb] != nil {
                methods.append(verb.uppercased())
                if verb == "get" { methods.append("HEAD") }
            }
            routes.append(Route(segments: segments, methods: methods))
        }
        self.routes = routes
    }

    /// The 405 answer when the request's path is a known one that does not allow its method.
    func refusal(for request: Request) -> Response? {
        // Runs before every request: pages and static files leave at this byte comparison.
        guard request.uri.path.hasPrefix(prefix) else { return nil }
        let given = request.uri.path.split(separator: "/").map(String.init)
        guard let route = routes.first(where: { Self.matches($0.segments, given) }),
              !route.methods.contains(request.method.rawValue) else { return nil }
        let allowed = route.methods.joined(separator: ", ")
        var response = APIError.response(.methodNotAllowed, code: "method_not_allowed",
                                         message: "\(request.method.rawValue) is not allowed here; allowed: \(allowed).")
        response.headers[.allow] = allowed
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        return response
    }

    private static func matches(_ pattern: [String?], _ given: [String]) -> Bool {
        guard pattern.count == given.count else { return false }
        for (expected, actual) in zip(pattern, given) where expected != nil && expected != actual { return false }
        return true
    }
}
