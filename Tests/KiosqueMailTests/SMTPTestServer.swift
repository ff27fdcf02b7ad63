import Foundation
import Testing

/// A real SMTP server on 127.0.0.1: Debian's aiosmtpd (run with /usr/bin/python3, which has it),
/// writing what it accepts to a Maildir, with a small policy: a recipient whose local part starts
/// with "bounce" gets 550, one starting with "busy" gets 451.
final class SMTPTestServer: @unchecked Sendable {
    static let python = "/usr/bin/python3"
    let port: Int
    let maildir: String
    let folder: String
    private var process: Process?
    private let tls: (cert: String, key: String)?

    /// The handler aiosmtpd loads (`-c policy.Policy DIR`).
    static let policy = """
        from aiosmtpd.handlers import Mailbox

        class Policy(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                local = address.split('@')[0]
                if local.startswith('bounce'):
                    return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % address
                if local.startswith('busy'):
                    return '451 4.3.0 <%s>: Try again later' % address
                envelope.rcpt_tos.append(address)
                return '250 OK'
        """

    /// Starts a server (on `port` when given, to bring a relay back at the same address) and waits
    /// until it accepts connections. With `tls`, STARTTLS is offered and required.
    init(port: Int? = nil, tls: (cert: String, key: String)? = nil) throws {
        folder = NSTemporaryDirectory() + "kiosque-smtp-\(UUID().uuidString)"
        maildir = folder + "/Maildir"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.policy.write(toFile: folder + "/policy.py", atomically: true, encoding: .utf8)
        self.port = try port ?? Self.freePort()
        self.tls = tls
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        var arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "policy.Policy"]
        if let tls { arguments += ["--tlscert", tls.cert, "--tlskey", tls.key] }
        process.arguments = arguments + [maildir]
        process.environment = ["PYTHONPATH": folder, "PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw SMTPTestError.notStarted("aiosmtpd did not listen on 127.0.0.1:\(port) (is python3-aiosmtpd installed?)")
    }

    /// Kills the server (SIGKILL: see BoundedProcess) and waits, boundedly, until it is gone.
    func stop() {
        guard let process else { return }
        BoundedProcess.kill(process)
        self.process = nil
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The messages delivered so far, parsed back by Python's `email` package.
    func messages() throws -> [DeliveredMessage] {
        try DeliveredMessage.read(maildir: maildir)
    }

    /// A port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SMTPTestError.notStarted("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

enum SMTPTestError: Error { case notStarted(String), parse(String) }

/// One message from the Maildir, as Python's `email` package (policy.default) understands it.
struct DeliveredMessage: Decodable {
    var to: String
    var from: String
    var subject: String
    var messageID: String
    var date: String
    var autoSubmitted: String
    var listUnsubscribe: String
    var listUnsubscribePost: String
    var contentType: String
    var parts: [String]
    var text: String
    var html: String
    var longestLine: Int
    /// Each leaf part's Content-Transfer-Encoding.
    var encodings: [String]
    /// The HTML part as carried (still encoded): its lines and characters.
    var htmlEncodedLines: Int
    var htmlEncodedCharacters: Int
    var defects: [String]

    static let script = """
        import sys, json, mailbox, email, email.policy
        # aiosmtpd's Mailbox handler stores messages refolded (compat32): a long header such as
        # List-Unsubscribe then starts on a continuation line, hence the strip() below.
        out = []
        for key, raw in mailbox.Maildir(sys.argv[1], factory=None, create=False).items():
            data = raw.as_bytes()
            msg = email.message_from_bytes(data, policy=email.policy.default)
            body = data.split(b'\\r\\n\\r\\n', 1)[-1] if b'\\r\\n\\r\\n' in data else data.split(b'\\n\\n', 1)[-1]
            lines = body.replace(b'\\r\\n', b'\\n').split(b'\\n')
            text = msg.get_body(('plain',))
            html = msg.get_body(('html',))
            defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
            carried = html.get_payload() if html else ''
            out.append(dict(to=str(msg['To']), **{'from': str(msg['From'])}, subject=str(msg['Subject']),
                messageID=str(msg['Message-ID']), date=str(msg['Date']), autoSubmitted=str(msg.get('Auto-Submitted', '')),
                listUnsubscribe=str(msg.get('List-Unsubscribe', '')).strip(), listUnsubscribePost=str(msg.get('List-Unsubscribe-Post', '')).strip(),
                contentType=msg.get_content_type(), parts=[p.get_content_type() for p in msg.walk()],
                text=text.get_content() if text else '', html=html.get_content() if html else '',
                longestLine=max(len(l) for l in lines), defects=defects,
                htmlEncodedLines=len(carried.splitlines()), htmlEncodedCharacters=len(carried),
                encodings=[str(p.get('Content-Transfer-Encoding', '')) for p in msg.walk() if not p.is_multipart()]))
        print(json.dumps(out))
        """

    static func read(maildir: String) throws -> [DeliveredMessage] {
        guard FileManager.default.fileExists(atPath: maildir + "/new") else { return [] }
        let result = try BoundedProcess.run(SMTPTestServer.python, ["-c", script, maildir], timeout: 30)
        guard result.status == 0 else { throw SMTPTestError.parse(result.err) }
        let data = Data(result.out.utf8)
        return try JSONDecoder().decode([DeliveredMessage].self, from: data)
    }
}
