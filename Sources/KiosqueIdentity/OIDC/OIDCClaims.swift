import Foundation

/// One claim's value as the provider sent it.
public enum ClaimValue: Sendable, Hashable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([ClaimValue])
    case object([String: ClaimValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let l = try? container.decode([ClaimValue].self) { self = .list(l) }
        else { self = .object(try container.decode([String: ClaimValue].self)) }
    }

    /// The value as text: a string, or a number written without a useless ".0".
    public var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: nil
        }
    }

    /// The value as a list of texts (a single string is a list of one).
    public var texts: [String] {
        switch self {
        case .list(let values): values.compactMap(\.text)
        default: text.map { [$0] } ?? []
        }
    }
}

/// The claims of an id_token or a userinfo answer.
public typealias Claims = [String: ClaimValue]

/// Who signed in, as the portal maps it from the provider's claims.
public struct OIDCPerson: Sendable, Hashable {
    /// The provider's stable subject identifier for this agent (bound to an account with the provider's id).
    public var subject: String
    /// The login the provider gives (a hint for a new account's login, never a key to an existing one).
    public var login: String
    /// The display name.
    public var name: String?
    /// The e-mail address.
    public var email: String?
    /// Group names or DNs (matched like the directory's).
    public var groups: [String]
    /// The authentication level the provider asserts.
    public var acr: String?
    /// The authentication methods the provider reports.
    public var amr: [String]
    /// Whether the provider checked a second factor (its `acr` is one of the configured multi-factor
    /// levels, or `amr` says `mfa`, or names two methods one of which is a possession or a biometric).
    public var multiFactor: Bool
    /// The raw id_token, kept with the session for the provider's logout (`id_token_hint`).
    public var idToken: String
    /// Every claim received (id_token, then userinfo over it).
    public var claims: Claims
}

/// The authentication level rules: the `acr` asked against the one returned, and what counts as MFA.
public enum OIDCLevels {
    /// Whether `returned` is at least one of `asked`: listed, or on the same numbered ladder
    /// (`eidas1` < `eidas2`, `loa-1` < `loa-3`) at or above the lowest asked. Nothing asked: always.
    public static func satisfies(returned: String?, asked: [String]) -> Bool {
        guard !asked.isEmpty else { return true }
        guard let returned else { return false }
        if asked.contains(returned) { return true }
        guard let (family, level) = ladder(returned) else { return false }
        let levels = asked.compactMap(ladder).filter { $0.family == family }.map(\.level)
        guard let lowest = levels.min() else { return false }
        return level >= lowest
    }

    /// `eidas2` → ("eidas", 2), `loa-3` → ("loa-", 3); nil without a trailing number.
    static func ladder(_ value: String) -> (family: String, level: Int)? {
        let digits = value.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count < value.count, let level = Int(String(digits.reversed())) else { return nil }
        return (String(value.dropLast(digits.count)).lowercased(), level)
    }

    /// RFC 8176 methods that are a possession or an inherence factor.
    static let strongMethods: Set<String> = ["otp", "totp", "hwk", "swk", "sc", "pop", "fido", "face", "fpt", "iris", "retina", "vbm", "sms", "tel"]

    /// Whether `acr`/`amr` say a second factor was checked.
    public static func multiFactor(acr: String?, amr: [String], mfaACRValues: [String]) -> Bool {
        if let acr, mfaACRValues.contains(acr) { return true }
        let methods = Set(amr.map { $0.lowercased() })
        if methods.contains("mfa") { return true }
        return methods.count >= 2 && !methods.isDisjoint(with: strongMethods)
    }
}
