import Foundation

/// An HTTPS server with a freshly generated self-signed certificate: `openssl s_server -www` started as
/// a child process on 127.0.0.1. It answers `GET /` with a status page.
public final class SelfSignedTLSServer: @unchecked Sendable {
    /// The port the TLS server listens on.
    public let port: UInt16
    /// The self-signed certificate (PEM), for a test that trusts it explicitly.
    public var certificatePath: String { certificate.certificatePath }
    /// "https://127.0.0.1:PORT/".
    public var url: String { "https://127.0.0.1:\(port)/" }
    private let process: Process
    private let certificate: SelfSignedCertificate

    /// Whether the `openssl` command is available.
    public static var isAvailable: Bool { SelfSignedCertificate.isAvailable }

    /// Generates a certificate and starts the server; throws when `openssl` is missing or the server
    /// does not come up within five seconds.
    public init() throws {
        certificate = try SelfSignedCertificate()
        port = try Socket.freePort()
        process = try ChildProcess.launchServer(["openssl", "s_server", "-accept", "127.0.0.1:\(port)",
                                                 "-cert", certificate.certificatePath, "-key", certificate.keyPath,
                                                 "-www", "-quiet"], port: port)
    }

    deinit {
        shutdown()
    }

    /// Stops the child process.
    public func shutdown() {
        ChildProcess.stop(process)
    }
}
