import Foundation

/// A mailbox: an address with an optional display name ("Intranet de la Ville <intranet@ville.example>").
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, empty when there is none.
    public var name: String
    /// The address itself (local@domain).
    public var address: String

    /// A mailbox from its parts; the address is trimmed.
    public init(name: String = "", address: String) {
        self.name = name
        self.address = address.trimmingCharacters(in: .whitespaces)
    }

    /// Parses "Name <local@domain>" or a bare "local@domain"; nil when no plausible address is found.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2 && name.hasPrefix("\"") && name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            guard Self.isValid(address) else { return nil }
            self.init(name: name, address: address)
        } else {
            guard Self.isValid(trimmed) else { return nil }
            self.init(address: trimmed)
        }
    }

    /// A conservative check: one `@`, a non-empty local part and a dotted or local domain, no
    /// spaces, angle brackets, quotes or control characters (nothing that could break a header or
    /// an SMTP command).
    public static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254 else { return false }
        let forbidden = CharacterSet(charactersIn: " <>\"(),;:\\[]").union(.controlCharacters).union(.whitespacesAndNewlines)
        guard address.unicodeScalars.allSatisfy({ !forbidden.contains($0) }) else { return false }
        let domain = parts[1]
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// The mailbox as a header value, the name as an RFC 2047 phrase when needed.
    public var headerValue: String {
        name.isEmpty ? address : "\(HeaderEncoding.phrase(name)) <\(address)>"
    }

    /// The mailbox as written by people ("Name <address>").
    public var description: String { name.isEmpty ? address : "\(name) <\(address)>" }

    /// The domain part, for Message-IDs.
    public var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }
}
