// Element names interned once per distinct pointer: libxml2 hands out dictionary-interned
// names, so after the first sighting a name costs one pointer comparison, never a String.
internal import Foundation

/// The namespaces the feed readers care about; everything else is `.other`.
enum XMLNamespace: UInt8 {
    case none, other, atom, atom03, rdf, rss10, rss090, dc, dcterms, content, media, itunes, sy
    case slash, feedburner, xhtml, xml, googleplay, thr

    /// URI → namespace table, compared byte for byte on a cache miss.
    static let known: [(uri: [UInt8], ns: XMLNamespace)] = ([
        ("http://www.w3.org/2005/Atom", .atom), ("http://purl.org/atom/ns#", .atom03),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", .rdf), ("http://purl.org/rss/1.0/", .rss10),
        ("http://my.netscape.com/rdf/simple/0.9/", .rss090), ("http://purl.org/dc/elements/1.1/", .dc),
        ("http://purl.org/dc/terms/", .dcterms), ("http://purl.org/rss/1.0/modules/content/", .content),
        ("http://search.yahoo.com/mrss/", .media), ("http://search.yahoo.com/mrss", .media),
        ("http://www.itunes.com/dtds/podcast-1.0.dtd", .itunes),
        ("http://purl.org/rss/1.0/modules/syndication/", .sy), ("http://purl.org/rss/1.0/modules/slash/", .slash),
        ("http://rssnamespace.org/feedburner/ext/1.0", .feedburner), ("http://www.w3.org/1999/xhtml", .xhtml),
        ("http://www.w3.org/XML/1998/namespace", .xml), ("http://www.google.com/schemas/play-podcasts/1.0", .googleplay),
        ("http://purl.org/syndication/thread/1.0", .thr),
        // Default namespaces some RSS 2.0 generators put on <rss>: their elements are plain RSS.
        ("http://backend.userland.com/rss2", .none), ("http://blogs.law.harvard.edu/tech/rss", .none),
        // Older or unofficial spellings feedparser also knows: UserLand's RSS, RSS 0.91 as an RSS 1.0
        // module, the 2003 "Echo"/"Pie" drafts of Atom, iTunes' DTD in capitals.
        ("http://backend.userland.com/rss", .none), ("http://purl.org/rss/1.0/modules/rss091#", .none),
        ("http://purl.org/echo/", .atom03), ("http://purl.org/pie/", .atom03), ("http://example.com/necho", .atom03),
        ("http://example.com/newformat#", .atom03), ("uri/of/echo/namespace#", .atom03),
        ("http://www.itunes.com/DTDs/PodCast-1.0.dtd", .itunes), ("http://example.com/DTDs/PodCast-1.0.dtd", .itunes),
        // Misspellings met as default namespaces, where no prefix tells what was meant.
        ("http://www.w3.org/2005/Atom/", .atom), ("https://www.w3.org/2005/Atom", .atom), ("http://www.w3.org/2005/atom", .atom),
        ("http://purl.org/rss/1.0", .rss10), ("https://purl.org/rss/1.0/", .rss10), ("http://purl.org/dc/elements/1.0/", .dc),
    ] as [(String, XMLNamespace)]).map { (Array($0.0.utf8), $0.1) }
}

/// The element and attribute local names the readers look at; everything else is `.other`.
/// Case names are spelled exactly like the XML names they stand for.
enum LocalName: UInt8, CaseIterable {
    case other, rss, channel, item, title, link, description, guid, pubDate, lastBuildDate, author
    case category, enclosure, ttl, image, url, language, feed, entry, id, updated, published
    case modified, issued, created, summary, content, subtitle, tagline, icon, logo, name, email, uri
    case RDF, encoded, creator, date, subject, group, updatePeriod, updateFrequency, origLink
    case href, rel, type, length, fileSize, term, label, isPermaLink, about, resource, version
    case source, base, lang, mode, div, medium, keywords, items, textinput, textInput, src, text, body
    case fullitem, thumbnail

    /// Names bucketed by byte length so a miss compares against a handful of candidates.
    static let buckets: [[(bytes: [UInt8], name: LocalName)]] = {
        var table = [[(bytes: [UInt8], name: LocalName)]](repeating: [], count: 32)
        for name in allCases where name != .other {
            let bytes = Array(String(describing: name).utf8)
            table[bytes.count].append((bytes, name))
        }
        return table
    }()

