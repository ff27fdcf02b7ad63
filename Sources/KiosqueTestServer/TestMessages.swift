public import Foundation

/// An HTTP request as the test server received it (headers only: the fetcher only sends GETs).
public struct TestRequest: Sendable {
    /// The method, e.g. "GET".
    public var method: String
    /// The request target as sent: a path, or an absolute URL when spoken to as a proxy.
    public var target: String
    /// The path part of the target, without the query.
    public var path: String
    /// The query string without "?", or "" when there is none.
    public var query: String
    /// Header fields in arrival order, names as sent.
    public var headers: [(name: String, value: String)]

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Parses a request head (everything before the blank line); nil when it is not HTTP/1.x.
    static func parse(head: Data) -> TestRequest? {
        guard let text = String(data: head, encoding: .isoLatin1) else { return nil }
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
        let target = String(requestLine[1])
        var pathPart = target
        if let schemeEnd = target.range(of: "://") {
            // Absolute form (proxy requests): the path starts at the first "/" after the authority.
            let afterScheme = target[schemeEnd.upperBound...]
            pathPart = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        }
        let pieces = pathPart.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return TestRequest(method: String(requestLine[0]), target: target, path: String(pieces[0]),
                           query: pieces.count > 1 ? String(pieces[1]) : "", headers: headers)
    }
}

/// A response body: literal bytes, or a run of one byte generated while sending (100 MB costs no memory).
public enum TestBody: Sendable {
    /// These exact bytes.
    case data(Data)
    /// `count` copies of `byte`, produced in chunks.
    case repeating(UInt8, count: Int)

    /// The number of bytes the body holds.
    public var count: Int {
        switch self {
        case .data(let data): data.count
        case .repeating(_, let count): count
        }
    }
}

/// What the server does with a request: answer (possibly slowly), or misbehave on purpose.
public struct TestResponse: Sendable {
    /// The misbehaviours a fault test can ask for.
    public enum Action: Sendable {
        /// Send a normal response.
        case respond
        /// Read the request and never answer, until the client gives up or the server stops.
        case hang
        /// Close with a TCP reset before any byte of the response.
        case reset
        /// Close cleanly without sending anything.
        case closeSilently
    }

    /// How the body's end is marked.
    public enum Framing: Sendable {
        /// A Content-Length header.
        case contentLength
        /// Chunked transfer encoding, so the client cannot know the size in advance.
        case chunked
    }

    /// The status code.
    public var status: Int
    /// Extra header fields (Content-Length and Transfer-Encoding are added by the server).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: TestBody
    /// How the body's end is marked.
    public var framing: Framing
    /// Seconds to wait before sending anything (the feed farm's artificial latency).
    public var latency: TimeInterval
    /// When set, the whole response is sent `chunkSize` bytes at a time with `interval` seconds between.
    public var trickle: (chunkSize: Int, interval: TimeInterval)?
    /// Whether to misbehave.
    public var action: Action

    /// A response with the given status, headers and body.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: TestBody = .data(Data()),
                framing: Framing = .contentLength, latency: TimeInterval = 0,
                trickle: (chunkSize: Int, interval: TimeInterval)? = nil, action: Action = .respond) {
        self.status = status
        self.headers = headers
        self.body = body
        self.framing = framing
        self.latency = latency
        self.trickle = trickle
        self.action = action
    }

    /// A 200 with a body of the given content type.
    public static func ok(_ body: Data, contentType: String, headers: [(name: String, value: String)] = []) -> TestResponse {
        TestResponse(status: 200, headers: [("Content-Type", contentType)] + headers, body: .data(body))
    }

    /// A 200 with a UTF-8 text body.
    public static func ok(_ text: String, contentType: String = "application/rss+xml; charset=utf-8",
                          headers: [(name: String, value: String)] = []) -> TestResponse {
        ok(Data(text.utf8), contentType: contentType, headers: headers)
    }

    /// An empty-bodied response with the given status and headers.
    public static func status(_ status: Int, headers: [(name: String, value: String)] = []) -> TestResponse {
        TestResponse(status: status, headers: headers)
    }

    /// A redirect to `location` (absolute or relative) with the given 3xx status.
    public static func redirect(_ status: Int, to location: String) -> TestResponse {
        TestResponse(status: status, headers: [("Location", location)])
    }

    /// A response that never comes.
    public static let hang = TestResponse(status: 0, action: .hang)
    /// A connection reset instead of a response.
    public static let reset = TestResponse(status: 0, action: .reset)
    /// A clean close instead of a response.
    public static let closeSilently = TestResponse(status: 0, action: .closeSilently)

    /// The status line and header block, with framing headers added.
    func head(keepAlive: Bool) -> Data {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if status != 304 && status >= 200 && status != 204 {
            switch framing {
            case .contentLength: text += "Content-Length: \(body.count)\r\n"
            case .chunked: text += "Transfer-Encoding: chunked\r\n"
            }
        }
        if !keepAlive { text += "Connection: close\r\n" }
        text += "\r\n"
        return Data(text.utf8)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 407: "Proxy Authentication Required"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
