import Crypto
public import Foundation
import KiosqueModel

/// Signed one-click unsubscribe links (RFC 8058): the signature, made with the portal's key over
/// the agent and the kind of mail, is the only authorisation the link needs (no sign-in).
public struct UnsubscribeSigner: Sendable {
    private let key: SymmetricKey

    /// A signer with the portal's key (the 32 bytes of `kiosque.key` in the data folder).
    public init(key: Data) {
        self.key = SymmetricKey(data: key)
    }

    /// Reads the portal's key file; nil when it is missing or not 32 bytes.
    public init?(keyFile path: String) {
        guard let data = FileManager.default.contents(atPath: path), data.count == 32 else { return nil }
        self.init(key: data)
    }

    /// The path of the unsubscribe page, relative to the portal: /courriel/desabonnement?u=…&k=…&s=….
    public func path(userID: Int64, kind: String) -> String {
        var components = URLComponents()
        components.path = "/courriel/desabonnement"
        components.queryItems = [URLQueryItem(name: "u", value: String(userID)), URLQueryItem(name: "k", value: kind),
                                 URLQueryItem(name: "s", value: signature(userID: userID, kind: kind))]
        return components.string ?? "/courriel/desabonnement"
    }

    /// HMAC-SHA256 of "unsubscribe:<user>:<kind>", URL-safe base64 without padding.
    public func signature(userID: Int64, kind: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("unsubscribe:\(userID):\(kind)".utf8), using: key)
        return Data(mac).base64URLEncoded
    }

    /// Whether `signature` is this key's signature of the agent and kind (constant-time).
    public func verify(userID: Int64, kind: String, signature given: String) -> Bool {
        ConstantTime.equals(signature(userID: userID, kind: kind), given)
    }
}

extension UnsubscribeSigner {
    /// The signer of the portal whose data folder is `dataDirectory`: the web front's key file
    /// (`kiosque.key`), created the way the web front creates it when mail goes out first.
    public static func forDataDirectory(_ dataDirectory: String) throws -> UnsubscribeSigner {
        let path = (dataDirectory as NSString).appendingPathComponent("kiosque.key")
        if let signer = UnsubscribeSigner(keyFile: path) { return signer }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { unlink(temporary) }
        // link(2) fails if the web front made its key meanwhile: then that key is the one.
        if link(temporary, path) != 0 {
            if let signer = UnsubscribeSigner(keyFile: path) { return signer }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return UnsubscribeSigner(key: key)
    }
}
