#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One accepted client connection, owned by the thread that serves it.
final class Connection {
    let fd: Int32
    private var buffer = Data()
    /// A request head larger than this is refused: bad input must never grow memory without bound.
    static let maxHeadBytes = 64 * 1024

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads the next request head; nil when the client closed, sent garbage, or the head is too large.
    func readRequest() -> TestRequest? {
        let separator = Data("\r\n\r\n".utf8)
        while true {
            if let end = buffer.range(of: separator) {
                let head = buffer[buffer.startIndex..<end.lowerBound]
                buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                guard let request = TestRequest.parse(head: Data(head)) else { return nil }
                // GET requests carry no body; skip one if a client sends it anyway.
                if let length = request.header("Content-Length").flatMap(Int.init), length > 0 {
                    guard discard(length) else { return nil }
                }
                return request
            }
            guard buffer.count < Self.maxHeadBytes, let more = Socket.readSome(fd) else { return nil }
            buffer.append(more)
            // Not a request line (a TLS ClientHello starts with 0x16): answer like a real server, then hang up.
            if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
                let refusal = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                Socket.writeAll(fd, Data(refusal.utf8))
                return nil
            }
        }
    }

    /// Blocks until the peer closes (or the server shuts the socket down), discarding input.
    func waitForClose() {
        while Socket.readSome(fd) != nil {}
    }

    /// Sends a response; false when the client went away mid-way.
    func send(_ response: TestResponse, keepAlive: Bool) -> Bool {
        if response.latency > 0 { Thread.sleep(forTimeInterval: response.latency) }
        let head = response.head(keepAlive: keepAlive)
        let hasBody = response.status >= 200 && response.status != 204 && response.status != 304
        guard let trickle = response.trickle else {
            guard Socket.writeAll(fd, head) else { return false }
            return hasBody ? sendBody(response) : true
        }
        // Trickle: the head and the body both drip out, as a server on a dying link would.
        var all = head
        if hasBody, case .data(let data) = response.body { all.append(data) }
        var offset = 0
        while offset < all.count {
            let end = min(offset + max(1, trickle.chunkSize), all.count)
            guard Socket.writeAll(fd, all.subdata(in: offset..<end)) else { return false }
            offset = end
            Thread.sleep(forTimeInterval: trickle.interval)
        }
        return true
    }

    private func sendBody(_ response: TestResponse) -> Bool {
        let chunked = response.framing == .chunked
        switch response.body {
        case .data(let data):
            if data.isEmpty { return chunked ? Socket.writeAll(fd, Data("0\r\n\r\n".utf8)) : true }
            return chunked ? writeChunk(data) && Socket.writeAll(fd, Data("0\r\n\r\n".utf8)) : Socket.writeAll(fd, data)
        case .repeating(let byte, let count):
            let block = Data(repeating: byte, count: 64 * 1024)
            var remaining = count
            while remaining > 0 {
                let piece = remaining >= block.count ? block : block.prefix(remaining)
                guard chunked ? writeChunk(piece) : Socket.writeAll(fd, piece) else { return false }
                remaining -= piece.count
            }
            return chunked ? Socket.writeAll(fd, Data("0\r\n\r\n".utf8)) : true
        }
    }

    private func writeChunk(_ data: Data) -> Bool {
        Socket.writeAll(fd, Data((String(data.count, radix: 16) + "\r\n").utf8))
            && Socket.writeAll(fd, data)
            && Socket.writeAll(fd, Data("\r\n".utf8))
    }

    private func discard(_ count: Int) -> Bool {
        var remaining = count
        while remaining > 0 {
            if !buffer.isEmpty {
                let take = min(remaining, buffer.count)
                buffer.removeFirst(take)
                remaining -= take
                continue
            }
            guard let more = Socket.readSome(fd) else { return false }
            buffer.append(more)
        }
        return true
    }
}
