// Relative links resolved against xml:base, the feed's link or the document's URL.
// RFC 3986 section 5.2 on bytes: Foundation's URL is slow on Linux and only needed for odd cases.
internal import Foundation

/// Resolves possibly relative URL references.
enum URLResolver {
    /// `reference` made absolute against `base`; nil when blank.
    static func resolve(_ reference: String, against base: String?) -> String? {
        guard let trimmed = trim(reference) else { return nil }
        if isAbsoluteHTTP(trimmed) { return lowercasedScheme(trimmed) }
        if let scheme = schemeEnd(trimmed), scheme > 0 { return trimmed } // mailto:, urn:, tag:, …
        guard let base = base.flatMap(trim) else { return trimmed }
        if ASCIIURL.applies(trimmed, base) { return ASCIIURL.resolve(trimmed, against: base) ?? trimmed }
        guard let parts = split(base) else { return trimmed }
        if trimmed.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) { return foundationResolve(trimmed, base) }
        return merge(trimmed, parts)
    }

    /// Trims ASCII whitespace without Foundation; nil when nothing is left.
    static func trim(_ s: String) -> String? {
        let u = s.utf8
        guard let first = u.firstIndex(where: { !isSpace($0) }) else { return nil }
        let last = u.lastIndex(where: { !isSpace($0) })!
        if first == u.startIndex && last == u.index(before: u.endIndex) { return s }
        return String(s[first...last])
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C }

    static func isAbsoluteHTTP(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            func hasPrefix(_ p: StaticString) -> Bool {
                guard b.count >= p.utf8CodeUnitCount else { return false }
                for k in 0..<p.utf8CodeUnitCount where (b[k] | 0x20) != p.utf8Start[k] { return false }
                return true
            }
            return hasPrefix("http://") || hasPrefix("https://")
        }
    }

    /// `HTTP://…` as `http://…`: schemes are case-insensitive, but a check downstream (the
    /// sanitizer's scheme allowlist, a browser extension) may compare them byte for byte.
    private static func lowercasedScheme(_ url: String) -> String {
        // `http:` or `https` leads the string (checked by the caller): five bytes say it all.
        guard url.utf8.prefix(5).contains(where: { $0 >= 0x41 && $0 <= 0x5A }), let colon = schemeEnd(url) else { return url }
        let u = url.utf8
        return url[..<u.index(u.startIndex, offsetBy: colon)].lowercased() + url[u.index(u.startIndex, offsetBy: colon)...]
    }

    /// Index of the `:` ending a URI scheme, if the string starts with one.
    private static func schemeEnd(_ s: String) -> Int? {
        for (i, c) in s.utf8.enumerated() {
            if c == 0x3A { return i }
            let l = c | 0x20
            let ok = (l >= 0x61 && l <= 0x7A) || (i > 0 && ((c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E))
            if !ok { return nil }
        }
        return nil
    }

    /// A hierarchical base split as `scheme://authority`, path, and query (fragment dropped).
    private struct BaseParts {
        var origin: Substring
        var path: Substring
        var query: Substring
    }

    private static func split(_ base: String) -> BaseParts? {
        guard let schemeEnd = schemeEnd(base), schemeEnd > 0,
              base.utf8.count > schemeEnd + 2 else { return nil }
        let afterScheme = base.utf8.index(base.startIndex, offsetBy: schemeEnd + 1)
        guard base[afterScheme...].hasPrefix("//") else { return nil }
        let authorityStart = base.index(afterScheme, offsetBy: 2)
        let rest = base[authorityStart...]
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let withoutFragment = base[pathStart...].prefix { $0 != "#" }
        let queryStart = withoutFragment.firstIndex(of: "?") ?? withoutFragment.endIndex
        return BaseParts(origin: base[..<pathStart], path: withoutFragment[..<queryStart], query: withoutFragment[queryStart...])
    }

    private static func merge(_ ref: String, _ base: BaseParts) -> String {
        if ref.hasPrefix("//") {
            let scheme = base.origin.prefix { $0 != ":" }
            return scheme + ":" + ref
        }
        if ref.hasPrefix("/") { return base.origin + removeDots(ref) }
        if ref.hasPrefix("?") { return base.origin + (base.path.isEmpty ? "/" : base.path) + ref }
        if ref.hasPrefix("#") { return base.origin + (base.path.isEmpty ? "/" : base.path) + base.query + ref }
        let directory = base.path.isEmpty ? "/" : base.path[...(base.path.lastIndex(of: "/") ?? base.path.startIndex)]
        return base.origin + removeDots(directory + ref)
    }

    /// RFC 3986 5.2.4 on the path part (query and fragment kept as they are).
    private static func removeDots(_ pathAndMore: String) -> String {
        let cut = pathAndMore.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? pathAndMore.endIndex
        let path = pathAndMore[..<cut]
        // Only "." and ".." segments need work; a dot in "page.html" does not.
        guard path.hasPrefix(".") || path.contains("/.") else { return pathAndMore }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            if segment == "." {
                if last { output.append("") }
            } else if segment == ".." {
                if output.count > 1 { output.removeLast() }
                if last { output.append("") }
            } else {
                output.append(segment)
            }
        }
        return output.joined(separator: "/") + pathAndMore[cut...]
    }

    /// Foundation for references with spaces or non-ASCII characters, percent-encoded first.
    private static func foundationResolve(_ ref: String, _ base: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.insert(charactersIn: "#%")
        let encoded = ref.addingPercentEncoding(withAllowedCharacters: allowed) ?? ref
        guard let baseURL = URL(string: base) ?? URL(string: base.addingPercentEncoding(withAllowedCharacters: allowed) ?? base),
              let url = URL(string: encoded, relativeTo: baseURL) else { return ref }
        return url.absoluteString
    }
}
