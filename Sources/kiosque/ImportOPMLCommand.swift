import ArgumentParser
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KiosqueConfig

/// `kiosque import-opml`: turn another reader's OPML export into `sources`/`channels` entries for
/// channels.yml — printed for review, or appended to a copy of the file (its comments kept).
struct ImportOPMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Propose channels.yml entries for the feeds of an OPML file.",
        discussion: "Outline folders become channels; feeds already in the configuration (same URL) are skipped."
    )

    @OptionGroup var locations: LocationOptions
    @Argument(help: ArgumentHelp("The OPML file.", valueName: "file")) var file: String
    @Option(name: .customLong("merge-into"), help: ArgumentHelp("Write a copy of the configuration with the new entries appended.", valueName: "file"))
    var mergeInto: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIFailure.user("\(file): the file does not exist or cannot be read") }
        let reader = OPMLReader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.complete else {
            throw CLIFailure.user("\(file):\(parser.lineNumber): not a readable OPML file (\(parser.parserError?.localizedDescription ?? "XML error"))")
        }
        let existing = try? locations.loadConfiguration(printWarnings: false)
        var usedIDs = Set((existing?.catalog.sources.map(\.id) ?? []) + (existing?.catalog.channels.map(\.id) ?? []))
        let knownURLs = Set(existing?.catalog.sources.map(\.url) ?? [])
        var sourcesYAML: [String] = [], channelsYAML: [String] = []
        for group in reader.groups {
            var ids: [String] = []
            for feed in group.feeds where !knownURLs.contains(feed.url) {
                let id = Self.uniqueSlug(feed.title, used: &usedIDs)
                ids.append(id)
                sourcesYAML.append("  - { id: \(id), url: \(Self.quoted(feed.url)), title: \(Self.quoted(feed.title)) }")
            }
            guard !ids.isEmpty else { continue }
            let channelID = Self.uniqueSlug(group.title, used: &usedIDs)
            channelsYAML.append("  - { id: \(channelID), title: \(Self.quoted(group.title)), sources: [\(ids.joined(separator: ", "))] }")
        }
        guard !sourcesYAML.isEmpty else {
            print("Nothing to import: every feed of \(file) is already declared.")
            return
        }
        let proposal = "# Imported from \(file): add the channels to a bouquet.\nsources:\n" + sourcesYAML.joined(separator: "\n")
            + "\nchannels:\n" + channelsYAML.joined(separator: "\n") + "\n"
        guard let mergeInto else {
            print(proposal, terminator: "")
            return
        }
        guard var text = try? String(contentsOfFile: locations.configPath, encoding: .utf8) else {
            throw CLIFailure.user("\(locations.configPath): cannot read the configuration to merge into")
        }
        text = Self.append(sourcesYAML, under: "sources", in: text)
        text = Self.append(channelsYAML, under: "channels", in: text)
        do { try text.write(toFile: mergeInto, atomically: true, encoding: .utf8) } catch {
            throw CLIFailure.user("cannot write \(mergeInto): \(error.localizedDescription)")
        }
        print("Wrote \(mergeInto) with \(sourcesYAML.count) source(s) and \(channelsYAML.count) channel(s) added; check it with `kiosque check \(mergeInto)`.")
    }

    /// Inserts entries at the end of a top-level block list, leaving every other line (and comment) as it was.
    static func append(_ entries: [String], under key: String, in text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("\(key):") }) else {
            return text + (text.hasSuffix("\n") ? "" : "\n") + "\(key):\n" + entries.joined(separator: "\n") + "\n"
        }
        var end = start + 1
        while end < lines.count, lines[end].isEmpty || lines[end].hasPrefix(" ") || lines[end].hasPrefix("#") { end += 1 }
        while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        lines.insert(contentsOf: entries, at: end)
        return lines.joined(separator: "\n")
    }

    static func uniqueSlug(_ title: String, used: inout Set<String>) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
        var slug = String(folded.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        slug = String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(48))
        if slug.isEmpty { slug = "flux" }
        var candidate = slug, n = 2
        while used.contains(candidate) { candidate = "\(slug)-\(n)"; n += 1 }
        used.insert(candidate)
        return candidate
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Collects feed outlines, grouped by their enclosing folder outline.
final class OPMLReader: NSObject, XMLParserDelegate {
    struct Feed { var title: String; var url: String }
    struct Group { var title: String; var feeds: [Feed] }
    private(set) var groups: [Group] = []
    /// Whether the document's `</opml>` was reached (a truncated file is refused, not half-imported).
    private(set) var complete = false
    private var stack: [String?] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        guard name == "outline" else { return }
        let title = attributes["title"] ?? attributes["text"] ?? ""
        if let url = attributes["xmlUrl"], !url.isEmpty {
            let folder = stack.compactMap { $0 }.last ?? "Importés"
            if let index = groups.firstIndex(where: { $0.title == folder }) {
                groups[index].feeds.append(Feed(title: title.isEmpty ? url : title, url: url))
            } else {
                groups.append(Group(title: folder, feeds: [Feed(title: title.isEmpty ? url : title, url: url)]))
            }
            stack.append(nil)
        } else {
            stack.append(title.isEmpty ? nil : title)
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "outline", !stack.isEmpty { stack.removeLast() }
        if name == "opml" { complete = true }
    }
}
