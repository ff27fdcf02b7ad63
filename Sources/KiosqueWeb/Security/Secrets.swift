import Crypto
import Foundation
import KiosqueModel

/// Random tokens, hashes and signatures for sessions, CSRF and API tokens.
/// The server key signs CSRF tokens; it lives in the data folder so a restart keeps forms valid.
struct Secrets: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey) {
        self.key = key
    }

    /// Loads the key from `path`, creating it (mode 0600) on first start.
    static func loadOrCreate(at path: String) throws -> Secrets {
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return Secrets(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        // rename(2) is atomic: a crash leaves either no key or a whole one.
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return Secrets(key: key)
    }

    /// A new unguessable token (256 bits, URL-safe base64).
    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64URLEncoded
    }

    /// SHA-256 hex digest: what the store keeps of session ids and API tokens.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The CSRF token bound to a session (or to an anonymous visitor's cookie).
    func csrfToken(for binding: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("csrf:\(binding)".utf8), using: key)
        return Data(mac).base64URLEncoded
    }

    /// A key for one purpose derived from the portal key (HKDF-SHA256): the portal key itself
    /// only ever signs CSRF tokens.
    func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("kiosque:\(purpose)".utf8), outputByteCount: 32)
    }

    /// Constant-time check of a submitted CSRF token.
    func verifyCSRF(_ submitted: String, for binding: String) -> Bool {
        ConstantTime.equals(csrfToken(for: binding), submitted)
    }
}
