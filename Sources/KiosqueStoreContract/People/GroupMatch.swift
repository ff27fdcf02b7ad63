import Foundation

/// How an agent's directory groups meet the `groups:` of bouquets and departments in
/// channels.yml, for single sign-on headers and the directory alike: a configured entry matches a
/// group by its full DN or by its CN (`cn=urbanisme,ou=groups,dc=ville,dc=local` is met by
/// `urbanisme` and by the whole DN), case-insensitively; plain names match themselves. Shared by
/// both store backends.
public struct GroupMatch: Sendable {
    private let keys: Set<String>

    /// The agent's groups (DNs or names).
    public init(_ groups: [String]) {
        var keys = Set<String>()
        for group in groups {
            let trimmed = group.trimmingCharacters(in: .whitespaces).lowercased()
            guard !trimmed.isEmpty else { continue }
            keys.insert(trimmed)
            if let cn = Self.commonName(trimmed) { keys.insert(cn) }
        }
        self.keys = keys
    }

    /// Whether any configured entry names one of the groups.
    public func meets(_ configured: [String]) -> Bool {
        configured.contains { keys.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }
    }

    /// The value of a DN's first RDN when it is a `cn=`: "cn=urbanisme,ou=groups" → "urbanisme".
    public static func commonName(_ dn: String) -> String? {
        guard dn.hasPrefix("cn="), dn.contains(",") || dn.count > 3 else { return nil }
        var value = "", escaped = false
        for character in dn.dropFirst(3) {
            if escaped { value.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "," || character == "+" { break }
            value.append(character)
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
