import CLibXML2
import Foundation
import KiosqueSanitize
import Testing

/// Shared test values.
enum Fixture {
    static let sanitizer = HTMLSanitizer()
    static let base = URL(string: "https://news.example.org/2024/05/article.html")!

    /// The text of `Fixtures/<name>`.
    static func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// An independent judge of sanitizer output: parses it again with libxml2 and lists everything
/// that could run script, load an unlisted frame or leak past the policy. It shares no code with
/// the sanitizer's walker, so a walker bug cannot hide itself here.
enum SafetyCheck {
    /// Attributes the sanitizer adds itself, per element.
    static let added: [String: Set<String>] = [
        "a": ["rel", "target"], "img": ["loading"], "iframe": ["sandbox", "loading"],
        "audio": ["controls"], "video": ["controls"],
        "h3": ["data-level"], "h4": ["data-level"], "h5": ["data-level"], "h6": ["data-level"],
    ]
    static let urlAttributes: Set<String> = ["href", "src", "poster", "cite", "action", "formaction", "data", "background"]

    /// Problems found in `html`; empty when it is safe.
    static func violations(in html: String) -> [String] {
        var problems: [String] = []
        let lowered = html.lowercased()
        for marker in ["<script", "<style", "<!--", "<svg", "<math", "<object", "<embed", "<form", "<base", "<meta", "<link"]
        where lowered.contains(marker) {
            problems.append("raw \(marker)")
        }
        var bytes = Array("<check-root>\(html)".utf8)
        let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NOIMPLIED.rawValue | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NODEFDTD.rawValue)
        guard let doc = bytes.withUnsafeMutableBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", options)
            }
        }) else { return html.isEmpty ? [] : ["unparsable"] }
        defer { xmlFreeDoc(doc) }
        check(doc.pointee.children, depth: 0, wrapper: true, into: &problems)
        return problems
    }

    private static func check(_ first: xmlNodePtr?, depth: Int, wrapper: Bool, into problems: inout [String]) {
        var node = first
        while let current = node {
            node = current.pointee.next
            if current.pointee.type == XML_COMMENT_NODE { problems.append("comment") }
            guard current.pointee.type == XML_ELEMENT_NODE else { continue }
            let name = String(cString: current.pointee.name)
            if wrapper {
                check(current.pointee.children, depth: depth, wrapper: false, into: &problems)
                continue
            }
            guard let allowed = SanitizerPolicy.standard.allowedElements[name] else {
                problems.append("element <\(name)>")
                continue
            }
            var attributes: [String: String] = [:]
            var property = current.pointee.properties
            while let attribute = property {
                property = attribute.pointee.next
                let attributeName = String(cString: attribute.pointee.name)
                var value = ""
                if let content = xmlNodeListGetString(doc(of: current), attribute.pointee.children, 1) {
                    value = String(cString: content)
                    kiosque_xmlFree(content)
                }
                attributes[attributeName] = value
                if allowed[attributeName] == nil, !(added[name]?.contains(attributeName) ?? false) {
                    problems.append("attribute \(name)@\(attributeName)")
                }
                if urlAttributes.contains(attributeName), !isSafeURL(value) {
                    problems.append("url \(name)@\(attributeName)=\(value)")
                }
                if attributeName == "srcset" {
                    for url in srcsetURLs(value) where !isSafeURL(url) { problems.append("srcset url \(url)") }
                }
            }
            if name == "iframe" {
                let host = URL(string: attributes["src"] ?? "")?.host ?? ""
                if !(attributes["src"] ?? "").hasPrefix("https://")
                    || !SanitizerPolicy.standard.iframeHosts.contains(host) || attributes["sandbox"] == nil {
                    problems.append("iframe \(attributes)")
                }
            }
            if name == "a", attributes["href"] != nil, attributes["rel"] != "noopener noreferrer" {
                problems.append("link without rel")
            }
            if depth > 200 { problems.append("too deep") }
            check(current.pointee.children, depth: depth + 1, wrapper: false, into: &problems)
        }
    }

    /// The URLs of a srcset as the HTML standard splits it: a URL is a run of non-spaces (trailing
    /// commas removed), followed by descriptors up to the next comma.
    static func srcsetURLs(_ value: String) -> [String] {
        var urls: [String] = []
        var rest = Substring(value)
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "," }
            guard !rest.isEmpty else { return urls }
            var url = rest.prefix { !$0.isWhitespace }
            rest = rest.dropFirst(url.count)
            if url.hasSuffix(",") {
                while url.hasSuffix(",") { url = url.dropLast() }
            } else {
                rest = rest.drop { $0 != "," }
            }
            urls.append(String(url))
        }
    }

    private static func doc(of node: xmlNodePtr) -> xmlDocPtr? { node.pointee.doc }

    /// Reads the scheme the way a browser does (leading C0/space stripped, tabs and newlines
    /// deleted, case folded) and accepts only http, https and mailto.
    static func isSafeURL(_ value: String) -> Bool {
        var scalars = value.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        let cleaned = String(String.UnicodeScalarView(scalars)).lowercased()
        return cleaned.hasPrefix("http://") || cleaned.hasPrefix("https://") || cleaned.hasPrefix("mailto:")
    }
}
