import Foundation

/// The shapes of text that channels.yml accepts for addresses and ids.
enum URLRules {
    static func httpURL(_ s: String) -> Bool {
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = c.host, !host.isEmpty else { return false }
        return true
    }

    /// Sources may be http(s), or file:// for demos and tests declared by IT.
    static func sourceURL(_ s: String) -> Bool {
        if httpURL(s) { return true }
        guard let c = URLComponents(string: s), c.scheme?.lowercased() == "file" else { return false }
        return !c.path.isEmpty
    }

    static func proxyURL(_ s: String) -> Bool {
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(),
              ["http", "https", "socks5", "socks5h"].contains(scheme), let host = c.host, !host.isEmpty else { return false }
        return true
    }

    static func hostName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }

    static func slug(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= 64 else { return false }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-_")
        return CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789").contains(first)
            && s.unicodeScalars.allSatisfy { allowed.contains($0) }
    }
}
