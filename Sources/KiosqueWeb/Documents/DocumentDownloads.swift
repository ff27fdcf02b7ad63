import Foundation
import Hummingbird
import KiosqueDocuments
import KiosqueStoreContract
import NIOCore

/// File answers: the sniffed type, nosniff, the original name encoded per RFC 6266/8187, and
/// single byte ranges (PDF viewers and resumed downloads ask for them). The bytes are streamed
/// from disk in chunks: a 50 MB file costs its chunk, not 50 MB per download in progress.
enum DocumentDownload {
    /// The response for `version` of `record` (404 when the version does not exist).
    static func response(_ request: Request, record: DocumentRecord, library: DocumentLibrary,
                         context: some RequestContext) async -> Response {
        let query = request.query
        var version = record.current
        if let wanted = query["version"] {
            guard let number = Int(wanted), let found = record.versions.first(where: { $0.number == number }) else {
                return Response(status: .notFound)
            }
            version = found
        }
        let inline = query["apercu"] != nil && (DocumentKind(rawValue: version.kind)?.isPreviewable ?? false)
        return await file(request, at: library.fileURL(version), size: version.size, mediaType: version.mediaType,
                          fileName: version.fileName, sha256: version.sha256, inline: inline, context: context)
    }

    /// The response for a stored file (documents, announcements' attachments and pictures).
    static func file(_ request: Request, at url: URL, size: Int64, mediaType: String, fileName: String, sha256: String, inline: Bool,
                     context: some RequestContext) async -> Response {
        guard FileManager.default.isReadableFile(atPath: url.path) else { return Response(status: .internalServerError) }
        var headers: HTTPFields = [
            .contentType: mediaType,
            .contentDisposition: contentDisposition(fileName, inline: inline),
            .init("X-Content-Type-Options")!: "nosniff",
            .acceptRanges: "bytes",
            .cacheControl: "private, no-store",  // departments' files stay out of shared caches and disks
            .eTag: "\"\(sha256)\"",
        ]
        var status = HTTPResponse.Status.ok
        var start: Int64 = 0, end = size - 1
        if let range = request.headers[.range] {
            guard let parsed = byteRange(range, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            if let parsed {
                (start, end) = parsed
                status = .partialContent
                headers[.contentRange] = "bytes \(start)-\(end)/\(size)"
            }
        }
        let length = size == 0 ? 0 : end - start + 1
        headers[.contentLength] = String(length)
        if request.method == .head { return Response(status: status, headers: headers) }
        guard length > 0 else { return Response(status: status, headers: headers) }
        do {
            let body = try await FileIO().loadFile(path: url.path, range: Int(start)...Int(end), context: context, chunkLength: 64 * 1_024)
            return Response(status: status, headers: headers, body: body)
        } catch {
            return Response(status: .internalServerError)
        }
    }

    /// `attachment` (or `inline`) with an ASCII fallback name and the exact UTF-8 name in `filename*`.
    static func contentDisposition(_ name: String, inline: Bool) -> String {
        let fallback = String(name.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar.value != 0x7F) ? Character(scalar) : "_"
        })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "\(inline ? "inline" : "attachment"); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// nil: unsatisfiable; .some(nil): ignore the header (malformed or several ranges); else the inclusive range.
    static func byteRange(_ header: String, size: Int64) -> (Int64, Int64)?? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .some(nil) }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .some(nil) }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else { return .some(nil) }
            guard size > 0 else { return nil }
            return .some((max(0, size - suffix), size - 1))
        }
        guard let first = Int64(parts[0]), first >= 0 else { return .some(nil) }
        let last = parts[1].isEmpty ? size - 1 : Int64(parts[1])
        guard let last, last >= first else { return .some(nil) }
        guard first < size else { return nil }
        return .some((first, min(last, size - 1)))
    }
}

extension DocumentsController {
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let record = try await store.document(id: context.parameters.get("id") ?? "", viewer: viewer) else {
            return notFound(context)
        }
        // A download counts as a consultation; the page's preview and range requests (a PDF viewer's next pages) do not count again.
        if request.method == .get, request.headers[.range] == nil, request.query["apercu"] == nil {
            try? await store.recordDocumentView(id: record.id, viewer: viewer)
        }
        return await DocumentDownload.response(request, record: record, library: library, context: context)
    }
}
