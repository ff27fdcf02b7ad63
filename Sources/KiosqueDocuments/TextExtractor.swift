public import Foundation
import ZIPFoundation
#if canImport(Glibc)
import Glibc
#endif

/// Bounds of one extraction: a hostile or huge file costs at most this much.
public struct ExtractionLimits: Sendable, Hashable {
    /// Wall-clock time for `pdftotext`, in seconds.
    public var seconds: Double
    /// Text kept, in UTF-8 bytes (more is cut, not an error).
    public var maxTextBytes: Int
    /// An XML part larger than this once uncompressed is refused (ZIP bombs).
    public var maxPartBytes: Int
    /// The `pdftotext` executable.
    public var pdftotext: String
    /// Creates limits; the defaults suit a 50 MB upload.
    public init(seconds: Double = 60, maxTextBytes: Int = 2_000_000, maxPartBytes: Int = 64 * 1_048_576,
                pdftotext: String = "/usr/bin/pdftotext") {
        self.seconds = seconds
        self.maxTextBytes = maxTextBytes
        self.maxPartBytes = maxPartBytes
        self.pdftotext = pdftotext
    }
}

/// Turns a stored file into searchable plain text.
public struct TextExtractor: Sendable {
    /// The bounds applied.
    public let limits: ExtractionLimits

    /// An extractor with these bounds.
    public init(limits: ExtractionLimits = ExtractionLimits()) { self.limits = limits }

    /// The text of the file at `url` of kind `kind` ("" for images); throws `.extraction` on failure.
    public func text(fileAt url: URL, kind: DocumentKind) async throws(DocumentError) -> String {
        switch kind {
        case .png, .jpeg, .gif, .webp: return ""
        case .txt, .md:
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw .extraction(kind: kind.rawValue, detail: "cannot open \(url.lastPathComponent)")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: limits.maxTextBytes)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .pdf: return try await pdf(url)
        case .odt, .ods, .odp: return try xmlParts(url, kind: kind) { _ in ["content.xml"] }
        case .docx: return try xmlParts(url, kind: kind) { _ in ["word/document.xml"] }
        case .xlsx: return try xmlParts(url, kind: kind) { _ in ["xl/sharedStrings.xml"] }
        case .pptx:
            return try xmlParts(url, kind: kind) { archive in
                // slide2 before slide10: sort by the number in the name.
                archive.map(\.path).filter { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }
                    .sorted { Self.number(in: $0) < Self.number(in: $1) }
            }
        }
    }

    private static func number(in path: String) -> Int {
        Int(path.filter(\.isNumber)) ?? 0
    }

    private func xmlParts(_ url: URL, kind: DocumentKind, parts: (Archive) -> [String]) throws(DocumentError) -> String {
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw .extraction(kind: kind.rawValue, detail: "damaged ZIP archive")
        }
        var text = ""
        for path in parts(archive) {
            guard let entry = archive[path] else {
                // A workbook without any text cell has no sharedStrings part.
                if kind == .xlsx { continue }
                throw .extraction(kind: kind.rawValue, detail: "\(path) is missing")
            }
            let data: Data
            do { data = try ZipText.read(entry, from: archive, limit: limits.maxPartBytes) } catch {
                throw .extraction(kind: kind.rawValue, detail: "\(path): \(error)")
            }
            let (part, truncated) = XMLTextCollector.text(of: data, limit: limits.maxTextBytes - text.utf8.count)
            text += part
            if truncated { break }
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        }
        return text
    }

    /// Runs pdftotext as a child process, killed past the time limit; output beyond the cap is cut.
    private func pdf(_ url: URL) async throws(DocumentError) -> String {
        let limits = self.limits
        let result: Result<String, DocumentError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.runPDFToText(url, limits: limits))
            }
        }
        return try result.get()
    }

    private static func runPDFToText(_ url: URL, limits: ExtractionLimits) -> Result<String, DocumentError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: limits.pdftotext)
        process.arguments = ["-q", "-enc", "UTF-8", "-nopgbrk", url.path, "-"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return .failure(.extraction(kind: "pdf", detail: "cannot run \(limits.pdftotext): \(error.localizedDescription)"))
        }
        let pid = process.processIdentifier
        let timedOut = TimeoutFlag()
        let watchdog = DispatchWorkItem {
            timedOut.set()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limits.seconds, execute: watchdog)
        var data = Data()
        let reader = output.fileHandleForReading
        while let chunk = try? reader.read(upToCount: 65_536), !chunk.isEmpty {
            data.append(chunk)
            if data.count >= limits.maxTextBytes {
                // Enough text for the index: stop the child rather than read a runaway output.
                kill(pid, SIGKILL)
                break
            }
        }
        process.waitUntilExit()
        watchdog.cancel()
        let stderr = String(decoding: (try? errors.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        if timedOut.isSet {
            return .failure(.extraction(kind: "pdf", detail: "pdftotext took more than \(Int(limits.seconds)) s"))
        }
        if data.count >= limits.maxTextBytes {
            var cut = Array(data.prefix(limits.maxTextBytes))
            while let last = cut.last, last & 0xC0 == 0x80 { cut.removeLast() }
            if let last = cut.last, last >= 0xC0 { cut.removeLast() }
            return .success(String(decoding: cut, as: UTF8.self))
        }
        guard process.terminationStatus == 0 else {
            let reason = stderr.split(separator: "\n").first.map(String.init) ?? "no message"
            return .failure(.extraction(kind: "pdf", detail: "pdftotext exited with status \(process.terminationStatus): \(reason)"))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }
}

/// A flag set from the watchdog thread and read by the waiting one.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Reads one ZIP entry into memory with a size cap that does not trust the declared size.
enum ZipText {
    struct TooLarge: Error, CustomStringConvertible {
        let limit: Int
        var description: String { "larger than \(limit) bytes once uncompressed" }
    }

    static func read(_ entry: Entry, from archive: Archive, limit: Int) throws -> Data {
        if entry.uncompressedSize > UInt64(limit) { throw TooLarge(limit: limit) }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
            data.append(chunk)
            if data.count > limit { throw TooLarge(limit: limit) }
        }
        return data
    }
}
