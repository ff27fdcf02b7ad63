import CKiosqueZlib
import Foundation
import NIOCore

/// gzip for cached pages: Ma page is ~150 rows of repetitive markup, so one compression at render
/// time makes every later copy about eight times smaller — less memory held per agent, and less
/// to send over a local agency's link. Only pages that echo nothing from the request are
/// compressed (no attacker-chosen text next to the CSRF token, the BREACH condition).
enum Gzip {
    /// The compressed bytes, or nil if zlib fails. Level 1: a page is compressed on every cache
    /// miss, and on this markup higher levels cost twice the time for a few percent.
    static func compress(_ input: ByteBuffer, level: Int32 = 1) -> ByteBuffer? {
        var stream = z_stream()
        guard kq_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes))) + 32
        var output = ByteBuffer()
        var finished = false
        input.withUnsafeReadableBytes { source in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                finished = deflate(&stream, Z_FINISH) == Z_STREAM_END
                return finished ? target.count - Int(stream.avail_out) : 0
            }
        }
        return finished ? output : nil
    }

    /// The original bytes of a gzip stream we produced, up to `limit` bytes.
    static func decompress(_ input: ByteBuffer, limit: Int = 16 << 20) -> ByteBuffer? {
        var stream = z_stream()
        guard kq_inflate_init_gzip(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = ByteBuffer()
        var status = Z_OK
        input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            while status == Z_OK, output.readableBytes < limit {
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 << 10) { target in
                    stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
            }
        }
        return status == Z_STREAM_END ? output : nil
    }

    /// Whether an `Accept-Encoding` header admits gzip (a `q=0` refuses it).
    static func isAccepted(by header: String?) -> Bool {
        guard let header else { return false }
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = fields.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }
}
