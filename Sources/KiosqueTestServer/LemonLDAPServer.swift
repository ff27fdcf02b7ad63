#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Debian's LemonLDAP::NG portal (package lemonldap-ng, with the Perl modules its portal loads) as a real
/// OpenID provider on 127.0.0.1, run headless by plackup from a temporary folder: the packaged
/// configuration copied and edited (its own URL, sessions and caches in the folder, the OpenID Connect
/// issuer on with an RSA key made by openssl, the relying parties given), the Demo backend's users
/// (dwho/dwho, rtyler/rtyler, msmith/msmith). Levels are named like ProConnect's (`eidas1`…): a password
/// sign-in over http is `eidas1`. Killed with SIGKILL by `shutdown`.
public final class LemonLDAPServer: @unchecked Sendable {
    /// A relying party registered at the provider.
    public struct RelyingParty: Sendable {
        /// Its name in the provider's configuration and its client id.
        public var clientID: String
        /// The client secret.
        public var secret: String
        /// The one redirect URI allowed.
        public var redirectURI: String
        /// Where the provider may send the browser after its logout.
        public var postLogoutRedirectURI: String?
        /// Userinfo as a JWT signed RS256 (ProConnect's way) instead of JSON.
        public var signedUserinfo: Bool
        /// ProConnect's claims (given_name, usual_name, uid, siret, organizational_unit) instead of the standard ones.
        public var proConnectClaims: Bool

        /// A relying party; the standard claims are name, email, preferred_username and groups.
        public init(clientID: String, secret: String, redirectURI: String, postLogoutRedirectURI: String? = nil,
                    signedUserinfo: Bool = false, proConnectClaims: Bool = false) {
            self.clientID = clientID
            self.secret = secret
            self.redirectURI = redirectURI
            self.postLogoutRedirectURI = postLogoutRedirectURI
            self.signedUserinfo = signedUserinfo
            self.proConnectClaims = proConnectClaims
        }
    }

    /// The port plackup listens on.
    public let port: UInt16
    /// The issuer, as the provider writes it in its tokens ("http://127.0.0.1:PORT/").
    public var issuer: String { "http://127.0.0.1:\(port)/" }
    private var process: Process?
    private let directory: URL

    static let portalScript = "/usr/share/lemonldap-ng/portal/htdocs/index.psgi"
    static let packagedConfiguration = "/var/lib/lemonldap-ng/conf/lmConf-1.json"
    static let packagedIni = "/etc/lemonldap-ng/lemonldap-ng.ini"

    /// Whether LemonLDAP::NG, plackup and openssl are installed.
    public static var isAvailable: Bool {
        ChildProcess.exists("plackup") && ChildProcess.exists("openssl") && FileManager.default.fileExists(atPath: portalScript)
            && FileManager.default.fileExists(atPath: packagedConfiguration)
    }

