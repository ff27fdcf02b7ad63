// ParseBench: Kiosque's feed parser against bare libxml2 SAX (empty callbacks) on the same bytes,
// measured in the same run. Feeds are generated one at a time (or read from the files and folders
// given as arguments), so peak memory does not grow with the size of the corpus.
//
//   ParseBench [--mb N] [--check] [--write DIR] [FILE|DIR ...]
import CLibXML2
import Foundation
import KiosqueParse

// MARK: corpus

/// Deterministic pseudo-random numbers, so every run parses the same corpus.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ options: [T]) -> T { options[Int(next() % UInt64(options.count))] }
}

let words = ["mairie", "conseil", "délibération", "été", "budget", "travaux", "école", "médiathèque", "réunion",
             "sécurité", "voirie", "œuvre", "fête", "région", "éco-quartier", "l’agenda", "crèche", "piscine"]
let dates = ["Fri, 31 Jan 2025 08:00:00 GMT", "lun., 06 janv. 2025 14:30:00 +0100", "2025-03-10T08:15:30+02:00",
             "Tue, 01 Jul 2025 12:00 CEST", "Mon, 06 Jan 25 14:30 EST"]

func sentence(_ rng: inout SplitMix64, _ count: Int) -> String {
    (0..<count).map { _ in rng.pick(words) }.joined(separator: " ")
}

/// One generated feed of about `targetBytes`, in one of five shapes.
func generateFeed(_ index: Int, targetBytes: Int = 200_000) -> [UInt8] {
    var rng = SplitMix64(state: UInt64(index) &* 7919)
    let shape = index % 5
    var out = ""
    out.reserveCapacity(targetBytes + 8192)
    switch shape {
    case 0, 4:
        out += "<?xml version=\"1.0\" encoding=\"\(shape == 4 ? "ISO-8859-1" : "UTF-8")\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel><title>Flux \(index) &amp; \(sentence(&rng, 3))</title><link>https://bench.example.org/\(index)/</link><description>\(sentence(&rng, 8))</description><language>fr</language><atom:link rel=\"self\" href=\"https://bench.example.org/\(index)/feed\"/><ttl>30</ttl>\n"
        var n = 0
        while out.utf8.count < targetBytes {
            n += 1
            out += "<item><title>\(sentence(&rng, 6)) &#8211; n°\(n)</title><link>https://bench.example.org/\(index)/articles/\(n)?utm=rss&amp;x=1</link>"
            if n % 3 != 0 { out += "<guid isPermaLink=\"false\">bench-\(index)-\(n)</guid>" }
            out += "<pubDate>\(rng.pick(dates))</pubDate><dc:creator>\(rng.pick(words).capitalized) Martin</dc:creator><category>\(rng.pick(words))</category><category>\(rng.pick(words))</category>"
            out += "<description>&lt;p&gt;\(sentence(&rng, 40)) &lt;a href=\"https://bench.example.org/x?a=1&amp;amp;b=2\"&gt;lien&lt;/a&gt;&lt;/p&gt;</description>"
            out += "<content:encoded><![CDATA[<p>\(sentence(&rng, 80))</p><p><img src=\"/img/\(n).jpg\" alt=\"\"> \(sentence(&rng, 80))</p>]]></content:encoded>"
            if n % 4 == 0 { out += "<enclosure url=\"https://cdn.example.org/\(n).mp3\" length=\"\(n * 1000)\" type=\"audio/mpeg\"/><media:content url=\"https://cdn.example.org/\(n).jpg\" type=\"image/jpeg\"/>" }
            out += "</item>\n"
        }
        out += "</channel></rss>\n"
    case 1, 3:
        out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\" xml:base=\"https://atom.example.org/\(index)/\"><title type=\"html\">Atom \(index) &lt;em&gt;\(sentence(&rng, 2))&lt;/em&gt;</title><link href=\"./\"/><link rel=\"self\" href=\"feed.atom\"/><id>urn:bench:\(index)</id><updated>2025-01-31T18:30:02Z</updated><author><name>Rédaction</name></author>\n"
        var n = 0
        while out.utf8.count < targetBytes {
            n += 1
            out += "<entry><title>\(sentence(&rng, 7))</title><link rel=\"alternate\" type=\"text/html\" href=\"articles/\(n).html\"/><link rel=\"replies\" href=\"c/\(n)\"/><id>urn:bench:\(index):\(n)</id><published>2025-01-\(10 + n % 18)T08:00:00+01:00</published><updated>2025-02-01T08:00:00Z</updated><category term=\"\(rng.pick(words))\"/>"
            out += "<summary>\(sentence(&rng, 30))</summary>"
            if shape == 1 {
                out += "<content type=\"html\">&lt;p&gt;\(sentence(&rng, 150))&lt;/p&gt;</content>"
            } else {
                out += "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>\(sentence(&rng, 70)) <b>gras</b></p><p>\(sentence(&rng, 70))<br/></p></div></content>"
            }
            out += "</entry>\n"
        }
        out += "</feed>\n"
    default:
        out += "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"https://rdf.example.org/\(index)\"><title>RDF \(index)</title><link>https://rdf.example.org/\(index)</link><description>\(sentence(&rng, 6))</description></channel>\n"
        var n = 0
        while out.utf8.count < targetBytes {
            n += 1
            out += "<item rdf:about=\"https://rdf.example.org/\(index)/\(n)\"><title>\(sentence(&rng, 6))</title><link>https://rdf.example.org/\(index)/\(n)</link><description>\(sentence(&rng, 120))</description><dc:date>2025-01-31T08:00:00+01:00</dc:date><dc:subject>\(rng.pick(words))</dc:subject></item>\n"
        }
        out += "</rdf:RDF>\n"
    }
    if shape == 4 {
        // Latin-1 bytes: the French words lose their typographic apostrophes and œ on the way.
        let latin = out.replacingOccurrences(of: "’", with: "'").replacingOccurrences(of: "œ", with: "oe")
        return latin.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3F }
    }
    return Array(out.utf8)
}

