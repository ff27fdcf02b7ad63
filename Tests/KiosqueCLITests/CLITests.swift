import Foundation
import KiosqueTestServer
import Testing

/// Runs the built `kiosque` executable as a child process, as IT would.
struct CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        // Tests run from the build folder that also holds the `kiosque` binary.
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle.appendingPathComponent("kiosque"), bundle.deletingLastPathComponent().appendingPathComponent("kiosque")]
            where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return packageRoot.appendingPathComponent(".build/debug/kiosque")
    }

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the command to its end on a thread of its own (see `blockingWork`): a refresh or a backup
    /// takes seconds, and waiting on one of the threads every concurrent test runs on stalls them all.
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], in directory: URL? = nil) async throws -> Result {
        try await blockingWork { try runBlocking(arguments, stdin: stdin, environment: environment, in: directory) }
    }

    private static func runBlocking(_ arguments: [String], stdin: String?, environment: [String: String], in directory: URL?) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["KIOSQUE_CONFIG", "KIOSQUE_DATA_DIR", "KIOSQUE_CACHE_DIR"] { env.removeValue(forKey: key) }
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = directory ?? packageRoot
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite("kiosque command line")
struct CLITests {
    /// Issue 13: run outside the project folder (no channels.yml anywhere), parse and sanitize
    /// print their result and nothing about a configuration they do not need.
    @Test func parseAndSanitizeNeedNoConfiguration() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let feed = folder.appendingPathComponent("feed.xml")
        try Data(#"<rss version="2.0"><channel><title>Mairie</title><item><title>Conseil</title></item></channel></rss>"#.utf8).write(to: feed)
        let parsed = try await CLI.run(["parse", feed.path], in: folder)
        #expect(parsed.status == 0)
        #expect(parsed.stdout.contains("Mairie"))
        #expect(parsed.stderr.isEmpty, "\(parsed.stderr)")
        let sanitized = try await CLI.run(["sanitize", "-"], stdin: "<p onclick=x>ok</p>", in: folder)
        #expect(sanitized.status == 0 && sanitized.stdout.contains("<p>ok</p>"))
        #expect(sanitized.stderr.isEmpty, "\(sanitized.stderr)")
        // A configuration that is named is read, and its mistakes are reported.
        let named = try await CLI.run(["parse", feed.path, "--config", folder.appendingPathComponent("absent.yml").path], in: folder)
        #expect(named.status == 1 && named.stderr.contains("absent.yml"))
    }

    @Test func shippedConfigurationChecksClean() async throws {
        let result = try await CLI.run(["check", "channels.yml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("channels.yml: OK"))
    }

    @Test func threeMistakesAreAllReportedWithLines() async throws {
        let result = try await CLI.run(["check", "Tests/KiosqueConfigTests/Fixtures/three-mistakes.yml"])
        #expect(result.status == 1)
        let errors = result.stdout.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == 3, "\(result.stdout)")
        #expect(result.stdout.contains("three-mistakes.yml:3:13: error: `fetch.interval` must be a duration"))
        #expect(result.stdout.contains("three-mistakes.yml:5:25: error: source `cert-fr`: `url` must be"))
        #expect(result.stdout.contains("three-mistakes.yml:7:59: error: channel `securite` refers to unknown source `cnil`"))
        #expect(result.stderr.contains("3 error(s)"))
    }

    @Test func configFromEnvironment() async throws {
        let result = try await CLI.run(["check"], environment: ["KIOSQUE_CONFIG": "Tests/KiosqueConfigTests/Fixtures/three-mistakes.yml"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("three-mistakes.yml:3:13"))
    }

    @Test func missingFileIsAUserError() async throws {
        let result = try await CLI.run(["check", "/nonexistent.yml"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("/nonexistent.yml: error: the configuration file does not exist"))
    }

    @Test(arguments: [["frobnicate"], ["check", "--no-such-option"], ["serve", "--port", "not-a-number"], ["user", "add"]])
    func badInvocationsExitOne(arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 1, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func helpReadsWellAndExitsZero() async throws {
        let result = try await CLI.run(["--help"])
        #expect(result.status == 0)
        for subcommand in ["check", "serve", "fetch", "parse", "sanitize", "search", "user", "backup"] {
            #expect(result.stdout.contains(subcommand), "help lacks \(subcommand)")
        }
    }

    @Test func serveRefusesABrokenConfiguration() async throws {
        let result = try await CLI.run(["serve", "--config", "Tests/KiosqueConfigTests/Fixtures/three-mistakes.yml", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing was started"))
    }
}
