import Foundation

/// A throw-away EC key and self-signed certificate for 127.0.0.1, made with the `openssl` command.
public final class SelfSignedCertificate: @unchecked Sendable {
    /// The certificate (PEM): give it to the fetcher as its CA bundle to trust the server.
    public let certificatePath: String
    /// The private key (PEM).
    public let keyPath: String
    private let directory: URL

    /// Whether the `openssl` command is available.
    public static var isAvailable: Bool { ChildProcess.exists("openssl") }

    /// Generates the pair in a private temporary folder, valid one day.
    public init() throws {
        directory = try ChildProcess.makeDirectory("kiosque-cert")
        keyPath = directory.appendingPathComponent("key.pem").path
        certificatePath = directory.appendingPathComponent("cert.pem").path
        try ChildProcess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                              "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                              "-days", "1", "-keyout", keyPath, "-out", certificatePath])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