    /// Looks up a NUL-terminated name of `length` bytes: exactly, else ignoring ASCII case, as
    /// feeds write `<pubdate>`, `<Title>` or `<GUID>` and readers (feedparser too) accept them.
    /// Runs once per distinct name pointer (`NameCache`), never per element.
    static func lookup(_ p: UnsafePointer<UInt8>, length: Int) -> LocalName {
        guard length < buckets.count else { return .other }
        for candidate in buckets[length] where memcmp(p, candidate.bytes, length) == 0 {
            return candidate.name
        }
        for candidate in buckets[length] where equalIgnoringCase(p, candidate.bytes) {
            return candidate.name
        }
        return .other
    }

    private static func equalIgnoringCase(_ p: UnsafePointer<UInt8>, _ bytes: [UInt8]) -> Bool {
        for k in 0..<bytes.count {
            let a = p[k], b = bytes[k]
            guard a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A) else { return false }
        }
        return true
    }
}

/// A namespace-qualified name as the readers see it.
struct XMLName: Equatable {
    var ns: XMLNamespace
    var local: LocalName
}

/// Pointer-keyed memo of libxml2's interned strings (names and namespace URIs).
/// Names are interned in the parser's dictionary, so a pointer seen once maps to the same name again.
/// A class over fixed tables, held in a `let`: looked up several times per element, it must not
/// pay for the dynamic exclusivity checks a mutating struct in a class property would.
final class NameCache {
    private let keys = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: 256)
    private let locals = UnsafeMutablePointer<LocalName>.allocate(capacity: 256)
    private let uriKeys = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: 16)
    private let uriValues = UnsafeMutablePointer<XMLNamespace>.allocate(capacity: 16)

    init() {
        keys.initialize(repeating: nil, count: 256)
        locals.initialize(repeating: .other, count: 256)
        uriKeys.initialize(repeating: nil, count: 16)
        uriValues.initialize(repeating: .other, count: 16)
    }

    deinit {
        keys.deallocate()
        locals.deallocate()
        uriKeys.deallocate()
        uriValues.deallocate()
    }

    func local(_ p: UnsafePointer<UInt8>) -> LocalName {
        let raw = UnsafeRawPointer(p)
        let slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: raw)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if keys[slot] == raw { return locals[slot] }
        let name = LocalName.lookup(p, length: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
        keys[slot] = raw
        locals[slot] = name
        return name
    }

    /// Namespaces by their customary prefix, for feeds that use a prefix without declaring it.
    private static let conventional: [(prefix: [UInt8], ns: XMLNamespace)] = ([
        ("dc", .dc), ("dcterms", .dcterms), ("content", .content), ("media", .media), ("itunes", .itunes),
        ("sy", .sy), ("slash", .slash), ("feedburner", .feedburner), ("atom", .atom), ("rdf", .rdf), ("xhtml", .xhtml),
    ] as [(String, XMLNamespace)]).map { (Array($0.0.utf8), $0.1) }

    func conventionalNamespace(prefix: UnsafePointer<UInt8>) -> XMLNamespace {
        let length = strlen(UnsafeRawPointer(prefix).assumingMemoryBound(to: CChar.self))
        for entry in Self.conventional where entry.prefix.count == length && memcmp(prefix, entry.prefix, length) == 0 {
            return entry.ns
        }
        return .other
    }

    /// A namespace URI nobody knows that the document's root declared as its default: read as
    /// `aliasNamespace` (set once per parse, before any other element).
    @exclusivity(unchecked) private var aliasURI: UnsafeRawPointer?
    @exclusivity(unchecked) private var aliasNamespace = XMLNamespace.other

    /// Reads the interned URI `p` as `ns` from now on.
    func alias(_ p: UnsafePointer<UInt8>, as ns: XMLNamespace) {
        aliasURI = UnsafeRawPointer(p)
        aliasNamespace = ns
    }

    func namespace(_ p: UnsafePointer<UInt8>?) -> XMLNamespace {
        guard let p else { return .none }
        let raw = UnsafeRawPointer(p)
        if raw == aliasURI { return aliasNamespace }
        let slot = Int(truncatingIfNeeded: UInt(bitPattern: raw) >> 4) & 15
        if uriKeys[slot] == raw { return uriValues[slot] }
        let length = strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
        var ns = XMLNamespace.other
        for entry in XMLNamespace.known where entry.uri.count == length && memcmp(p, entry.uri, length) == 0 {
            ns = entry.ns
            break
        }
        uriKeys[slot] = raw
        uriValues[slot] = ns
        return ns
    }
}
