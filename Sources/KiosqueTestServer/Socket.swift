#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A failure of the test server's socket layer, naming the call that failed.
public struct TestServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the system error text.
    public let description: String

    init(_ call: String) {
        description = "\(call) failed: \(String(cString: strerror(errno)))"
    }

    init(message: String) {
        description = message
    }
}

/// Thin wrappers over POSIX sockets, loopback only: the test server must never touch another address.
enum Socket {
    /// Send flags: never raise SIGPIPE when the client has gone away (curl aborts on purpose in fault tests).
    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0
    #endif

    /// Opens a listening TCP socket on 127.0.0.1 and returns it with the port the kernel chose.
    static func listenLoopback(port: UInt16 = 0, backlog: Int32 = 512) throws -> (fd: Int32, port: UInt16) {
        let fd = try makeTCPSocket()
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { close(fd); throw TestServerError("bind") }
        guard listen(fd, backlog) == 0 else { close(fd); throw TestServerError("listen") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: actual.sin_port))
    }

    /// Connects to 127.0.0.1:port (the forward proxy's only kind of upstream).
    static func connectLoopback(port: UInt16) throws -> Int32 {
        let fd = try makeTCPSocket()
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { close(fd); throw TestServerError("connect") }
        return fd
    }

    /// Returns a port that was free a moment ago (for child processes such as `openssl s_server`).
    static func freePort() throws -> UInt16 {
        let (fd, port) = try listenLoopback()
        close(fd)
        return port
    }

    /// Writes all bytes, returning false when the peer has gone.
    @discardableResult
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let sent = send(fd, pointer, remaining, sendFlags)
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                remaining -= sent
                pointer = pointer.advanced(by: sent)
            }
            return true
        }
    }

    /// Reads up to `max` bytes; nil on end of stream or error.
    static func readSome(_ fd: Int32, max: Int = 16_384) -> Data? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            return Data(buffer[0..<count])
        }
    }

    /// Closes with SO_LINGER 0, so the peer sees a TCP reset instead of a clean end of stream.
    static func resetAndClose(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Wakes any thread blocked on this socket (accept or recv) without freeing the descriptor.
    static func shutdownBoth(_ fd: Int32) {
        #if canImport(Glibc)
        shutdown(fd, Int32(SHUT_RDWR))
        #else
        shutdown(fd, SHUT_RDWR)
        #endif
    }

    private static func makeTCPSocket() throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestServerError("socket") }
        return fd
    }

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }
}

/// Reserves a free loopback port for a helper process started by a test.
public func reserveLoopbackPort() throws -> UInt16 {
    try Socket.freePort()
}
