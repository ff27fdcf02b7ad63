import HTTPTypes
import Hummingbird

/// HEAD answers like GET without the body (RFC 9110 §9.3.2): link checkers, monitoring probes
/// and some proxies ask HEAD first, and the router only knows GET routes. It wraps the whole
/// router because routes are looked up before any router middleware runs.
struct HeadAsGet<Base: HTTPResponderBuilder>: HTTPResponderBuilder {
    let base: Base

    func buildResponder() -> Responder { Responder(base: base.buildResponder()) }

    struct Responder: HTTPResponder {
        let base: Base.Responder

        func respond(to request: Request, context: Base.Responder.Context) async throws -> Response {
            guard request.method == .head else { return try await base.respond(to: request, context: context) }
            var head = request.head
            head.method = .get
            var response = try await base.respond(to: Request(head: head, body: request.body), context: context)
            let length = response.body.contentLength
            response.body = ResponseBody()
            if let length { response.headers[.contentLength] = String(length) }
            return response
        }
    }
}
