import Foundation

/// Decides whether a URL found in feed HTML may be written out, and in which form.
///
/// The check runs on the value the browser will see: libxml2 has already decoded entities, so
/// `jav&#x09;ascript:` arrives here as `jav<TAB>ascript:`. We then apply the browser's own URL
/// pre-processing (strip leading/trailing C0 and spaces, delete tabs and newlines, `\` → `/`)
/// before reading the scheme, so that no spelling can hide a scheme from us that the browser
/// would later find. The output is percent-encoded so that it contains no whitespace, quotes or
/// controls, which also makes cleaning it a second time a no-op (idempotence).
///
/// `data:` URLs are rejected everywhere, images included: in feed HTML they are nearly always
/// lazy-load placeholders (a 1×1 transparent GIF) that show nothing without the site's script,
/// the rare real ones bloat every stored copy and the search index, and refusing them removes
/// the `data:text/html`/`data:image/svg+xml` family of tricks with no allowlist of media types
/// to get wrong.
struct URLFilter: Sendable {
    /// The item's link, against which relative URLs are resolved; nil drops relative URLs.
    let base: URL?
    /// Accepted schemes, lowercase.
    let schemes: Set<String>

    init(base: URL?, schemes: Set<String>) {
        let scheme = base?.scheme?.lowercased()
        self.base = (scheme == "http" || scheme == "https") ? base : nil
        self.schemes = schemes
    }

    /// Returns the absolute, normalised form of `raw`, or nil when it must be dropped.
    func clean(_ raw: String) -> String? {
        guard var bytes = Self.preprocess(raw) else { return nil }
        guard let schemeEnd = Self.schemeEnd(bytes) else {
            return resolveRelative(bytes)
        }
        let scheme = String(decoding: bytes[0..<schemeEnd], as: UTF8.self).lowercased()
        guard schemes.contains(scheme) else { return nil }
        bytes.replaceSubrange(0..<schemeEnd, with: Array(scheme.utf8))
        if scheme == "http" || scheme == "https" {
            // "https:example.org" is relative in browsers; require an authority.
            let rest = bytes[(schemeEnd + 1)...]
            guard rest.starts(with: [0x2F, 0x2F]), rest.count > 2,
                  !Self.isAuthorityEnd(rest[rest.startIndex + 2]) else { return nil }
        } else if bytes.count == schemeEnd + 1 {
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Returns the lowercase host of an http(s) URL produced by `clean`, without user or port.
    static func host(of url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        let afterScheme = url[range.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = host[..<colon] }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// True when `url`'s authority carries user information (`user@host`).
    static func hasUserInfo(_ url: String) -> Bool {
        guard let range = url.range(of: "://") else { return false }
        return url[range.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }.contains("@")
    }

    /// Filters a `srcset` list: each candidate's URL cleaned, descriptors kept only when valid.
    func cleanCandidates(_ raw: String) -> String? {
        var kept: [String] = []
        let bytes = Array(raw.utf8)
        var i = 0
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        while i < bytes.count {
            while i < bytes.count, isSpace(bytes[i]) || bytes[i] == 0x2C { i += 1 }
            guard i < bytes.count else { break }
            let urlStart = i
            while i < bytes.count, !isSpace(bytes[i]) { i += 1 }
            var urlEnd = i
            var descriptor: ArraySlice<UInt8> = []
            if bytes[urlEnd - 1] == 0x2C {
                while urlEnd > urlStart, bytes[urlEnd - 1] == 0x2C { urlEnd -= 1 }
            } else {
                let descStart = i
                while i < bytes.count, bytes[i] != 0x2C { i += 1 }
                descriptor = bytes[descStart..<i]
            }
            let desc = String(decoding: descriptor, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard urlEnd > urlStart, Self.isValidDescriptor(desc),
                  var url = clean(String(decoding: bytes[urlStart..<urlEnd], as: UTF8.self)) else { continue }
            // A trailing comma would be read back as a separator: escape it.
            while url.hasSuffix(",") { url = String(url.dropLast()) + "%2C" }
            kept.append(desc.isEmpty ? url : url + " " + desc)
        }
        return kept.isEmpty ? nil : kept.joined(separator: ", ")
    }

    // MARK: - Steps

    /// Browser-style pre-processing plus percent-encoding; nil when nothing is left.
    static func preprocess(_ raw: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count)
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for byte in raw.utf8 {
            switch byte {
            case 0x09, 0x0A, 0x0D: continue  // deleted anywhere, as the URL standard does
            case 0x5C: out.append(0x2F)  // "\" is "/" for http(s) in browsers
            case 0x00...0x20, 0x7F...0xFF, 0x22, 0x3C, 0x3E, 0x60, 0x7B, 0x7D, 0x7C, 0x5E:
                out.append(0x25)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        // Leading and trailing C0 controls and spaces are stripped by browsers: drop their escapes.
        while out.count >= 3, out[0] == 0x25, isLeadingControlEscape(out[1], out[2]) { out.removeFirst(3) }
        while out.count >= 3, out[out.count - 3] == 0x25,
              isLeadingControlEscape(out[out.count - 2], out[out.count - 1]) { out.removeLast(3) }
        return out.isEmpty ? nil : out
    }

    /// True for the escapes `%00`…`%20` that preprocessing produced from C0 controls and space.
    private static func isLeadingControlEscape(_ high: UInt8, _ low: UInt8) -> Bool {
        (high == 0x30 || high == 0x31) || (high == 0x32 && low == 0x30)
    }

    /// Index of the ':' ending a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), if any.
    static func schemeEnd(_ bytes: [UInt8]) -> Int? {
        guard let first = bytes.first, isAlpha(first) else { return nil }
        for (index, byte) in bytes.enumerated().dropFirst() {
            if byte == 0x3A { return index }
            guard isAlpha(byte) || (0x30...0x39).contains(byte) || byte == 0x2B || byte == 0x2D || byte == 0x2E
            else { return nil }
        }
        return nil
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }

    private static func isAuthorityEnd(_ b: UInt8) -> Bool { b == 0x2F || b == 0x3F || b == 0x23 }

    /// Resolves a scheme-less URL against the base; the result is cleaned again as absolute.
    private func resolveRelative(_ bytes: [UInt8]) -> String? {
        guard let base else { return nil }
        let relative = String(decoding: bytes, as: UTF8.self)
        let absolute: String
        if bytes.starts(with: [0x2F, 0x2F]) {
            absolute = (base.scheme?.lowercased() ?? "https") + ":" + relative
        } else {
            guard let resolved = URL(string: relative, relativeTo: base)?.absoluteString else { return nil }
            absolute = resolved
        }
        // The resolved form must itself be an acceptable absolute URL.
        return URLFilter(base: nil, schemes: schemes).clean(absolute)
    }

    /// Accepts an empty descriptor, `<int>w`, or `<number>x`.
    private static func isValidDescriptor(_ desc: String) -> Bool {
        guard let unit = desc.last else { return true }
        let number = desc.dropLast()
        guard !number.isEmpty, number.count <= 8 else { return false }
        if unit == "w" { return number.allSatisfy(\.isASCIIDigit) }
        if unit == "x" {
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
        }
        return false
    }
}

extension Character {
    /// True for "0"…"9" only (not other Unicode digits).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
