import Foundation
import Hummingbird
import KiosqueDocuments
import MultipartKit
import NIOCore

/// A multipart/form-data body read as it arrives: the `file` part streams into a temporary file
/// (refused past the size limit before it is stored whole), other fields are kept in memory (small).
struct MultipartUpload {
    var fields: [String: String] = [:]
    var upload: UploadFile?
    var fileName = ""

    /// Bytes allowed for all non-file fields together.
    static let maxFieldBytes = 256 * 1_024

    /// Reads the request; throws `DocumentError` for size, storage or malformed bodies.
    static func read(_ request: Request, library: DocumentLibrary) async throws(DocumentError) -> MultipartUpload {
        try await read(request, maxBytes: library.maxUploadBytes) { () throws(DocumentError) in try library.beginUpload() }
    }

    /// Reads the request, the `file` part streaming into the temporary file `begin` opens (capped at `maxBytes`).
    static func read(_ request: Request, maxBytes: Int64,
                     begin: @escaping () throws(DocumentError) -> UploadFile) async throws(DocumentError) -> MultipartUpload {
        guard let type = request.headers[.contentType], let boundary = boundary(in: type) else {
            throw .invalidField(field: "Content-Type", message: "multipart/form-data with a boundary is required")
        }
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > maxBytes + 1_048_576 {
            throw .tooLarge(limit: maxBytes)
        }
        let state = State(begin: begin)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.complete() }
        do {
            for try await chunk in request.body {
                try parser.execute(chunk)
                if let failure = state.failure { throw failure }
            }
        } catch let error as DocumentError {
            state.result.upload?.discard()
            throw error
        } catch {
            state.result.upload?.discard()
            throw .invalidField(field: "body", message: "malformed multipart body")
        }
        return state.result
    }

    private static func boundary(in contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The parser's callbacks write here; one request, one task.
    private final class State {
        let begin: () throws(DocumentError) -> UploadFile
        var result = MultipartUpload()
        var failure: DocumentError?
        var name: String?
        var fileName: String?
        var value: [UInt8] = []
        var fieldBytes = 0

        init(begin: @escaping () throws(DocumentError) -> UploadFile) { self.begin = begin }

        func header(_ name: String, _ value: String) {
            guard name.lowercased() == "content-disposition" else { return }
            self.name = Self.parameter("name", in: value)
            self.fileName = Self.parameter("filename", in: value)
            if self.name == "file", fileName != nil, result.upload == nil, failure == nil {
                do { result.upload = try begin() } catch { failure = error }
                result.fileName = fileName ?? ""
            }
        }

        func body(_ buffer: inout ByteBuffer) {
            guard failure == nil else { return }
            if name == "file", fileName != nil, let upload = result.upload {
                do { try upload.write(buffer.readableBytesView) } catch {
                    failure = error
                    result.upload = nil
                }
                return
            }
            fieldBytes += buffer.readableBytes
            guard fieldBytes <= MultipartUpload.maxFieldBytes else {
                failure = .invalidField(field: name ?? "?", message: "form fields larger than 256 KB")
                return
            }
            value += buffer.readableBytesView
        }

        func complete() {
            if let name, name != "file" { result.fields[name] = String(decoding: value, as: UTF8.self) }
            name = nil
            fileName = nil
            value = []
        }

        /// A parameter of a Content-Disposition value, quoted or not.
        static func parameter(_ key: String, in header: String) -> String? {
            var rest = Substring(header)
            while let semicolon = rest.firstIndex(of: ";") {
                rest = rest[rest.index(after: semicolon)...].drop(while: { $0 == " " })
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let name = rest[..<equals].lowercased()
                var after = rest[rest.index(after: equals)...]
                var value = ""
                if after.first == "\"" {
                    after = after.dropFirst()
                    while let c = after.first, c != "\"" {
                        if c == "\\", let next = after.dropFirst().first { value.append(next); after = after.dropFirst(2); continue }
                        value.append(c)
                        after = after.dropFirst()
                    }
                    after = after.dropFirst()
                } else {
                    value = String(after.prefix(while: { $0 != ";" })).trimmingCharacters(in: .whitespaces)
                    after = after.drop(while: { $0 != ";" })
                }
                if name == key { return value }
                rest = after
            }
            return nil
        }
    }
}
