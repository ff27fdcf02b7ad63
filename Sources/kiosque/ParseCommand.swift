import ArgumentParser
import Foundation
import KiosqueModel
import KiosqueParse
import KiosqueRefresh

/// `kiosque parse`: what the parser understands of a feed, sanitized exactly as the store keeps it.
struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse a feed file or URL and print it (the JSON contract with --json)."
    )

    @Argument(help: ArgumentHelp("A feed file, - for standard input, or an http(s) URL.", valueName: "file|url")) var input: String
    @Flag(help: "Print the JSON contract used by tools and tests.") var json = false
    @OptionGroup var locations: LocationOptions

    func run() async throws {
        let (data, url, charset) = try await InputReader.read(input, locations: locations)
        var feed: ParsedFeed
        do {
            feed = try FeedParser.parse(data, url: url, httpCharset: charset)
        } catch {
            throw CLIFailure.user("\(input): \(error.message)")
        }
        let configuration = try locations.namedConfiguration()
        let preparer = ItemPreparer(iframeHosts: configuration?.content.iframeHosts ?? PortalDefaults.iframeHosts,
                                    summaryLength: configuration?.content.summaryLength ?? 280)
        feed.items = preparer.prepare(feed, documentURL: url).map(\.item)
        if json {
            FileHandle.standardOutput.write(FeedJSON.encode(feed))
            print()
            return
        }
        print("\(feed.title ?? "(untitled)") — \(feed.format.rawValue), \(feed.items.count) item(s)")
        if let link = feed.link { print(link) }
        for item in feed.items {
            let date = (item.published ?? item.updated).map { $0.formatted(.iso8601) } ?? "no date"
            print("- \(date)  \(item.title ?? "(no title)")")
            if let link = item.link { print("  \(link)") }
        }
        for warning in feed.warnings { Terminal.error("warning: \(warning)") }
    }
}

/// Defaults shared by commands that may run without a configuration file.
enum PortalDefaults {
    static let iframeHosts = ["www.youtube-nocookie.com", "www.youtube.com", "player.vimeo.com", "www.dailymotion.com"]
}
