#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A plain-HTTP forward proxy on 127.0.0.1 requiring Basic proxy authentication, like a town hall's
/// outbound proxy. It only forwards to loopback origins and closes each connection after a forward.
public final class TestForwardProxy: Sendable {
    /// What the proxy did, for tests to check that a fetch really went through it.
    public struct Counts: Sendable, Equatable {
        /// Requests forwarded to an origin.
        public var forwarded = 0
        /// Requests answered 407 for missing or wrong credentials.
        public var rejected = 0

        /// Zero counts.
        public init(forwarded: Int = 0, rejected: Int = 0) {
            self.forwarded = forwarded
            self.rejected = rejected
        }
    }

    /// The port the proxy listens on.
    public var port: UInt16 { core.port }
    /// "http://127.0.0.1:PORT", the value to give the fetcher as its proxy.
    public var url: String { "http://127.0.0.1:\(port)" }
    private let core: ServerCore
    private let counts: Locked<Counts>

    /// Starts a proxy that accepts `user`/`password` in `Proxy-Authorization: Basic` (nil: no auth required).
    public init(user: String?, password: String?) throws {
        let expected = user.map { "Basic " + Data("\($0):\(password ?? "")".utf8).base64EncodedString() }
        let counts = Locked(Counts())
        self.counts = counts
        core = try ServerCore { connection, core in
            Self.serve(connection, core: core, expected: expected, counts: counts)
        }
    }

    deinit {
        core.stop()
    }

    /// How many requests were forwarded and rejected so far.
    public var tally: Counts { counts.withLock { $0 } }

    /// The requests received, as sent by the client (absolute-form targets).
    public var requests: [TestRequest] { core.requests }

    /// Stops the proxy.
    public func shutdown() {
        core.stop()
    }

    private static func serve(_ connection: Connection, core: ServerCore, expected: String?, counts: Locked<Counts>) {
        while !core.isStopped, let request = connection.readRequest() {
            core.begin(request)
            defer { core.end() }
            if let expected, request.header("Proxy-Authorization") != expected {
                counts.withLock { $0.rejected += 1 }
                let challenge = TestResponse.status(407, headers: [("Proxy-Authenticate", "Basic realm=\"kiosque-test\"")])
                guard connection.send(challenge, keepAlive: true) else { return }
                continue
            }
            guard let upstream = loopbackOrigin(of: request) else {
                _ = connection.send(.status(502), keepAlive: false)
                return
            }
            counts.withLock { $0.forwarded += 1 }
            forward(request, to: upstream, client: connection)
            return
        }
    }

    /// The origin's port and origin-form target, only for http:// URLs on loopback (never the outside world).
    private static func loopbackOrigin(of request: TestRequest) -> (port: UInt16, target: String)? {
        guard request.method != "CONNECT", let components = URLComponents(string: request.target),
              components.scheme == "http", let host = components.host,
              ["127.0.0.1", "localhost"].contains(host.lowercased()) else { return nil }
        let target = request.query.isEmpty ? request.path : request.path + "?" + request.query
        return (UInt16(components.port ?? 80), target)
    }

    private static func forward(_ request: TestRequest, to origin: (port: UInt16, target: String), client: Connection) {
        guard let upstream = try? Socket.connectLoopback(port: origin.port) else {
            _ = client.send(.status(502), keepAlive: false)
            return
        }
        defer { close(upstream) }
        let hopByHop: Set<String> = ["proxy-authorization", "proxy-connection", "connection", "keep-alive"]
        var head = "\(request.method) \(origin.target) HTTP/1.1\r\n"
        for (name, value) in request.headers where !hopByHop.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        head += "Via: 1.1 kiosque-test-proxy\r\nConnection: close\r\n\r\n"
        guard Socket.writeAll(upstream, Data(head.utf8)) else { return }
        // The origin closes after its answer, so relaying until end of stream delimits the response.
        while let chunk = Socket.readSome(upstream) {
            guard Socket.writeAll(client.fd, chunk) else { return }
        }
    }
}
