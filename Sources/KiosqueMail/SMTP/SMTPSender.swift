import CCurl
public import Foundation

/// Hands messages to the relay over libcurl's SMTP (the same library as the fetcher; no SMTP is
/// written here). One sender is one connection at a time: libcurl keeps the connection open
/// between messages, so a digest run pays the TLS handshake once. Sends run one after another on
/// the sender's own thread, never on a caller's executor (curl_easy_perform blocks).
public final class SMTPSender: @unchecked Sendable {
    /// Where and how to connect.
    public let settings: SMTPSettings
    private let queue: DispatchQueue
    // Touched only on `queue`.
    private var handle: UnsafeMutableRawPointer?

    /// A sender for `settings`; nothing connects until the first message.
    public init(settings: SMTPSettings) {
        self.settings = settings
        queue = DispatchQueue(label: "kiosque.smtp")
        SMTPSender.globalInit
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    /// libcurl's global initialisation, once per process (idempotent with the fetcher's).
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Sends `data` (a rendered message) from `sender` to `recipient` and says what the relay did.
    public func send(_ data: Data, from sender: String, to recipient: String) async -> SMTPOutcome {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.perform(data, from: sender, to: recipient))
            }
        }
    }

    /// Sends one message synchronously (on `queue`).
    private func perform(_ data: Data, from sender: String, to recipient: String) -> SMTPOutcome {
        guard MailAddress.isValid(sender), MailAddress.isValid(recipient) else {
            return .messageRefused(reply: "invalid address \(MailAddress.isValid(sender) ? recipient : sender)")
        }
        if handle == nil { handle = curl_easy_init() }
        guard let easy = handle else { return .temporary(reason: "libcurl could not create a transfer") }
        // Options are set afresh for every message; the connection cache survives the reset.
        curl_easy_reset(easy)
        let upload = Upload(data)
        let context = Unmanaged.passUnretained(upload).toOpaque()
        kq_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        kq_setopt_ptr(easy, CURLOPT_ERRORBUFFER, upload.errorBuffer)
        kq_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        kq_setopt_str(easy, CURLOPT_URL, settings.url)
        kq_setopt_long(easy, CURLOPT_USE_SSL, Self.useSSL(settings.startTLS))
        if let caFile = settings.caFile { kq_setopt_str(easy, CURLOPT_CAINFO, caFile) }
        if let user = settings.user {
            kq_setopt_str(easy, CURLOPT_USERNAME, user)
            kq_setopt_str(easy, CURLOPT_PASSWORD, settings.password ?? "")
        }
        kq_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(settings.connectTimeout * 1000)))
        kq_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int(settings.timeout * 1000)))
        // A relay that accepts the connection then says nothing: each reply is awaited this long at most.
        kq_setopt_long(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(min(settings.timeout, settings.connectTimeout * 3))))
        kq_setopt_str(easy, CURLOPT_MAIL_FROM, "<\(sender)>")
        var recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients); recipients = nil }
        kq_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipients)
        kq_setopt_long(easy, CURLOPT_UPLOAD, 1)
        kq_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.count))
        kq_setopt_ptr(easy, CURLOPT_READDATA, context)
        kq_setopt_read(easy) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            return Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }
        // The debug callback is libcurl's only view of the dialogue: which command a reply answers.
        kq_setopt_long(easy, CURLOPT_VERBOSE, 1)
        kq_setopt_ptr(easy, CURLOPT_DEBUGDATA, context)
        kq_setopt_debug(easy) { _, type, text, length, context in
            guard let text, let context else { return 0 }
            Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().note(type, text, length)
            return 0
        }
        let code = curl_easy_perform(easy)
        let detail = String(cString: upload.errorBuffer)
        if code != CURLE_OK {
            // A failed dialogue may leave the connection in a state not worth reusing.
            curl_easy_cleanup(easy)
            handle = nil
        }
        return SMTPClassifier.outcome(code: Int(code.rawValue), detail: detail, transcript: upload.transcript)
    }

    /// CURLUSESSL_* for a STARTTLS mode.
    private static func useSSL(_ mode: StartTLSMode) -> Int {
        switch mode {
        case .required: Int(CURLUSESSL_ALL.rawValue)
        case .opportunistic: Int(CURLUSESSL_TRY.rawValue)
        case .off: Int(CURLUSESSL_NONE.rawValue)
        }
    }
}

/// The bytes of one message being uploaded, and what libcurl reports of the dialogue.
private final class Upload {
    let data: Data
    var offset = 0
    var transcript = SMTPTranscript()
    var quitSent = false
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(_ data: Data) {
        self.data = data
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { raw in
            let start = raw.baseAddress!.advanced(by: offset)
            UnsafeMutableRawPointer(buffer).copyMemory(from: start, byteCount: count)
        }
        offset += count
        return count
    }

    func note(_ type: curl_infotype, _ text: UnsafeMutablePointer<CChar>, _ length: Int) {
        guard type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT else { return }
        let line = text.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return }
        if type == CURLINFO_HEADER_OUT {
            let verb = line.split(separator: " ", maxSplits: 1).first.map { String($0).uppercased() } ?? line
            // libcurl says goodbye even after a refusal: the refusal, not "221 Bye", is the answer.
            if verb == "QUIT" { quitSent = true }
            if !quitSent && transcript.commands.count < 64 { transcript.commands.append(String(verb.prefix(16))) }
        } else if !quitSent && transcript.replies.count < 64 {
            transcript.replies.append(String(line.prefix(512)))
        }
    }
}