// MARK: bare libxml2

/// libxml2's own SAX2 push parse of the same bytes, same options, callbacks that do nothing.
func bareLibXML2(_ bytes: [UInt8]) {
    var handler = xmlSAXHandler()
    handler.initialized = XML_SAX2_MAGIC
    handler.startElementNs = { _, _, _, _, _, _, _, _, _ in }
    handler.endElementNs = { _, _, _, _ in }
    handler.characters = { _, _, _ in }
    handler.cdataBlock = { _, _, _ in }
    handler.serror = { _, _ in }
    guard let ctxt = xmlCreatePushParserCtxt(&handler, nil, nil, 0, nil) else { return }
    xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue))
    bytes.withUnsafeBufferPointer { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
        var offset = 0
        let chunk = 1 << 18
        while offset < buffer.count {
            let size = min(chunk, buffer.count - offset)
            xmlParseChunk(ctxt, base + offset, Int32(size), offset + size >= buffer.count ? 1 : 0)
            offset += size
        }
    }
    if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc) }
    xmlFreeParserCtxt(ctxt)
}

// MARK: measurement

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func peakRSS() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return "n/a" }
    return line.dropFirst(6).trimmingCharacters(in: .whitespaces)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var targetMB = 50
var check = false
if let i = arguments.firstIndex(of: "--mb"), i + 1 < arguments.count, let mb = Int(arguments[i + 1]) {
    targetMB = mb
    arguments.removeSubrange(i...(i + 1))
}
if let i = arguments.firstIndex(of: "--check") { check = true; arguments.remove(at: i) }
if let i = arguments.firstIndex(of: "--write"), i + 1 < arguments.count {
    // Writes the generated corpus to a folder (to profile or to compare other parsers on it).
    let folder = URL(fileURLWithPath: arguments[i + 1])
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var written = 0, n = 0
    while written < targetMB << 20 {
        let bytes = generateFeed(n)
        try Data(bytes).write(to: folder.appendingPathComponent("feed-\(n).xml"))
        written += bytes.count
        n += 1
    }
    print("wrote \(n) feeds, \(written >> 20) MB to \(folder.path)")
    exit(0)
}

/// The inputs, produced lazily one at a time.
var files: [URL] = []
for path in arguments {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if isDirectory.boolValue, let children = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) {
        for case let child as URL in children where !child.hasDirectoryPath { files.append(child) }
    } else {
        files.append(url)
    }
}
let generated = files.isEmpty

xmlInitParser()
var totalBytes = 0, bareNanos: UInt64 = 0, kiosqueNanos: UInt64 = 0
var feeds = 0, items = 0, failures = 0
var index = 0
while generated ? totalBytes < targetMB << 20 : index < files.count {
    let bytes = generated ? generateFeed(index) : ((try? Data(contentsOf: files[index])).map { Array($0) } ?? [])
    index += 1
    let data = Data(bytes)
    // Best of two runs each, interleaved, so neither side gets a warmer cache.
    var bestBare = UInt64.max, bestKiosque = UInt64.max
    for _ in 0..<2 {
        let t0 = now()
        bareLibXML2(bytes)
        let t1 = now()
        let result = try? FeedParser.parse(data, url: URL(string: "https://bench.example.org/feed"))
        let t2 = now()
        bestBare = min(bestBare, t1 - t0)
        bestKiosque = min(bestKiosque, t2 - t1)
        if let result { items += result.items.count } else { failures += 1 }
    }
    bareNanos += bestBare
    kiosqueNanos += bestKiosque
    totalBytes += bytes.count
    feeds += 1
}

let megabytes = Double(totalBytes) / 1_048_576
let bare = megabytes / (Double(bareNanos) / 1e9)
let kiosque = megabytes / (Double(kiosqueNanos) / 1e9)
let ratio = kiosque / bare
print("ParseBench: \(feeds) feeds, \(String(format: "%.1f", megabytes)) MB (\(generated ? "generated: RSS 2.0, Latin-1 RSS, Atom html, Atom xhtml, RDF" : "from disk"))")
print(String(format: "  libxml2 bare SAX : %8.1f MB/s", bare))
print(String(format: "  Kiosque parse    : %8.1f MB/s  (%d items/run, %d failures)", kiosque, items / 2, failures / 2))
print(String(format: "  ratio            : %8.0f %%   (target >= 50 %%)", ratio * 100))
print("  peak RSS (VmHWM) : \(peakRSS())")
if check && ratio < 0.5 { exit(1) }
