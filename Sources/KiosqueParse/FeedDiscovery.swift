// Feed discovery: the feeds an HTML page advertises with <link rel="alternate" type="…">.
// Read with libxml2's HTML parser (tolerant of tag soup), stopping at <body>.
internal import CLibXML2
public import Foundation

/// Finds the feed URLs an HTML page advertises.
public enum FeedDiscovery {
    /// Feed MIME types worth following.
    static let feedTypes: Set<String> = ["application/rss+xml", "application/atom+xml", "application/rdf+xml",
                                         "application/feed+json", "application/json", "text/xml", "application/xml"]

    /// Absolute URLs of the `<link rel="alternate">` feeds in `data`, in page order, without duplicates.
    public static func advertisedFeeds(inHTML data: Data, baseURL: URL?) -> [String] {
        data.withUnsafeBytes { advertisedFeeds(in: $0, baseURL: baseURL?.absoluteString) }
    }

    /// Collects `<base>` and `<link>` attributes while libxml2 walks the page head.
    private final class Collector {
        var base: String?
        var links: [(rel: String, type: String, href: String)] = []
        var context: htmlParserCtxtPtr?
        var inBody = false
    }

    static func advertisedFeeds(in bytes: UnsafeRawBufferPointer, baseURL: String?) -> [String] {
        let collector = Collector()
        var handler = htmlSAXHandler()
        handler.startElement = { ctx, name, attributes in
            guard let ctx, let name else { return }
            let collector = Unmanaged<Collector>.fromOpaque(ctx).takeUnretainedValue()
            let tag = String(cString: name)
            if collector.inBody { return }
            if tag == "body" {
                collector.inBody = true // feeds are advertised in the head only
                // Halt without xmlStopParser, which frees buffers the parser still reads (libxml2 2.9).
                if let context = collector.context {
                    context.pointee.instate = XML_PARSER_EOF
                    context.pointee.disableSAX = 1
                }
                return
            }
            guard tag == "link" || tag == "base", let attributes else { return }
            var values: [String: String] = [:]
            var i = 0
            while let key = attributes[i] {
                values[String(cString: key).lowercased()] = attributes[i + 1].map { String(cString: $0) } ?? ""
                i += 2
            }
            if tag == "base" {
                if collector.base == nil { collector.base = values["href"] }
            } else if let href = values["href"] {
                collector.links.append((values["rel"] ?? "", values["type"] ?? "", href))
            }
        }
        handler.initialized = XML_SAX2_MAGIC // lets the structured error handler apply
        handler.serror = { _, _ in }
        let me = Unmanaged.passUnretained(collector).toOpaque()
        let savedHandler = __xmlStructuredError().pointee
        let savedContext = __xmlStructuredErrorContext().pointee
        xmlSetStructuredErrorFunc(me, handler.serror)
        defer { xmlSetStructuredErrorFunc(savedContext, savedHandler) }
        guard let ctxt = htmlCreatePushParserCtxt(&handler, me, nil, 0, nil, XML_CHAR_ENCODING_UTF8) else { return [] }
        collector.context = ctxt
        let options = HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOIMPLIED.rawValue
        htmlCtxtUseOptions(ctxt, Int32(options))
        // The head is near the top: a bounded prefix is enough and keeps hostile pages cheap.
        let length = min(bytes.count, 1 << 20)
        htmlParseChunk(ctxt, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(length), 1)
        if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc) }
        htmlFreeParserCtxt(ctxt)

        let base = collector.base.flatMap { URLResolver.resolve($0, against: baseURL) } ?? baseURL
        var seen = Set<String>()
        var feeds: [String] = []
        for link in collector.links {
            let rels = link.rel.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
            let type = link.type.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard rels.contains("alternate"), feedTypes.contains(type),
                  let url = URLResolver.resolve(link.href, against: base), seen.insert(url).inserted else { continue }
            feeds.append(url)
        }
        return feeds
    }
}
