// RSS 1.0 and 0.90 are RDF documents: items are siblings of the channel under rdf:RDF and are
// identified by rdf:about. The element vocabulary is RSS's, so `RSSReader` reads them in RDF mode.
internal import KiosqueModel

/// Recognizes RDF-based RSS roots.
enum RDFSupport {
    /// A reader for an `rdf:RDF` root; the 0.90 namespace is confirmed when its channel appears.
    static func reader(for root: XMLName) -> SAXReader? {
        guard root.local == .RDF, root.ns == .rdf else { return nil }
        return RSSReader(format: .rss10, isRDF: true)
    }
}
