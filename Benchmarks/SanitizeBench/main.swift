// SanitizeBench: sanitizes ≥ 20 MB of generated, real-looking article HTML (the shapes feeds
// send: WordPress lazy-loaded images, embeds, scripts, tracking pixels, entities, tables) and
// prints throughput and peak memory. Usage: SanitizeBench [megabytes] (default 24).
import Foundation
import KiosqueSanitize

/// A small deterministic generator (xorshift64*), so that every run measures the same input.
struct Xorshift {
    var state: UInt64
    mutating func below(_ n: Int) -> Int {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return Int((state &* 2_685_821_657_736_338_717) % UInt64(n))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

let words = """
    le conseil municipal a voté mardi soir budget primitif de la commune équilibré investissements \
    travaux voirie école maternelle médiathèque subvention association sportive quartier habitants \
    réunion publique délibération adjoint maire préfecture département région transport scolaire \
    collecte déchets tri sélectif éclairage public rénovation énergétique bâtiments communaux été \
    festival marché producteurs locaux fermeture temporaire déviation chantier réseau eau potable
    """.split(separator: " ").map(String.init)

func sentence(_ rng: inout Xorshift) -> String {
    var parts: [String] = []
    for index in 0..<(8 + rng.below(14)) {
        var word = rng.pick(words)
        if index == 0 { word = word.prefix(1).uppercased() + word.dropFirst() }
        switch rng.below(30) {
        case 0: word = "<strong>\(word)</strong>"
        case 1: word = "<em>\(word)</em>"
        case 2: word = "<a href=\"/actualites/\(word)-\(rng.below(9999)).html\" class=\"tag\">\(word)</a>"
        case 3: word = "<a href=\"https://www.example.fr/\(word)?utm_source=rss&amp;utm_medium=feed\" onclick=\"track(this)\">\(word)</a>"
        case 4: word += "&nbsp;:"
        case 5: word = "«&#160;\(word)&#160;»"
        default: break
        }
        parts.append(word)
    }
    return parts.joined(separator: " ") + "."
}

func block(_ rng: inout Xorshift) -> String {
    switch rng.below(20) {
    case 0:
        let n = rng.below(900)
        return """
            <figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" \
            src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" \
            data-src="https://www.example.fr/wp-content/uploads/2024/05/photo-\(n).jpg" \
            srcset="https://www.example.fr/wp-content/uploads/2024/05/photo-\(n)-300x200.jpg 300w, \
            https://www.example.fr/wp-content/uploads/2024/05/photo-\(n)-1024x683.jpg 1024w" \
            sizes="(max-width: 1024px) 100vw, 1024px" alt="Photo \(n)" class="lazyload" style="width:100%">\
            <figcaption>\(sentence(&rng))</figcaption></figure>
            """
    case 1:
        return "<ul>" + (0..<(2 + rng.below(5))).map { _ in "<li>\(sentence(&rng))</li>" }.joined() + "</ul>"
    case 2: return "<blockquote class=\"quote\"><p>\(sentence(&rng))</p><cite>\(rng.pick(words))</cite></blockquote>"
    case 3: return "<h2 id=\"s\(rng.below(99))\">\(sentence(&rng))</h2>"
    case 4:
        return "<div class=\"embed\"><iframe src=\"https://www.youtube-nocookie.com/embed/v\(rng.below(99999))\" "
            + "width=\"560\" height=\"315\" frameborder=\"0\" allowfullscreen></iframe></div>"
    case 5: return "<script type=\"text/javascript\">window.dataLayer=window.dataLayer||[];dataLayer.push({'event':'view'});</script>"
    case 6:
        return "<table class=\"horaires\"><tr><th>Jour</th><th>Horaires</th></tr>"
            + (0..<5).map { _ in "<tr><td>\(rng.pick(words))</td><td>9 h – 12 h</td></tr>" }.joined() + "</table>"
    case 7: return "<img src=\"https://feeds.feedburner.com/~r/site/~4/\(rng.below(99999))\" height=\"1\" width=\"1\" alt=\"\"/>"
    case 8: return "<div class=\"share\"><span style=\"color:red\">Partager</span> <!-- share buttons --></div>"
    default:
        return "<p style=\"text-align:justify\">" + (0..<(1 + rng.below(4))).map { _ in sentence(&rng) }.joined(separator: " ") + "</p>"
    }
}

func article(_ rng: inout Xorshift) -> String {
    let count = 3 + rng.below(40)
    return "<div class=\"entry-content\">\n" + (0..<count).map { _ in block(&rng) }.joined(separator: "\n") + "\n</div>"
}

func peakRSSKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }
    return -1
}

let targetMB = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 24
var rng = Xorshift(state: 20_240_501)
var items: [String] = []
var totalBytes = 0
while totalBytes < targetMB * 1_000_000 {
    let item = article(&rng)
    totalBytes += item.utf8.count
    items.append(item)
}
let base = URL(string: "https://www.example.fr/2024/05/article.html")
let sanitizer = HTMLSanitizer()
_ = sanitizer.sanitizeAndExtract(items[0], baseURL: base)  // warm-up

/// CPU time of this process in seconds: on a shared machine, wall time alone measures the neighbours.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

@MainActor func measure(_ label: String, _ body: (String) -> Int) {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    var outBytes = 0
    for item in items { outBytes += body(item) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let cpu = cpuSeconds() - cpuStart
    let mb = Double(totalBytes) / 1e6
    print(String(format: "%@: %.1f MB in %d items, %.2f s wall, %.1f MB/s (%.1f MB/s of CPU time), output %.1f MB",
                 label, mb, items.count, seconds, mb / seconds, mb / cpu, Double(outBytes) / 1e6))
}

measure("sanitizeAndExtract") { item in
    let result = sanitizer.sanitizeAndExtract(item, baseURL: base)
    return result.html.utf8.count + result.text.utf8.count
}
measure("sanitize") { sanitizer.sanitize($0, baseURL: base).utf8.count }
measure("TextExtractor.text") { TextExtractor.text(fromHTML: $0).utf8.count }
print("peak RSS (VmHWM): \(peakRSSKilobytes() / 1024) MB")