    /// Starts the provider with `relyingParties` and waits (up to a minute) until its discovery document answers.
    public init(relyingParties: [RelyingParty]) throws {
        directory = try ChildProcess.makeDirectory("kiosque-llng")
        port = try Socket.freePort()
        for folder in ["conf", "sessions/lock", "psessions/lock", "cache", "notifications"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let keyPath = directory.appendingPathComponent("oidc-key.pem").path, publicPath = directory.appendingPathComponent("oidc-pub.pem").path
        try ChildProcess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath])
        try ChildProcess.run(["openssl", "pkey", "-in", keyPath, "-pubout", "-out", publicPath])
        try writeConfiguration(relyingParties: relyingParties, privateKey: String(contentsOfFile: keyPath, encoding: .utf8),
                               publicKey: String(contentsOfFile: publicPath, encoding: .utf8))
        process = try ChildProcess.launch(["plackup", "-p", String(port), "--host", "127.0.0.1", Self.portalScript],
                                          environment: ["LLNG_DEFAULTCONFFILE": directory.appendingPathComponent("lemonldap-ng.ini").path],
                                          log: directory.appendingPathComponent("portal.log"))
        try waitUntilAnswering()
    }

    deinit {
        shutdown()
    }

    /// The portal's log (start-up failures name the missing Perl module there).
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("portal.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the provider (SIGKILL) and removes its folder.
    public func shutdown() {
        if let process { ChildProcess.stop(process) }
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilAnswering() throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard process?.isRunning == true else { break }
            if let answer = try? Browser(directory: directory).get(issuer + ".well-known/openid-configuration"), answer.status == 200 {
                return
            }
            usleep(200_000)
        }
        let tail = log.suffix(2_000)
        shutdown()
        throw TestServerError(message: "LemonLDAP::NG did not answer on port \(port): \(tail)")
    }

    private func writeConfiguration(relyingParties: [RelyingParty], privateKey: String, publicKey: String) throws {
        let root = directory.path
        guard var conf = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.packagedConfiguration)))
                as? [String: Any] else { throw TestServerError(message: "unreadable \(Self.packagedConfiguration)") }
        conf["portal"] = issuer
        conf["domain"] = "127.0.0.1"
        conf["https"] = 0
        conf["securedCookie"] = 0
        conf["locationRules"] = [String: Any]()
        conf["globalStorageOptions"] = ["Directory": "\(root)/sessions", "LockDirectory": "\(root)/sessions/lock",
                                        "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256"]
        conf["persistentStorageOptions"] = ["Directory": "\(root)/psessions", "LockDirectory": "\(root)/psessions/lock"]
        var local = conf["localSessionStorageOptions"] as? [String: Any] ?? [:]
        local["cache_root"] = "\(root)/cache"
        conf["localSessionStorageOptions"] = local
        conf["notificationStorageOptions"] = ["dirName": "\(root)/notifications"]
        conf["issuerDBOpenIDConnectActivation"] = 1
        conf["oidcServicePrivateKeySig"] = privateKey
        conf["oidcServicePublicKeySig"] = publicKey
        conf["oidcServiceKeyIdSig"] = "kiosque-test-\(port)"
        conf["oidcServiceMetaDataAuthnContext"] = ["eidas1": 1, "eidas2": 2, "eidas3": 3]
        // ProConnect's claims, made from the Demo users' cn ("Doctor Who") by session macros.
        var macros = conf["macros"] as? [String: Any] ?? [:]
        macros["pcGivenName"] = "(split(/ /, $cn))[0]"
        macros["pcUsualName"] = "(split(/ /, $cn))[-1]"
        macros["pcSiret"] = "\"21750001600019\""
        macros["pcUnit"] = "\"Direction du numérique\""
        conf["macros"] = macros
        var options: [String: Any] = [:], claims: [String: Any] = [:]
        for rp in relyingParties {
            var option: [String: Any] = [
                "oidcRPMetaDataOptionsClientID": rp.clientID, "oidcRPMetaDataOptionsClientSecret": rp.secret,
                "oidcRPMetaDataOptionsRedirectUris": rp.redirectURI, "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
                "oidcRPMetaDataOptionsBypassConsent": 1, "oidcRPMetaDataOptionsRequirePKCE": 1,
                "oidcRPMetaDataOptionsLogoutBypassConfirm": 1,
            ]
            if let post = rp.postLogoutRedirectURI { option["oidcRPMetaDataOptionsPostLogoutRedirectUris"] = post }
            if rp.signedUserinfo { option["oidcRPMetaDataOptionsUserInfoSignAlg"] = "RS256" }
            options[rp.clientID] = option
            claims[rp.clientID] = rp.proConnectClaims
                ? ["email": "mail", "given_name": "pcGivenName", "usual_name": "pcUsualName", "uid": "uid", "siret": "pcSiret",
                   "organizational_unit": "pcUnit"]
                : ["email": "mail", "name": "cn", "preferred_username": "uid", "groups": "groups;string;always"]
        }
        conf["oidcRPMetaDataOptions"] = options
        conf["oidcRPMetaDataExportedVars"] = claims
        try JSONSerialization.data(withJSONObject: conf, options: [.sortedKeys])
            .write(to: directory.appendingPathComponent("conf/lmConf-1.json"))
        let ini = try String(contentsOfFile: Self.packagedIni, encoding: .utf8)
            .replacingOccurrences(of: "/var/lib/lemonldap-ng/conf", with: "\(root)/conf")
            .replacingOccurrences(of: "/var/lib/lemonldap-ng/cache", with: "\(root)/cache")
        try Data(ini.utf8).write(to: directory.appendingPathComponent("lemonldap-ng.ini"))
    }
}

extension LemonLDAPServer {
    /// An agent's browser for the provider's pages, through curl (a cookie jar of its own, no redirect
    /// followed: each Location is handed back to the test).
    public final class Browser: @unchecked Sendable {
        private let jar: URL

        /// A browser keeping its cookies in a temporary folder of its own.
        public convenience init() throws {
            try self.init(directory: ChildProcess.makeDirectory("kiosque-browser"))
        }

        init(directory: URL) throws {
            jar = directory.appendingPathComponent("cookies-\(UUID().uuidString).txt")
        }

        /// A response: status, Location and body.
        public struct Page: Sendable {
            public var status: Int
            public var location: String?
            public var body: String
        }

        /// GETs `url`.
        public func get(_ url: String) throws -> Page {
            try curl([url])
        }

        /// POSTs `form` (url-encoded by curl) to `url`.
        public func post(_ url: String, form: [(String, String)]) throws -> Page {
            try curl([url] + form.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] })
        }

        /// Signs in on the provider's login page that `authorizeURL` shows, as `user` with `password`;
        /// returns where the provider sends the browser (the portal's callback with code and state).
        public func signIn(authorizeURL: String, user: String, password: String) throws -> String {
            let form = try get(authorizeURL)
            if form.status == 302, let location = form.location { return location }  // already signed in there
            guard form.status == 200 else { throw TestServerError(message: "the login page answered \(form.status)") }
            func hidden(_ name: String) -> String? {
                guard let range = form.body.range(of: "name=\"\(name)\" value=\"") else { return nil }
                let rest = form.body[range.upperBound...]
                return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
            }
            var fields = [("user", user), ("password", password)]
            for name in ["token", "url", "skin"] { if let value = hidden(name) { fields.append((name, value)) } }
            let answer = try post(authorizeURL, form: fields)
            guard let location = answer.location else {
                throw TestServerError(message: "the provider did not send the browser back (HTTP \(answer.status))")
            }
            return location
        }

        private func curl(_ arguments: [String]) throws -> Page {
            guard let executable = ChildProcess.locate("curl") else { throw TestServerError(message: "curl is not installed") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            let marker = "\n--kiosque-status--"
            process.arguments = ["-s", "-b", jar.path, "-c", jar.path, "--max-time", "20", "-w", "\(marker)%{http_code} %{redirect_url}"]
                + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard let split = text.range(of: marker, options: .backwards) else { throw TestServerError(message: "curl failed") }
            let tail = text[split.upperBound...].split(separator: " ", maxSplits: 1).map(String.init)
            let status = Int(tail.first ?? "") ?? 0
            let location = tail.count > 1 && !tail[1].isEmpty ? tail[1] : nil
            return Page(status: status, location: location, body: String(text[..<split.lowerBound]))
        }
    }
}
