// libFuzzer target for the feed parser. Built with
//   swift build --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product ParseFuzz
// it fuzzes (seed corpus: Tests/KiosqueParseTests/Fixtures); built normally, it replays the
// corpus files given as arguments, so a crash found by the fuzzer becomes a plain reproducer.
import CFuzzerDriver
import Foundation
import KiosqueParse

/// One fuzz input: parse it, encode the result, and check the invariants that must always hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    do {
        let feed = try FeedParser.parse(bytes, url: URL(string: "https://fuzz.example.org/feed.xml"), maxBytes: 1 << 20)
        let json = FeedJSON.encode(feed)
        guard (try? JSONSerialization.jsonObject(with: json)) != nil else { fatalError("FeedJSON produced invalid JSON") }
        for item in feed.items where item.id.isEmpty { fatalError("item without id") }
    } catch {
        if error.message.contains("\n") { fatalError("multi-line error message") }
    }
    return 0
}

@main
struct ParseFuzz {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
        exit(status)
        #else
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty {
            print("usage: ParseFuzz FILE|DIR ...   (replays inputs; build with -DFUZZING to fuzz)")
            return
        }
        var count = 0
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let files = isDirectory.boolValue
                ? (FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?
                    .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? [])
                : [url]
            for file in files {
                guard let data = try? Data(contentsOf: file) else { continue }
                _ = data.withUnsafeBytes { fuzzOne($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs without a crash")
        #endif
    }
}
