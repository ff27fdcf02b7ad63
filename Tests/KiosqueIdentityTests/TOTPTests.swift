import Foundation
import KiosqueIdentity
import Testing

/// TOTP against RFC 6238's own test vectors and against codes made by `oathtool` (Debian).
@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    /// RFC 6238 appendix B, SHA-1, 8 digits: (Unix time, code).
    static let rfcVectors: [(TimeInterval, String)] = [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ]
    static let rfcSecret = Data("12345678901234567890".utf8)

    @Test(arguments: rfcVectors)
    func rfc6238Vectors(_ vector: (TimeInterval, String)) {
        let totp = TOTP(secret: Self.rfcSecret, digits: 8)
        #expect(totp.code(at: Date(timeIntervalSince1970: vector.0)) == vector.1)
    }

    @Test func base32RoundTripsAndReadsWhatPeopleType() throws {
        #expect(Base32.encode(Self.rfcSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq") == Self.rfcSecret)
        #expect(Base32.decode("GEZ1") == nil, "1 is not in the alphabet")
        let secret = TOTP.newSecret()
        #expect(secret.count == 20)
        #expect(Base32.decode(Base32.encode(secret)) == secret)
    }

    @Test func codesMatchOathtool() throws {
        let oathtool = URL(fileURLWithPath: "/usr/bin/oathtool")
        try #require(FileManager.default.isExecutableFile(atPath: oathtool.path), "make test installs Debian's oathtool")
        let secret = TOTP.newSecret()
        let totp = TOTP(secret: secret)
        for offset in [0, 30, 3_600, 86_400 * 365] {
            let when = Date(timeIntervalSince1970: 1_790_000_000 + TimeInterval(offset))
            let process = Process()
            process.executableURL = oathtool
            process.arguments = ["--totp", "-b", "-N", "@\(Int(when.timeIntervalSince1970))", Base32.encode(secret)]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == totp.code(at: when))
        }
    }

    @Test func aCodeIsAcceptedWithinOneStepOfDriftAndOnlyOnce() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 1_790_000_015)
        let current = totp.step(at: now)
        #expect(totp.matchingStep(totp.code(step: current), at: now) == current)
        #expect(totp.matchingStep(totp.code(step: current - 1), at: now) == current - 1, "a phone 30 s late")
        #expect(totp.matchingStep(totp.code(step: current + 1), at: now) == current + 1, "a phone 30 s early")
        #expect(totp.matchingStep(totp.code(step: current - 2), at: now) == nil)
        let code = totp.code(step: current)
        #expect(totp.matchingStep(String(code.prefix(3)) + " " + String(code.suffix(3)), at: now) == current)
        #expect(totp.matchingStep(code, at: now, after: current) == nil, "replayed within its window")
        #expect(totp.matchingStep("12345", at: now) == nil && totp.matchingStep("abcdef", at: now) == nil)
    }

    @Test func provisioningURIForAuthenticatorApps() {
        let uri = TOTP(secret: Self.rfcSecret).provisioningURI(account: "agnes@ville.fr", issuer: "Intranet de la Ville")
        #expect(uri == "otpauth://totp/Intranet%20de%20la%20Ville:agnes%40ville.fr?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "&issuer=Intranet%20de%20la%20Ville&algorithm=SHA1&digits=6&period=30")
    }
}
