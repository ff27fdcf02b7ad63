public import Foundation
public import KiosqueModel

/// Rewrites image addresses in sanitized HTML to Kiosque's own signed `/media/…` addresses: `<img src|srcset>`,
/// `<picture><source srcset>` and `<video poster>`. Done where HTML is rendered for display, not at ingest, so
/// items stored before the media cache existed get it too, and `media.mode: direct` needs no migration back.
/// The input is the sanitizer's own output (`name="value"` attributes, `&"<>` escaped), which makes a tag scan exact:
/// a literal `<img` can only be a tag there.
public struct MediaRewriter: Sendable {
    /// Signs addresses.
    public let signer: MediaSigner
    /// Tells which images (by cache key) are known to be refused: their `<img>` becomes its alt text.
    public var isRefused: @Sendable (String) -> Bool

    /// A rewriter signing with `signer`.
    public init(signer: MediaSigner, isRefused: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.signer = signer
        self.isRefused = isRefused
    }

    /// `/media/{id}` for an absolute http(s) address; nil for anything else (data:, relative, other schemes).
    public func address(for url: String, thumbnail: Bool = false) -> String? {
        let lower = url.prefix(8).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        return "/media/\(signer.id(for: url))" + (thumbnail ? "?taille=vignette" : "")
    }

    /// `html` with every image address pointing at `/media/…`, and refused images replaced by their alt text.
    public func rewrite(html: String) -> String {
        guard html.contains("<img") || html.contains("<source") || html.contains("<video") else { return html }
        var output = ""
        output.reserveCapacity(html.utf8.count + 256)
        var rest = Substring(html)
        while let open = rest.range(of: "<") {
            output += rest[..<open.lowerBound]
            let tail = rest[open.lowerBound...]
            guard let name = Self.rewrittenTags.first(where: { Self.startsTag(tail, $0) }),
                  let close = tail.firstIndex(of: ">") else {
                output += "<"
                rest = rest[open.upperBound...]
                continue
            }
            let tag = tail[..<tail.index(after: close)]
            output += rewriteTag(String(tag), name: name)
            rest = tail[tail.index(after: close)...]
        }
        output += rest
        return output
    }

    /// The first picture of an item's content: the first `<img>` with an http(s) address.
    public static func firstImage(in html: String) -> ItemPicture? {
        ItemPicture.first(inHTML: html)
    }

    private static let rewrittenTags = ["img", "source", "video"]

    private static func startsTag(_ text: Substring, _ name: String) -> Bool {
        guard text.dropFirst().hasPrefix(name) else { return false }
        let after = text.dropFirst(1 + name.count).first
        return after == " " || after == ">" || after == "/"
    }

    private func rewriteTag(_ tag: String, name: String) -> String {
        var attributes = SanitizedHTML.attributes(of: String(tag.dropLast()))
        if name == "img", let source = attributes.first(where: { $0.name == "src" })?.value.map(SanitizedHTML.unescape),
           address(for: source) != nil, isRefused(signer.mac(source)) {
            let alt = attributes.first(where: { $0.name == "alt" })?.value ?? ""
            return alt.isEmpty ? "" : "<span class=\"media-alt\">\(alt)</span>"
        }
        let rewritten: Set<String> = name == "img" ? ["src", "srcset"] : name == "source" ? ["srcset"] : ["poster"]
        for index in attributes.indices where rewritten.contains(attributes[index].name) {
            guard let value = attributes[index].value else { continue }
            let plain = SanitizedHTML.unescape(value)
            if attributes[index].name == "srcset" {
                attributes[index].value = SanitizedHTML.escape(rewriteCandidates(plain))
            } else if let local = address(for: plain) {
                attributes[index].value = local
            }
        }
        let body = attributes.map { attribute in
            attribute.value.map { " \(attribute.name)=\"\($0)\"" } ?? " \(attribute.name)"
        }.joined()
        return "<\(name)\(body)>"
    }

    private func rewriteCandidates(_ srcset: String) -> String {
        srcset.split(separator: ",").map { candidate -> String in
            let parts = candidate.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = parts.first else { return String(candidate) }
            let url = address(for: String(first)) ?? String(first)
            return ([url] + parts.dropFirst().map(String.init)).joined(separator: " ")
        }.joined(separator: ", ")
    }
}
