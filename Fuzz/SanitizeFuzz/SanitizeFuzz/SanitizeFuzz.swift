// SanitizeFuzz: checks that the sanitizer never crashes and that its output is a fixed point
// (sanitizing it again changes nothing).
//
// Fuzzing build (make fuzz):
//   swift build --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product SanitizeFuzz
//   mkdir -p /tmp/sanitize-corpus
//   .build-fuzz/debug/SanitizeFuzz -max_len=4096 -max_total_time=300 -dict=Fuzz/SanitizeFuzz/html.dict \
//       /tmp/sanitize-corpus Fuzz/SanitizeFuzz/corpus
// (libFuzzer adds new inputs to the first folder: keep the checked-in seeds second.)
// Normal build: `SanitizeFuzz FILE|DIR…` replays corpus files (crash reproducers included).
import CSanitizeFuzzDriver
import Foundation
import KiosqueSanitize

let sanitizer = HTMLSanitizer()
let base = URL(string: "https://fuzz.example/section/page.html")

/// libFuzzer's per-input callback: sanitize, check idempotence, extract and summarise.
@_cdecl("LLVMFuzzerTestOneInput")
public func sanitizeFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let html = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    let (output, text) = sanitizer.sanitizeAndExtract(html, baseURL: base)
    let again = sanitizer.sanitize(output, baseURL: base)
    if again != output {
        FileHandle.standardError.write(Data("not idempotent\n--- input\n\(html)\n--- first\n\(output)\n--- second\n\(again)\n".utf8))
        abort()
    }
    if output.range(of: "<script", options: .caseInsensitive) != nil {
        FileHandle.standardError.write(Data("unsafe output\n\(output)\n".utf8))
        abort()
    }
    _ = TextExtractor.summary(of: text, maxLength: 160)
    return 0
}

@main
struct SanitizeFuzz {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in sanitizeFuzzOne(data, size) })
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    /// Runs every file named, or found in a folder named, through the fuzz callback.
    static func replay(_ paths: [String]) {
        var count = 0
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("no such file: \(path)\n".utf8))
                exit(2)
            }
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                _ = data.withUnsafeBytes { sanitizeFuzzOne($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs: no crash, idempotent")
    }
}
