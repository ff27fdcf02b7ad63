import Foundation

/// Debian's tinyproxy as a real third-party forward proxy on 127.0.0.1 with Basic authentication,
/// started in the foreground by a test (package tinyproxy-bin).
public final class TinyproxyServer: @unchecked Sendable {
    /// The port tinyproxy listens on.
    public let port: UInt16
    /// "http://127.0.0.1:PORT".
    public var url: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let directory: URL

    /// Whether the `tinyproxy` command is installed.
    public static var isAvailable: Bool { ChildProcess.exists("tinyproxy") }

    /// Starts tinyproxy requiring `user`/`password`, only reachable from and forwarding for loopback clients.
    public init(user: String, password: String) throws {
        directory = try ChildProcess.makeDirectory("kiosque-tinyproxy")
        port = try Socket.freePort()
        let configuration = """
            Port \(port)
            Listen 127.0.0.1
            Timeout 10
            MaxClients 20
            Allow 127.0.0.1
            BasicAuth \(user) \(password)
            LogLevel Critical

            """
        let configPath = directory.appendingPathComponent("tinyproxy.conf").path
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: configPath))
        process = try ChildProcess.launchServer(["tinyproxy", "-d", "-c", configPath], port: port)
    }

    deinit {
        shutdown()
    }

    /// Stops tinyproxy and removes its configuration.
    public func shutdown() {
        ChildProcess.stop(process)
        try? FileManager.default.removeItem(at: directory)
    }
}
