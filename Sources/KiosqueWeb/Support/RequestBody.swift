import Hummingbird
import NIOCore

extension RequestBody {
    /// The whole body, refused with 413 Content Too Large past `limit` bytes (NIO's own error
    /// would otherwise reach the error page as a 500).
    func collectLimited(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge)
        }
    }
}
