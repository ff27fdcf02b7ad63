import Foundation

/// An HTTPS server with a freshly generated self-signed certificate: `openssl s_server -www` started as
/// a child process on 127.0.0.1. It answers `GET /` with a status page.
public final class SelfSignedTLSServer: @unchecked Sendable {
    /// The port the TLS server listens on.
    public let port: UInt16
    /// The self-signed certificate (PEM), for a test that trusts it explicitly.
    public let certificatePath: String
    /// "https://127.0.0.1:PORT/".
    public var url: String { "https://127.0.0.1:\(port)/" }
    private let process: Process
    private let directory: URL

    /// Whether the `openssl` command is available.
    public static var isAvailable: Bool { ChildProcess.exists("openssl") }

    /// Generates a key and certificate for 127.0.0.1 and starts the server; throws when `openssl` is
    /// missing or the server does not come up within five seconds.
    public init() throws {
        directory = try ChildProcess.makeDirectory("kiosque-tls")
        let key = directory.appendingPathComponent("key.pem").path
        certificatePath = directory.appendingPathComponent("cert.pem").path
        try ChildProcess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                              "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                              "-days", "1", "-keyout", key, "-out", certificatePath])
        port = try Socket.freePort()
        process = try ChildProcess.launchServer(["openssl", "s_server", "-accept", "127.0.0.1:\(port)",
                                                 "-cert", certificatePath, "-key", key, "-www", "-quiet"], port: port)
    }

    deinit {
        shutdown()
    }

    /// Stops the child process and removes the key material.
    public func shutdown() {
        ChildProcess.stop(process)
        try? FileManager.default.removeItem(at: directory)
    }
}
