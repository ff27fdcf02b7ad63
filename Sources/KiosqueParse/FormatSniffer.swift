// Detection by content, never by file name or Content-Type: a bounded look at the first bytes.
internal import Foundation

/// What the first bytes of an input look like.
enum SniffedKind: Equatable {
    case xml, json, html, empty
    case binary
    case text
}

/// Looks at a bounded prefix of UTF-8 bytes.
enum FormatSniffer {
    static let prefixLength = 4096

    static func sniff(_ b: UnsafeRawBufferPointer) -> SniffedKind {
        let n = min(b.count, prefixLength)
        var i = 0
        while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        if i == b.count { return .empty }
        if i == n { return .text }
        var controls = 0
        for k in i..<n where b[k] < 0x20 && b[k] != 0x09 && b[k] != 0x0A && b[k] != 0x0D { controls += 1 }
        if controls > 0 && controls * 100 > (n - i) { return .binary }
        if b[i] == 0x7B { return .json }
        guard b[i] == 0x3C else { return .text }
        let head = String(decoding: UnsafeRawBufferPointer(rebasing: b[i..<n]), as: UTF8.self)
        if let root = firstElementName(head)?.lowercased() {
            if root == "html" || root == "head" || root == "body" { return .html }
            return .xml
        }
        return head.prefix(14).lowercased() == "<!doctype html" ? .html : .xml
    }

    /// Where a feed starts after leading junk: the first `<?xml`, `<rss`, `<feed` or `<rdf:RDF` found
    /// past the first byte within the first 64 KB; nil when there is none.
    static func embeddedFeedStart(_ b: UnsafeRawBufferPointer) -> Int? {
        let n = min(b.count, 1 << 16)
        guard n > 1 else { return nil }
        let markers: [[UInt8]] = ["<?xml", "<rss", "<feed", "<rdf:RDF"].map { Array($0.utf8) }
        for i in 1..<n where b[i] == 0x3C {
            for marker in markers where i + marker.count < n {
                // The whole name: `<feedback>` is no feed.
                let after = b[i + marker.count]
                if after == 0x20 || after == 0x3E || after == 0x0A || after == 0x0D || after == 0x09,
                   b[i..<(i + marker.count)].elementsEqual(marker) { return i }
            }
        }
        return nil
    }

    /// The name of the first element, skipping the XML declaration, comments, PIs and DOCTYPE.
    static func firstElementName(_ s: String) -> String? {
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            if after.hasPrefix("!--") {
                guard let end = after.range(of: "-->") else { return nil }
                rest = after[end.upperBound...]
            } else if after.hasPrefix("?") || after.hasPrefix("!") {
                guard let end = after.firstIndex(of: ">") else { return nil }
                rest = after[after.index(after: end)...]
            } else {
                let name = after.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
                return name.isEmpty ? nil : String(name.split(separator: ":").last ?? name)
            }
        }
        return nil
    }
}
