#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// Which network addresses a transfer may connect to: a feed's picture must never make the server reach
/// inside the town's network (SSRF). Hosts IT lists (`media.allowed_private_hosts`) are exempt.
public struct AddressPolicy: Sendable, Hashable {
    /// Host names (lowercased, as written in URLs) that may resolve to private addresses.
    public var allowedPrivateHosts: Set<String>

    /// Public addresses only, except for `allowedPrivateHosts`.
    public init(allowedPrivateHosts: some Sequence<String> = []) {
        self.allowedPrivateHosts = Set(allowedPrivateHosts.map { Self.normalise($0) })
    }

    /// Whether `host` (from a URL) is exempt from the check.
    public func exempts(host: String) -> Bool {
        allowedPrivateHosts.contains(Self.normalise(host))
    }

    static func normalise(_ host: String) -> String {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// Classifies IP addresses: public (reachable on the Internet) or one of the ranges a server must not be
/// tricked into reaching (loopback, RFC 1918, CGNAT, link-local and cloud metadata, multicast, ULA…).
public enum AddressGuard {
    /// Why `address` (textual IPv4 or IPv6) may not be reached, or nil when it is public; unparsable text is refused.
    public static func refusal(for address: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return refusal(ipv4: withUnsafeBytes(of: v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return refusal(ipv6: withUnsafeBytes(of: v6) { Array($0) })
        }
        return notAnAddress
    }

    /// What `refusal(for:)` says of a host name (resolved later, at connect time).
    public static let notAnAddress = "not an IP address"

    /// Why the IPv4 address (4 bytes, network order) may not be reached, or nil.
    public static func refusal(ipv4 b: [UInt8]) -> String? {
        guard b.count == 4 else { return "malformed IPv4 address" }
        switch (b[0], b[1], b[2]) {
        case (0, _, _): return "unspecified/this-network address"
        case (10, _, _), (172, 16...31, _), (192, 168, _): return "private address (RFC 1918)"
        case (100, 64...127, _): return "shared address space (CGNAT, RFC 6598)"
        case (127, _, _): return "loopback address"
        case (169, 254, _): return "link-local address (cloud metadata)"
        case (192, 0, 0): return "IETF protocol assignment"
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return "documentation address"
        case (198, 18...19, _): return "benchmarking address"
        case (224...239, _, _): return "multicast address"
        case (240...255, _, _): return "reserved or broadcast address"
        default: return nil
        }
    }

    /// Why the IPv6 address (16 bytes) may not be reached, or nil. Addresses embedding an IPv4 one
    /// (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address.
    public static func refusal(ipv6 b: [UInt8]) -> String? {
        guard b.count == 16 else { return "malformed IPv6 address" }
        let zeroPrefix10 = b[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix10 && b[10] == 0xff && b[11] == 0xff { return refusal(ipv4: Array(b[12..<16])) }
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) {
                return b[15] == 1 ? "loopback address" : "unspecified address"
            }
            return refusal(ipv4: Array(b[12..<16])) ?? "IPv4-compatible address (deprecated)"
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b { return refusal(ipv4: Array(b[12..<16])) }
        if b[0] == 0x20, b[1] == 0x02 { return refusal(ipv4: Array(b[2..<6])) }
        if b[0] & 0xfe == 0xfc { return "unique local address (fc00::/7)" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "link-local address (fe80::/10)" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return "site-local address (fec0::/10)" }
        if b[0] == 0xff { return "multicast address" }
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return "documentation address" }
        return nil
    }

    /// Why the socket address libcurl is about to connect to may not be reached, or nil.
    static func refusal(sockaddr pointer: UnsafePointer<sockaddr>, length: Int) -> (address: String, reason: String)? {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            guard length >= MemoryLayout<sockaddr_in>.size else { return ("?", "malformed address") }
            let address = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            let bytes = withUnsafeBytes(of: address) { Array($0) }
            return refusal(ipv4: bytes).map { (bytes.map(String.init).joined(separator: "."), $0) }
        case AF_INET6:
            guard length >= MemoryLayout<sockaddr_in6>.size else { return ("?", "malformed address") }
            var address = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            let bytes = withUnsafeBytes(of: address) { Array($0) }
            guard let reason = refusal(ipv6: bytes) else { return nil }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            return (String(cString: text), reason)
        default:
            return ("?", "not an Internet address")
        }
    }

    /// Resolves `host` and returns the first refused address with its reason, or nil when every address is
    /// public. Used where the connection goes through a proxy, so the socket check would only see the proxy.
    static func resolveAndCheck(host: String) -> (address: String, reason: String)? {
        let bare = AddressPolicy.normalise(host)
        if let reason = refusal(for: bare), reason != notAnAddress { return (bare, reason) }
        if refusal(for: bare) == nil { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else { return nil } // DNS failure: the proxy reports it
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr, let refused = refusal(sockaddr: address, length: Int(entry.pointee.ai_addrlen)) {
                return refused
            }
            cursor = entry.pointee.ai_next
        }
        return nil
    }
}
