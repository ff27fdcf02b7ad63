#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A value guarded by a lock, for state shared between the server's threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Counters a test or benchmark reads to check what the client really did on the wire.
public struct TestServerStats: Sendable, Equatable {
    /// TCP connections accepted since start.
    public var connectionsAccepted = 0
    /// Requests read (including those answered with a fault).
    public var requestsReceived = 0
    /// Requests being handled right now.
    public var inFlight = 0
    /// The highest number of requests handled at the same time.
    public var maxInFlight = 0
}

/// The accept loop and connection threads shared by the HTTP server and the forward proxy.
final class ServerCore: Sendable {
    let port: UInt16
    private let listener: Int32
    private struct State {
        var stopped = false
        var openConnections: Set<Int32> = []
        var stats = TestServerStats()
        var log: [TestRequest] = []
    }
    private let state = Locked(State())
    /// Keeps the request log bounded when the feed farm serves thousands of requests.
    private static let maxLoggedRequests = 10_000

    init(serve: @escaping @Sendable (Connection, ServerCore) -> Void) throws {
        (listener, port) = try Socket.listenLoopback()
        let thread = Thread { [self] in acceptLoop(serve: serve) }
        thread.name = "kiosque-test-server-accept"
        thread.start()
    }

    var stats: TestServerStats { state.withLock { $0.stats } }
    var requests: [TestRequest] { state.withLock { $0.log } }

    /// Counts a request in; the returned closure counts it out.
    func begin(_ request: TestRequest) {
        state.withLock {
            $0.stats.requestsReceived += 1
            $0.stats.inFlight += 1
            $0.stats.maxInFlight = max($0.stats.maxInFlight, $0.stats.inFlight)
            if $0.log.count < Self.maxLoggedRequests { $0.log.append(request) }
        }
    }

    func end() {
        state.withLock { $0.stats.inFlight -= 1 }
    }

    func resetStats() {
        state.withLock {
            $0.stats = TestServerStats(inFlight: $0.stats.inFlight)
            $0.log.removeAll()
        }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Stops accepting and wakes every connection thread; idempotent.
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            Socket.shutdownBoth(listener)
            for fd in state.openConnections { Socket.shutdownBoth(fd) }
        }
    }

    private func acceptLoop(serve: @escaping @Sendable (Connection, ServerCore) -> Void) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.openConnections.insert(fd)
                state.stats.connectionsAccepted += 1
                return true
            }
            guard admitted else { close(fd); break }
            var noDelay: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            // One thread per connection: a hanging or trickling fault blocks only its own client.
            let thread = Thread { [self] in
                let connection = Connection(fd: fd)
                serve(connection, self)
                finish(fd)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        close(listener)
    }

    /// Forgets and closes a connection, unless `serve` already reset it.
    private func finish(_ fd: Int32) {
        state.withLock { state in
            if state.openConnections.remove(fd) != nil { close(fd) }
        }
    }

    /// Resets a connection (TCP RST) and forgets it, so `finish` does not close a reused descriptor.
    func reset(_ fd: Int32) {
        state.withLock { state in
            if state.openConnections.remove(fd) != nil { Socket.resetAndClose(fd) }
        }
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: keep-alive, one thread per connection,
/// answers from a handler that may misbehave on purpose (see `TestResponse.Action`).
public final class TestHTTPServer: Sendable {
    /// The port the server listens on.
    public var port: UInt16 { core.port }
    /// "http://127.0.0.1:PORT", without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let core: ServerCore

    /// Starts a server on a free loopback port answering every request with `handler`.
    public init(handler: @escaping @Sendable (TestRequest) -> TestResponse) throws {
        core = try ServerCore { connection, core in
            Self.serveHTTP(connection, core: core, handler: handler)
        }
    }

    deinit {
        core.stop()
    }

    /// The absolute URL of a path on this server.
    public func url(_ path: String) -> String {
        baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Counters of connections and requests since start (or the last `resetStats`).
    public var stats: TestServerStats { core.stats }

    /// The requests received so far (the most recent 10,000 at most), oldest first.
    public var requests: [TestRequest] { core.requests }

    /// The requests received for one path, oldest first.
    public func requests(path: String) -> [TestRequest] {
        core.requests.filter { $0.path == path }
    }

    /// Zeroes the counters and the request log (between benchmark cycles).
    public func resetStats() {
        core.resetStats()
    }

    /// Stops the server and unblocks every hanging connection.
    public func shutdown() {
        core.stop()
    }

    private static func serveHTTP(_ connection: Connection, core: ServerCore,
                                  handler: @Sendable (TestRequest) -> TestResponse) {
        while !core.isStopped, let request = connection.readRequest() {
            core.begin(request)
            defer { core.end() }
            let response = handler(request)
            switch response.action {
            case .hang:
                connection.waitForClose()
                return
            case .reset:
                core.reset(connection.fd)
                return
            case .closeSilently:
                return
            case .respond:
                let keepAlive = request.header("Connection")?.lowercased() != "close"
                guard connection.send(response, keepAlive: keepAlive), keepAlive else { return }
            }
        }
    }
}
