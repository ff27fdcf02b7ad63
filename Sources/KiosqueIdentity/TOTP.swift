public import Foundation
import Crypto
import KiosqueModel

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make
/// them: HMAC-SHA-1, 30-second steps, 6 digits. The HMAC is swift-crypto's; only the dynamic
/// truncation and the step arithmetic, which the RFCs define, are written here.
public struct TOTP: Sendable, Hashable {
    /// The shared secret (at least 16 bytes; authenticator apps use 20).
    public let secret: Data
    /// Digits of a code (6 in every common app).
    public let digits: Int
    /// Seconds per step.
    public let period: TimeInterval

    /// A generator for `secret`.
    public init(secret: Data, digits: Int = 6, period: TimeInterval = 30) {
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A new random secret of 160 bits, as RFC 4226 recommends.
    public static func newSecret() -> Data {
        SymmetricKey(size: .init(bitCount: 160)).withUnsafeBytes { Data($0) }
    }

    /// The step that contains `date`.
    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    /// The code of a step, zero-padded to `digits`.
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// The code shown at `date`.
    public func code(at date: Date) -> String { code(step: step(at: date)) }

    /// The step whose code `typed` is, within ±`drift` steps of `date` (clocks of phones drift),
    /// or nil. Spaces in what was typed are ignored. The caller refuses a step it has already
    /// accepted (`lastUsedStep`): a code works once, even within its window.
    public func matchingStep(_ typed: String, at date: Date, drift: Int64 = 1, after lastUsedStep: Int64? = nil) -> Int64? {
        let cleaned = typed.filter { !$0.isWhitespace }
        guard cleaned.count == digits, cleaned.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = step(at: date)
        for candidate in (now - drift)...(now + drift) {
            if let last = lastUsedStep, candidate <= last { continue }
            if ConstantTime.equals(code(step: candidate), cleaned) { return candidate }
        }
        return nil
    }

    /// The `otpauth://` address an authenticator app reads from a QR code or a link.
    public func provisioningURI(account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return "otpauth://totp/\(encode(issuer)):\(encode(account))?secret=\(Base32.encode(secret))&issuer=\(encode(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(Int(period))"
    }
}

/// RFC 4648 base32 (the alphabet authenticator apps expect for secrets), without padding.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The secret as base32 text, without `=` padding.
    public static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Bytes of base32 text (case, spaces, hyphens and padding ignored, as people type it); nil when invalid.
    public static func decode(_ text: String) -> Data? {
        var output = Data()
        var buffer: UInt32 = 0, bits = 0
        for scalar in text.uppercased().unicodeScalars where !" -=".unicodeScalars.contains(scalar) {
            guard scalar.isASCII, let index = alphabet.firstIndex(of: UInt8(scalar.value)) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
