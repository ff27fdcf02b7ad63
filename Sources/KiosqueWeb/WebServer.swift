public import Hummingbird
public import KiosqueConfig
public import Logging

/// The agents' web front, as one Hummingbird application ready to run as a Service.
public struct WebServer {
    /// The Hummingbird application (a ServiceLifecycle `Service`).
    public let application: Application<RouterResponder<BasicRequestContext>>

    public init(configuration: PortalConfiguration, host: String, port: Int, logger: Logger) throws {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><html lang=\"fr\"><title>\(configuration.portal.title)</title><h1>Kiosque</h1></html>")))
        }
        self.application = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }
}
