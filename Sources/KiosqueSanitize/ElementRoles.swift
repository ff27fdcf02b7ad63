/// Checks and normalises attribute values by their `AttributeKind`.
enum AttributeValues {
    /// Attributes lazy-loading scripts put the real image in, tried when `src` is missing or
    /// unusable (a placeholder), since those scripts will not run here.
    static let lazySourceNames: Set<String> = ["data-src", "data-lazy-src", "data-original"]

    /// The value to write, or nil to drop the attribute.
    static func clean(_ raw: String?, as kind: AttributeKind, urls: URLFilter) -> String? {
        switch kind {
        case .text: return raw ?? ""
        case .flag: return ""
        case .url: return raw.flatMap(urls.clean)
        case .imageCandidates: return raw.flatMap(urls.cleanCandidates)
        case .number: return raw.flatMap(number)
        case .choice(let values):
            let trimmed = raw?.trimmingASCIIWhitespace() ?? ""
            return values.contains(trimmed) ? trimmed : nil
        case .mediaType:
            let trimmed = (raw?.trimmingASCIIWhitespace() ?? "").lowercased()
            let allowed = trimmed.utf8.allSatisfy { byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || Self.mediaTypePunctuation.contains(byte)
            }
            return !trimmed.isEmpty && allowed && trimmed.count <= 100 ? trimmed : nil
        }
    }

    private static let mediaTypePunctuation: Set<UInt8> = Set("/+.-;=, \"".utf8)

    /// "600", " 600 " or "600px" → "600"; anything else (percentages, huge values) → nil.
    static func number(_ raw: String) -> String? {
        var digits = Substring(raw.trimmingASCIIWhitespace())
        if digits.hasSuffix("px") { digits = digits.dropLast(2) }
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits)
        else { return nil }
        return String(value)
    }
}

/// What links, images, embeds, media and headings need beyond their allowed attributes.
enum ElementRoles {
    /// The attribute that records a heading's level in the source, so that demotion happens once.
    static let levelAttribute = "data-level"
    /// Sandbox for allowed video players: their own scripts run, in their own origin, no more.
    static let iframeSandbox = "allow-scripts allow-same-origin allow-popups allow-presentation"

    /// Links open in a new tab without giving the target page a handle on ours.
    static func link(_ attributes: inout [(name: String, value: String?)], _ rule: ElementRule) -> TreeWalkerDecision {
        if attributes.contains(where: { $0.name == "href" }) {
            attributes.append(("rel", "noopener noreferrer"))
            attributes.append(("target", "_blank"))
        }
        return .write(rule.id)
    }

    /// Images need a source, are never tracking pixels, and load lazily.
    static func image(_ attributes: inout [(name: String, value: String?)], _ rule: ElementRule,
                      lazySource: String?, urls: URLFilter, policy: CompiledPolicy) -> TreeWalkerDecision {
        if !attributes.contains(where: { $0.name == "src" }), let lazy = lazySource.flatMap(urls.clean) {
            attributes.insert(("src", lazy), at: 0)
        }
        let source = attributes.first { $0.name == "src" }?.value
        guard source != nil || attributes.contains(where: { $0.name == "srcset" }) else { return .drop }
        if let source, let host = URLFilter.host(of: source), policy.isTracker(host: host) { return .drop }
        let width = attributes.first { $0.name == "width" }?.value.flatMap { Int($0) }
        let height = attributes.first { $0.name == "height" }?.value.flatMap { Int($0) }
        if width == 0 || height == 0 { return .drop }
        if let width, let height, width <= 1, height <= 1 { return .drop }
        attributes.append(("loading", "lazy"))
        return .write(rule.id)
    }

    /// Embeds only from the policy's hosts, over https, sandboxed.
    static func iframe(_ attributes: inout [(name: String, value: String?)], _ rule: ElementRule,
                       policy: CompiledPolicy) -> TreeWalkerDecision {
        guard let index = attributes.firstIndex(where: { $0.name == "src" }),
              var source = attributes[index].value, !URLFilter.hasUserInfo(source),
              let host = URLFilter.host(of: source), policy.iframeHosts.contains(host) else { return .drop }
        if source.hasPrefix("http://") { source = "https://" + source.dropFirst("http://".count) }
        guard source.hasPrefix("https://") else { return .drop }
        attributes[index].value = source
        attributes.append(("sandbox", iframeSandbox))
        attributes.append(("loading", "lazy"))
        return .write(rule.id)
    }

    /// Audio and video always show their controls and never play by themselves.
    static func media(_ attributes: inout [(name: String, value: String?)], _ rule: ElementRule) -> TreeWalkerDecision {
        attributes.append(("controls", nil))
        return .write(rule.id)
    }

    /// A `<source>` without any usable URL is not written. Its content is kept: libxml2 does not
    /// know `<source>` as empty and nests the following siblings (the `<img>`, fallback text) in it.
    static func source(_ attributes: inout [(name: String, value: String?)], _ rule: ElementRule) -> TreeWalkerDecision {
        attributes.contains { $0.name == "src" || $0.name == "srcset" } ? .write(rule.id) : .unwrap
    }

    /// Headings move two levels down (h1 → h3, capped at h6) so that the page's own headings stay
    /// on top. The source level is recorded in `data-level`; a heading already at the demoted
    /// level for its recorded source level is left alone, which makes a second pass a no-op and
    /// still cannot raise a heading above h3.
    static func heading(_ attributes: inout [(name: String, value: String?)], level: Int, marked: Int?,
                        policy: CompiledPolicy) -> TreeWalkerDecision {
        attributes.removeAll()
        let source: Int
        if let marked, (1...6).contains(marked), demoted(marked) == level {
            source = marked
        } else {
            source = level
        }
        let target = policy.headingIDs[demoted(source)]
        guard target >= 0 else { return .unwrap }
        attributes.append((levelAttribute, String(source)))
        return .write(target)
    }

    static func demoted(_ level: Int) -> Int { min(level + 2, 6) }
}

/// How the walker writes one element: as a rule, without its tags, or not at all.
enum TreeWalkerDecision: Equatable {
    case write(Int)
    case unwrap
    case drop
}

extension String {
    /// The string without leading and trailing ASCII whitespace (space, tab, LF, FF, CR).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == 0 && last == bytes.count - 1 { return self }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
