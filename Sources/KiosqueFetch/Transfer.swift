import CCurl
import Foundation
import KiosqueModel

/// A cancellation flag set from any thread (task cancellation) and read by the engine thread.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func cancel() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// One fetch in flight: its easy handle, buffers and redirect state. Only the engine thread touches it
/// (libcurl calls the callbacks on that thread too), except the cancel flag.
final class Transfer: @unchecked Sendable {
    typealias Completion = CheckedContinuation<Result<FetchResponse, FetchFailure>, Never>

    let request: FetchRequest
    let settings: FetchSettings
    let cancelFlag: CancelFlag
    /// The per-host limit's key: the configured URL's scheme, host and port.
    let hostKey: String
    private let credentials: ResolvedCredentials?
    private let completion: Completion

    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its error text here; it must stay at one address for the handle's life.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    fileprivate var body = Data()
    fileprivate var headerLines: [String] = []
    fileprivate var exceededLimit = false
    private var currentURL: String
    private var visited: [String]
    private var permanentRedirect: String?
    private var permanentChainIntact = true
    private var bytesDownloaded: Int64 = 0
    /// The address the request's policy refused (set by the open-socket callback or the proxy pre-check).
    fileprivate var refusal: (address: String, reason: String)?
    /// Whether libcurl goes through a proxy: the socket then leads to the proxy, so destinations are
    /// checked by resolving them before each hop instead.
    private lazy var proxied: Bool = {
        if let proxy = settings.proxy { return !proxy.isEmpty }
        let environment = ProcessInfo.processInfo.environment
        return ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].contains { !(environment[$0] ?? "").isEmpty }
    }()
    private var startedAt: ContinuousClock.Instant?
    private var finished = false

    init(request: FetchRequest, settings: FetchSettings, credentials: ResolvedCredentials?,
         cancelFlag: CancelFlag, completion: Completion) {
        self.request = request
        self.settings = settings
        self.credentials = credentials
        self.cancelFlag = cancelFlag
        self.completion = completion
        self.currentURL = request.url
        self.visited = [request.url]
        self.hostKey = Origin(request.url)?.key ?? request.url
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        releaseHandle()
        errorBuffer.deallocate()
    }

    /// What to do after libcurl reports the current hop done.
    enum Step {
        case follow
        case finish(Result<FetchResponse, FetchFailure>)
    }

    /// Creates and configures the easy handle for the first hop; a failure when libcurl cannot.
    func makeHandle() -> FetchFailure? {
        guard let handle = curl_easy_init() else { return FetchFailure(.other, "libcurl could not create a transfer") }
        easy = handle
        startedAt = .now
        let context = Unmanaged.passUnretained(self).toOpaque()
        kq_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        kq_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        kq_setopt_str(handle, CURLOPT_PROTOCOLS_STR, request.addressPolicy == nil ? "http,https,file" : "http,https")
        if request.addressPolicy != nil && !proxied { guardSockets(handle, context: context) }
        // Redirects are followed by hand (see `step`) to detect loops, report permanent moves,
        // refuse non-http targets and keep credentials on their origin.
        kq_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        kq_setopt_str(handle, CURLOPT_ACCEPT_ENCODING, "") // every encoding this libcurl decodes
        kq_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        kq_setopt_str(handle, CURLOPT_USERAGENT, settings.userAgent)
        kq_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedLimit)
        kq_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(settings.lowSpeedTime)))
        kq_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxBytes))
        kq_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        if let form = request.formBody {
            kq_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(form.utf8.count))
            kq_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, form)  // copied by libcurl: nothing to keep alive
        }
        if let bundle = settings.caBundlePath { kq_setopt_str(handle, CURLOPT_CAINFO, bundle) }
        configureProxy(handle)
        kq_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
        kq_setopt_write(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            // The cap applies to decoded bytes, so a gzip bomb stops at maxBytes however small it was.
            guard transfer.body.count + length <= transfer.settings.maxBytes else {
                transfer.exceededLimit = true
                return 0
            }
            data.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.body.append($0, count: length) }
            return length
        }
        kq_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
        kq_setopt_header(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }.trimmingCharacters(in: .whitespacesAndNewlines)
            // A new status line starts a new response (proxy CONNECT, 100 Continue): keep only the last.
            if line.hasPrefix("HTTP/") { transfer.headerLines.removeAll() }
            if !line.isEmpty && transfer.headerLines.count < 200 { transfer.headerLines.append(line) }
            return length
        }
        return configureHop()
    }

    /// Sets what changes from one hop to the next: URL, remaining time, headers and credentials.
    private func configureHop() -> FetchFailure? {
        guard let easy else { return FetchFailure(.other, "the transfer has no handle") }
        let remaining = remainingTime()
        guard remaining > 0 else { return timeoutFailure() }
        // A literal address is checked before anything (a reused connection never reaches the socket check); through
        // a proxy, names are resolved and checked here too, since the socket then leads to the proxy.
        if let policy = request.addressPolicy, let host = Origin(currentURL)?.host, !policy.exempts(host: host) {
            let literal = AddressPolicy.normalise(host)
            if let reason = AddressGuard.refusal(for: literal), reason != AddressGuard.notAnAddress {
                refusal = (literal, reason)
                return refusalFailure()
            }
            if proxied, let refused = AddressGuard.resolveAndCheck(host: host) {
                refusal = refused
                return refusalFailure()
            }
        }
        body.removeAll(keepingCapacity: true)
        headerLines.removeAll()
        exceededLimit = false
        kq_setopt_str(easy, CURLOPT_URL, currentURL)
        kq_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int(remaining * 1000)))
        kq_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(settings.connectTimeout, remaining) * 1000)))

        var fields = [HeaderField("Accept", request.accept ?? Self.accept)] + ConditionalGet(request).headers
        // Credentials go to the configured origin only: a redirect elsewhere must not receive them.
        let sameOrigin = Origin(currentURL) == Origin(request.url)
        if sameOrigin { fields += request.headers }
        kq_setopt_ptr(easy, CURLOPT_USERNAME, nil)
        kq_setopt_ptr(easy, CURLOPT_PASSWORD, nil)
        kq_setopt_ptr(easy, CURLOPT_COOKIE, nil)
        kq_setopt_long(easy, CURLOPT_HTTPAUTH, Self.authBasic)
        if sameOrigin, let credentials {
            switch credentials {
            case .basic(let user, let password):
                kq_setopt_str(easy, CURLOPT_USERNAME, user)
                kq_setopt_str(easy, CURLOPT_PASSWORD, password)
            case .header(let name, let value):
                fields.append(HeaderField(name, value))
            case .cookie(let value):
                kq_setopt_str(easy, CURLOPT_COOKIE, value)
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for field in fields { list = curl_slist_append(list, "\(field.name): \(field.value)") }
        kq_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        // The previous list may be freed only now that the handle points at the new one.
        curl_slist_free_all(headerList)
        headerList = list
        return nil
    }

    /// Refuses, at connect time, every address the request's policy forbids (see `kq_setopt_opensocket`).
    private func guardSockets(_ handle: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer) {
        kq_setopt_ptr(handle, CURLOPT_OPENSOCKETDATA, context)
        kq_setopt_opensocket(handle) { context, purpose, address in
            guard let context, let address else { return CURL_SOCKET_BAD }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            let exempt = transfer.request.addressPolicy.map { policy in
                Origin(transfer.currentURL).map { policy.exempts(host: $0.host) } ?? false
            } ?? true
            if !exempt {
                // The address field is the start of a storage large enough for IPv6: point into it, never copy it.
                let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) ?? 16
                let socketAddress = UnsafeRawPointer(address).advanced(by: offset).assumingMemoryBound(to: sockaddr.self)
                let refused = AddressGuard.refusal(sockaddr: socketAddress, length: Int(address.pointee.addrlen))
                if let refused {
                    transfer.refusal = refused
                    return CURL_SOCKET_BAD
                }
            }
            return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
        }
    }

    private func refusalFailure() -> FetchFailure {
        let (address, reason) = refusal ?? ("?", "refused")
        var failure = FetchFailure(.connect, "refused to connect to \(address) for \(URLText.redacted(currentURL)): \(reason)")
        failure.refusedAddress = address
        return failure
    }

    private func configureProxy(_ handle: UnsafeMutableRawPointer) {
        if let proxy = settings.proxy { kq_setopt_str(handle, CURLOPT_PROXY, proxy) }
        if let noProxy = settings.noProxy { kq_setopt_str(handle, CURLOPT_NOPROXY, noProxy) }
        if let user = settings.proxyUser {
            kq_setopt_str(handle, CURLOPT_PROXYUSERNAME, user)
            kq_setopt_str(handle, CURLOPT_PROXYPASSWORD, settings.proxyPassword ?? "")
            // Basic, Digest, NTLM or Negotiate, whichever the proxy offers.
            kq_setopt_long(handle, CURLOPT_PROXYAUTH, Self.authAny)
        }
    }

    /// Decides, once libcurl reports the current hop done with `code`, whether to follow or finish.
    func step(code: CURLcode) -> Step {
        guard let easy else { return .finish(.failure(FetchFailure(.other, "the transfer has no handle"))) }
        var headerSize = 0, downloaded: curl_off_t = 0
        kq_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headerSize)
        kq_getinfo_off(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        bytesDownloaded += Int64(headerSize) + Int64(downloaded)
        guard code == CURLE_OK else {
            if refusal != nil { return .finish(.failure(refusalFailure())) }
            let detail = String(cString: errorBuffer)
            return .finish(.failure(FailureClassifier.transportFailure(
                code: Int(code.rawValue), detail: detail, exceededLimit: exceededLimit, settings: settings)))
        }
        var status = 0
        kq_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if (300...399).contains(status) && status != 304 && request.formBody == nil {
            var location: UnsafeMutablePointer<CChar>?
            kq_getinfo_str(easy, CURLINFO_REDIRECT_URL, &location)
            if let location {
                if let failure = follow(to: String(cString: location), status: status) { return .finish(.failure(failure)) }
                return .follow
            }
        }
        return .finish(response(status: status))
    }

    /// Prepares the next hop, or explains why the redirect is refused.
    private func follow(to next: String, status: Int) -> FetchFailure? {
        let scheme = URLText.scheme(of: next)
        guard scheme == "http" || scheme == "https" else {
            return FetchFailure(.redirect, "a redirect pointed to \(URLText.redacted(next)): only http and https redirects are followed",
                                httpStatus: status)
        }
        if visited.contains(next) {
            let chain = (visited + [next]).map(URLText.redacted).joined(separator: " → ")
            return FetchFailure(.redirect, "redirect loop: \(chain)", httpStatus: status)
        }
        guard visited.count <= settings.maxRedirects else {
            return FetchFailure(.redirect, "more than \(settings.maxRedirects) redirects (last to \(URLText.redacted(next)))", httpStatus: status)
        }
        // Only an unbroken chain of permanent moves from the configured URL is worth telling IT about.
        if permanentChainIntact && (status == 301 || status == 308) {
            permanentRedirect = next
        } else {
            permanentChainIntact = false
        }
        visited.append(next)
        currentURL = next
        return configureHop()
    }

    private func response(status: Int) -> Result<FetchResponse, FetchFailure> {
        let headers = Self.headerDictionary(headerLines)
        let retryAfter = headers["retry-after"].flatMap { RetryAfter.parse($0, now: Date()) }
        if let failure = FailureClassifier.httpFailure(status: status, retryAfter: retryAfter) {
            return .failure(failure)
        }
        let notModified = status == 304
        let (type, charset) = Self.splitContentType(headers["content-type"])
        return .success(FetchResponse(
            finalURL: currentURL, status: status == 0 ? 200 : status, headers: headers, body: notModified ? Data() : body,
            etag: headers["etag"] ?? (notModified ? request.etag : nil),
            lastModified: headers["last-modified"] ?? (notModified ? request.lastModified : nil),
            contentType: type, charset: charset, retryAfter: retryAfter, permanentRedirect: permanentRedirect,
            bytesDownloaded: bytesDownloaded, duration: elapsed(), notModified: notModified, httpVersion: httpVersion()))
    }

    private func httpVersion() -> String {
        guard let easy else { return "" }
        var version = 0
        kq_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        switch version {
        case CURL_HTTP_VERSION_1_0: return "1.0"
        case CURL_HTTP_VERSION_1_1: return "1.1"
        case CURL_HTTP_VERSION_2_0: return "2"
        case CURL_HTTP_VERSION_3: return "3"
        default: return ""
        }
    }

    /// Resumes the caller exactly once and frees libcurl resources.
    func complete(_ result: Result<FetchResponse, FetchFailure>) {
        guard !finished else { return }
        finished = true
        releaseHandle()
        completion.resume(returning: result.mapError { failure in
            var measured = failure
            measured.duration = elapsed()
            measured.bytesDownloaded = bytesDownloaded
            return measured
        })
    }

    private func releaseHandle() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        curl_slist_free_all(headerList)
        headerList = nil
    }

    private func remainingTime() -> TimeInterval {
        settings.timeout - elapsed()
    }

    private func elapsed() -> TimeInterval {
        guard let startedAt else { return 0 }
        let duration = startedAt.duration(to: .now)
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func timeoutFailure() -> FetchFailure {
        FetchFailure(.timeout, "no complete answer within \(FailureClassifier.describe(seconds: settings.timeout))")
    }

    /// The Accept header: feeds first, any XML next, anything last (so an HTML page can still be read for discovery).
    static let accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
    /// CURLAUTH_BASIC: a C macro with a cast, which Swift does not import.
    static let authBasic = 1
    /// CURLAUTH_ANY = ~CURLAUTH_DIGEST_IE (1 << 4) as an unsigned long, passed through a long.
    static let authAny = Int(bitPattern: ~UInt(1 << 4))

    /// Header lines to a dictionary: names lowercased, repeated fields joined with ", ".
    static func headerDictionary(_ lines: [String]) -> [String: String] {
        var headers: [String: String] = [:]
        for line in lines where !line.hasPrefix("HTTP/") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return headers
    }

    /// "Application/RSS+XML; charset=\"UTF-8\"" → ("application/rss+xml", "utf-8").
    static func splitContentType(_ value: String?) -> (type: String?, charset: String?) {
        guard let value else { return (nil, nil) }
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let type = parts.first.map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        var charset: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "charset" {
                charset = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'")).lowercased()
            }
        }
        return (type, charset)
    }
}

/// Scheme, host and port of a URL: what "the same server" means for credentials and per-host limits.
struct Origin: Hashable {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return nil }
        self.scheme = scheme
        host = components.host?.lowercased() ?? ""
        port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
    }

    var key: String { "\(scheme)://\(host):\(port)" }
}
