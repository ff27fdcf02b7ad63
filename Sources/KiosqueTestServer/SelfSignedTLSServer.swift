#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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

    /// Generates a key and certificate for CN=127.0.0.1 and starts the server; throws when the
    /// `openssl` command is missing or the server does not come up within five seconds.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path
        certificatePath = directory.appendingPathComponent("cert.pem").path
        try Self.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
                      "-keyout", key, "-out", certificatePath])
        port = try Socket.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificatePath,
                             "-key", key, "-www", "-quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard Self.waitUntilListening(port: port) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestServerError(message: "openssl s_server did not start on port \(port)")
        }
    }

    deinit {
        shutdown()
    }

    /// Stops the child process and removes the key material.
    public func shutdown() {
        if process.isRunning {
            // SIGKILL, not terminate(): the child inherits the signal mask of the spawning thread, and
            // Swift's worker threads block SIGTERM, so openssl would never see it.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestServerError(message: "openssl \(arguments[0]) exited with status \(process.terminationStatus)")
        }
    }

    private static func waitUntilListening(port: UInt16) -> Bool {
        for _ in 0..<100 {
            if let fd = try? Socket.connectLoopback(port: port) {
                close(fd)
                return true
            }
            usleep(50_000)
        }
        return false
    }
}
