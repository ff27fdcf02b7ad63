import Foundation
import KiosqueFetch
import KiosqueRefresh

/// Reads a command's input: a file, standard input (`-`), or an http(s) URL fetched like a source.
enum InputReader {
    static func read(_ input: String, locations: LocationOptions, allowURL: Bool = true) async throws -> (Data, URL?, String?) {
        if input == "-" {
            return (FileHandle.standardInput.readDataToEndOfFile(), nil, nil)
        }
        let lower = input.lowercased()
        if allowURL && (lower.hasPrefix("http://") || lower.hasPrefix("https://")) {
            var settings = FetchSettings().fillingFromEnvironment()
            if let configuration = try locations.namedConfiguration() {
                settings = RefreshPipeline.fetchSettings(for: configuration)
            }
            let engine = HTTPEngine(settings: settings)
            defer { engine.shutdown() }
            switch await engine.fetch(FetchRequest(sourceID: "cli", url: input)) {
            case .success(let response):
                return (response.body, URL(string: response.finalURL), response.charset)
            case .failure(let failure):
                throw CLIFailure.user("\(input): \(failure.message)")
            }
        }
        let path = lower.hasPrefix("file://") ? (URL(string: input)?.path ?? input) : input
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw CLIFailure.user("\(path): the file \(reason)")
        }
        return (data, URL(fileURLWithPath: path), nil)
    }
}
