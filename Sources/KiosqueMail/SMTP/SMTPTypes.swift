public import Foundation

/// How the SMTP connection is protected (`mail.starttls`; `smtps://` is TLS from the start).
public enum StartTLSMode: String, Sendable, Hashable, CaseIterable {
    /// STARTTLS must succeed, else nothing is sent (the default).
    case required
    /// STARTTLS when the relay offers it, plain text otherwise.
    case opportunistic
    /// Never STARTTLS (a relay on the same host or a trusted network).
    case off
}

/// Everything the SMTP sender needs to reach the relay.
public struct SMTPSettings: Sendable, Hashable {
    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    /// STARTTLS policy for `smtp://`.
    public var startTLS: StartTLSMode
    /// SMTP AUTH user and password (from the environment), when the relay asks for them.
    public var user: String?
    /// The password that goes with `user`.
    public var password: String?
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// Connection timeout in seconds.
    public var connectTimeout: TimeInterval
    /// Whole-message timeout in seconds.
    public var timeout: TimeInterval
    /// The name given in EHLO; libcurl's default is the machine's name.
    public var heloName: String?

    /// Settings with the defaults of the `mail:` section.
    public init(url: String, startTLS: StartTLSMode = .required, user: String? = nil, password: String? = nil,
                caFile: String? = nil, connectTimeout: TimeInterval = 10, timeout: TimeInterval = 60, heloName: String? = nil) {
        self.url = url
        self.startTLS = startTLS
        self.user = user
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.heloName = heloName
    }
}

/// What the relay did with one message.
public enum SMTPOutcome: Sendable, Hashable {
    /// The relay took responsibility for the message; its last reply (e.g. "250 2.0.0 Ok: queued as 4F2A").
    case accepted(reply: String)
    /// Try again later: the relay answered 4xx, or the connection broke during this message.
    case temporary(reason: String)
    /// The relay cannot be reached or will not talk safely (connection refused, timeout, TLS or
    /// authentication failure): every other message would fail the same way now.
    case relayUnavailable(reason: String)
    /// The relay refused the recipient for good (5xx to RCPT TO): the address bounces.
    case recipientRefused(reply: String)
    /// The relay refused the message itself for good (5xx elsewhere): do not resend it as it is.
    case messageRefused(reply: String)

    /// One line for logs and the command line.
    public var summary: String {
        switch self {
        case .accepted(let reply): "accepted: \(reply)"
        case .temporary(let reason), .relayUnavailable(let reason): "deferred: \(reason)"
        case .recipientRefused(let reply): "recipient refused: \(reply)"
        case .messageRefused(let reply): "refused: \(reply)"
        }
    }
}

/// What the SMTP dialogue showed, for classifying a failure.
struct SMTPTranscript: Sendable {
    /// Commands sent, by verb ("EHLO", "STARTTLS", "MAIL", "RCPT", "DATA", "QUIT"…), in order.
    var commands: [String] = []
    /// Reply lines received, in order.
    var replies: [String] = []

    /// The last complete reply line (the final line of a multi-line reply has a space after the code).
    var lastReply: String? { replies.last }

    /// The three-digit code of the last reply.
    var lastCode: Int? { lastReply.flatMap { Int($0.prefix(3)) } }

    /// The verb of the last command sent before the last reply.
    var lastCommand: String? { commands.last }
}

/// Decides what a libcurl result means for the outbox.
enum SMTPClassifier {
    /// `code` is libcurl's result, `detail` its error text, `transcript` the dialogue.
    static func outcome(code: Int, detail: String, transcript: SMTPTranscript) -> SMTPOutcome {
        let reply = transcript.lastReply ?? ""
        if code == 0 { return .accepted(reply: reply.isEmpty ? "accepted" : reply) }
        // 530 (STARTTLS or authentication first), 534/535/538 (authentication refused): the
        // relay's settings, not this message or recipient, are at fault.
        if let status = transcript.lastCode, [530, 534, 535, 538].contains(status) {
            return .relayUnavailable(reason: reply)
        }
        if let status = transcript.lastCode, (500...599).contains(status) {
            switch transcript.lastCommand {
            case "RCPT": return .recipientRefused(reply: reply)
            // A refused sender or a refused message is the same for every agent: nothing to blame
            // the recipient for, and nothing that a later try would change.
            case "MAIL", "DATA", nil: return .messageRefused(reply: reply)
            case "BODY": return .messageRefused(reply: reply)
            default: return .temporary(reason: "\(reply) (after \(transcript.lastCommand ?? "?"))")
            }
        }
        let text = detail.isEmpty ? "libcurl error \(code)" : detail
        if let status = transcript.lastCode, (400...499).contains(status) { return .temporary(reason: "\(reply) — \(text)") }
        if relayCodes.contains(code) { return .relayUnavailable(reason: text) }
        return .temporary(reason: text)
    }

    /// libcurl results about the relay rather than the message: cannot resolve (6), cannot
    /// connect (7), timeout (28), TLS handshake (35), certificate (60), STARTTLS refused (64),
    /// login denied (67), TLS certificate problem (77, 83, 90, 91).
    static let relayCodes: Set<Int> = [6, 7, 28, 35, 60, 64, 67, 77, 83, 90, 91]
}
