public import Foundation
import Yams

extension PortalConfiguration {
    /// The `auth.two_factor:` section: who must use a second factor (TOTP), and from where it is not asked.
    public struct TwoFactor: Sendable, Hashable {
        public enum Requirement: String, Sendable, Hashable, CaseIterable {
            case none, admins, everyone
        }
        /// Accounts that must enrol (at their next sign-in) and answer the second step.
        public var requiredFor: Requirement = .none
        /// Networks (the town hall's LAN) from which the second step is skipped, as the client's
        /// address is seen through `trusted_proxies`.
        public var trustedNetworks: [NetworkRange] = []
        public init() {}

        /// Whether `address` (an IPv4 or IPv6 literal) is in one of the trusted networks.
        public func isTrusted(address: String) -> Bool {
            guard let bytes = NetworkRange.bytes(of: address) else { return false }
            return trustedNetworks.contains { $0.contains(bytes) }
        }
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a /32 or /128.
public struct NetworkRange: Sendable, Hashable, CustomStringConvertible {
    public let prefix: [UInt8]
    public let length: Int

    /// Parses `text`; nil when it is not an address with an optional prefix length in range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        var length = bytes.count * 8
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= bytes.count * 8, parts[1].allSatisfy(\.isASCII) else { return nil }
            length = n
        }
        self.prefix = bytes
        self.length = length
    }

    public var description: String { "\(prefix.count == 4 ? prefix.map(String.init).joined(separator: ".") : "ipv6")/\(length)" }

    /// Whether an address's bytes fall in this network (an IPv4-mapped IPv6 address counts as IPv4).
    func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if address.count == 16, prefix.count == 4, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xff, address[11] == 0xff {
            address = Array(address[12...])
        }
        guard address.count == prefix.count else { return false }
        var bits = length, index = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address[index] & mask != prefix[index] & mask { return false }
            bits -= 8
            index += 1
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 literal (brackets and a zone index are dropped), nil otherwise.
    static func bytes(of text: String) -> [UInt8]? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Reads `auth.two_factor`, with line:column diagnostics like the rest of the file.
struct TwoFactorSectionReader {
    let reader: NodeReader

    func read(_ node: Node) -> PortalConfiguration.TwoFactor {
        var t = PortalConfiguration.TwoFactor()
        guard let f = reader.fields(node, in: "auth.two_factor", allowed: ["required_for", "trusted_networks"]) else { return t }
        if let v = f["required_for"], let s = reader.nonEmptyString(v, field: "auth.two_factor.required_for") {
            if let r = PortalConfiguration.TwoFactor.Requirement(rawValue: s.lowercased()) {
                t.requiredFor = r
            } else {
                reader.error(v, "`auth.two_factor.required_for` must be none, admins or everyone, found `\(s)`")
            }
        }
        if let v = f["trusted_networks"], let elements = reader.list(v, field: "auth.two_factor.trusted_networks") {
            for element in elements {
                guard let s = reader.nonEmptyString(element, field: "auth.two_factor.trusted_networks entry") else { continue }
                if let range = NetworkRange(s) {
                    t.trustedNetworks.append(range)
                } else {
                    reader.error(element, "`auth.two_factor.trusted_networks`: `\(s)` is not a network such as 10.0.0.0/8 or fd00::/8")
                }
            }
        }
        return t
    }
}
