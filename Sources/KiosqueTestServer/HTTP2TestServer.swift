public import Foundation

/// An HTTP/2-only HTTPS server (`nghttpd` from Debian's nghttp2-server) serving fixed files from a
/// temporary folder, with a self-signed certificate: proves the fetcher negotiates h2 when offered.
public final class HTTP2TestServer: @unchecked Sendable {
    /// The port nghttpd listens on.
    public let port: UInt16
    /// The certificate to trust (as the fetcher's CA bundle).
    public var certificatePath: String { certificate.certificatePath }
    private let process: Process
    private let certificate: SelfSignedCertificate
    private let documents: URL

    /// Whether both `nghttpd` and `openssl` are installed.
    public static var isAvailable: Bool { ChildProcess.exists("nghttpd") && SelfSignedCertificate.isAvailable }

    /// Serves `files` (name → content) at "/name".
    public init(files: [String: Data]) throws {
        certificate = try SelfSignedCertificate()
        documents = try ChildProcess.makeDirectory("kiosque-h2")
        for (name, content) in files {
            try content.write(to: documents.appendingPathComponent(name))
        }
        port = try Socket.freePort()
        process = try ChildProcess.launchServer(["nghttpd", "-a", "127.0.0.1", "-d", documents.path, "\(port)",
                                                 certificate.keyPath, certificate.certificatePath], port: port)
    }

    deinit {
        shutdown()
    }

    /// "https://127.0.0.1:PORT/name".
    public func url(_ name: String) -> String {
        "https://127.0.0.1:\(port)/\(name)"
    }

    /// Stops nghttpd and removes the served files.
    public func shutdown() {
        ChildProcess.stop(process)
        try? FileManager.default.removeItem(at: documents)
    }
}
