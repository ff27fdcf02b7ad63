import Foundation

/// RFC 4515 filter escaping and a little DN reading, the only LDAP text Kiosque writes itself.
public enum LDAPFilter {
    /// A value made safe inside a filter: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`,
    /// so that a login such as `*)(uid=*` is matched literally and finds nobody.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": out += "\\2a"
            case "(": out += "\\28"
            case ")": out += "\\29"
            case "\\": out += "\\5c"
            case "\u{0}": out += "\\00"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `template` with every `{login}` replaced by the escaped login.
    public static func userFilter(_ template: String, login: String) -> String {
        template.replacingOccurrences(of: "{login}", with: escape(login))
    }
}

/// Reading distinguished names (RFC 4514) just enough to compare groups by their CN.
public enum DistinguishedName {
    /// The RDNs of a DN, split on unescaped commas and trimmed: "cn=a\,b,dc=x" → ["cn=a\,b", "dc=x"].
    public static func components(_ dn: String) -> [String] {
        var parts: [String] = [], current = "", escaped = false
        for character in dn {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { current.append(character); escaped = true; continue }
            if character == "," { parts.append(current.trimmed); current = ""; continue }
            current.append(character)
        }
        if !current.trimmed.isEmpty { parts.append(current.trimmed) }
        return parts
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
