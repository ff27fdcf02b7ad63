import ArgumentParser
import Foundation
import KiosqueSanitize

/// `kiosque sanitize`: how an HTML fragment will be cleaned, or the text extracted from it.
struct SanitizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sanitize",
        abstract: "Print the sanitized HTML (or --text) of an HTML fragment."
    )

    @Option(help: "URL against which relative links are resolved.") var base: String?
    @Flag(help: "Print the extracted plain text instead of HTML.") var text = false
    @Argument(help: ArgumentHelp("The fragment file, or - for standard input.", valueName: "file|-")) var input: String = "-"
    @OptionGroup var locations: LocationOptions

    func run() async throws {
        let (data, _, _) = try await InputReader.read(input, locations: locations, allowURL: false)
        let html = String(decoding: data, as: UTF8.self)
        var policy = SanitizerPolicy.standard
        if let configuration = try locations.namedConfiguration() {
            policy.iframeHosts = configuration.content.iframeHosts
        }
        if let base, URL(string: base)?.scheme == nil {
            throw CLIFailure.user("--base must be an absolute URL such as https://example.org/article, found `\(base)`")
        }
        let (safe, extracted) = HTMLSanitizer(policy: policy).sanitizeAndExtract(html, baseURL: base.flatMap(URL.init(string:)))
        print(text ? extracted : safe)
    }
}
