public import Foundation
import CKiosqueZlib

/// gzip encoding through the system zlib, for compressed fixtures and gzip bombs.
public enum Gzip {
    /// Compresses `data` into a gzip stream.
    public static func compress(_ data: Data, level: Int32 = 6) -> Data {
        compressStream(level: level) { feed in feed(data, true) }
    }

    /// A gzip stream that inflates to `decodedSize` zero bytes while staying about 1,000 times smaller.
    public static func bomb(decodedSize: Int) -> Data {
        let block = Data(count: 1 << 20)
        return compressStream(level: 9) { feed in
            var remaining = decodedSize
            repeat {
                let piece = remaining >= block.count ? block : block.prefix(remaining)
                remaining -= piece.count
                feed(piece, remaining == 0)
            } while remaining > 0
        }
    }

    /// Runs deflate over the chunks `produce` hands to its `feed(chunk, isLast)` callback.
    private static func compressStream(level: Int32, produce: ((Data, Bool) -> Void) -> Void) -> Data {
        var stream = z_stream()
        guard kq_deflate_init_gzip(&stream, level) == Z_OK else { return Data() }
        defer { deflateEnd(&stream) }
        var output = Data()
        var outBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        produce { chunk, isLast in
            var input = [UInt8](chunk)
            input.withUnsafeMutableBufferPointer { inBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                let flush = isLast ? Z_FINISH : Z_NO_FLUSH
                repeat {
                    let produced = outBuffer.withUnsafeMutableBufferPointer { outPointer -> Int in
                        stream.next_out = outPointer.baseAddress
                        stream.avail_out = uInt(outPointer.count)
                        deflate(&stream, flush)
                        return outPointer.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: outBuffer[0..<produced])
                } while stream.avail_out == 0 || (isLast && stream.avail_in > 0)
            }
        }
        return output
    }
}
