import Foundation
import KiosqueModel

/// Writes OPML 2.0 outlines of sources grouped by channel (catalogue or an agent's subscriptions).
struct OPMLWriter {
    struct Group {
        var title: String
        var sources: [SourceDefinition]
    }

    func document(title: String, groups: [Group]) -> String {
        let xml = AtomWriter(baseURL: "")
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n"
        out += "  <head><title>\(xml.escape(title))</title><dateCreated>\(Date().formatted(.dateTime))</dateCreated></head>\n  <body>\n"
        for group in groups {
            out += "    <outline text=\"\(xml.escape(group.title))\" title=\"\(xml.escape(group.title))\">\n"
            for source in group.sources where !source.url.lowercased().hasPrefix("file:") {
                let title = xml.escape(source.title ?? source.id)
                out += "      <outline type=\"rss\" text=\"\(title)\" title=\"\(title)\" xmlUrl=\"\(xml.escape(source.url))\"/>\n"
            }
            out += "    </outline>\n"
        }
        out += "  </body>\n</opml>\n"
        return out
    }
}
