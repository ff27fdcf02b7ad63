import Foundation

/// Debian's OpenLDAP `slapd` as a real directory on 127.0.0.1 (packages slapd and ldap-utils),
/// in a temporary folder with its own mdb database and the memberof overlay, so that groups
/// added through `ldapadd` fill their members' `memberOf`. Killed with SIGKILL by `shutdown`.
public final class SlapdServer: @unchecked Sendable {
    /// The port slapd listens on.
    public let port: UInt16
    /// "ldap://127.0.0.1:PORT".
    public var url: String { "ldap://127.0.0.1:\(port)" }
    /// The ldaps:// port when started with a certificate.
    public let tlsPort: UInt16?
    /// "ldaps://127.0.0.1:TLSPORT" when started with a certificate.
    public var tlsURL: String? { tlsPort.map { "ldaps://127.0.0.1:\($0)" } }
    /// The directory's suffix.
    public let suffix = "dc=ville,dc=local"
    /// The administrator (rootdn) used to fill and change the directory.
    public var adminDN: String { "cn=admin,\(suffix)" }
    /// The administrator's password.
    public let adminPassword = "admin-secret"
    private var process: Process?
    private let directory: URL

    /// Whether slapd and ldapadd are installed.
    public static var isAvailable: Bool { ChildProcess.exists("slapd") && ChildProcess.exists("ldapadd") }

    /// Starts an empty directory holding only its suffix entry; with `certificate`, StartTLS is
    /// offered on `url` and `tlsURL` speaks ldaps://.
    public init(certificate: SelfSignedCertificate? = nil) throws {
        directory = try ChildProcess.makeDirectory("kiosque-slapd")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("db"), withIntermediateDirectories: true)
        port = try Socket.freePort()
        tlsPort = try certificate.map { _ in try Socket.freePort() }
        let tls = certificate.map { "TLSCertificateFile \($0.certificatePath)\nTLSCertificateKeyFile \($0.keyPath)\n" } ?? ""
        let configuration = tls + """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include /etc/ldap/schema/nis.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload memberof
            pidfile \(directory.path)/slapd.pid
            database mdb
            maxsize 10485760
            suffix "\(suffix)"
            rootdn "\(adminDN)"
            rootpw \(adminPassword)
            directory \(directory.path)/db
            overlay memberof
            memberof-group-oc groupOfNames
            memberof-member-ad member
            memberof-memberof-ad memberOf
            access to attrs=userPassword by self read by anonymous auth by * none
            access to * by users read by * none

            """
        let configPath = directory.appendingPathComponent("slapd.conf").path
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: configPath))
        let listeners = ([url] + (tlsURL.map { [$0] } ?? [])).map { $0 + "/" }.joined(separator: " ")
        process = try ChildProcess.launchServer(["slapd", "-d", "0", "-f", configPath, "-h", listeners, "-u", "root", "-g", "root"],
                                                port: port)
        try add("""
            dn: \(suffix)
            objectClass: dcObject
            objectClass: organization
            o: Ville
            dc: ville
            """)
    }

    deinit {
        shutdown()
    }

    /// Adds entries (LDIF) through the server, as the administrator.
    public func add(_ ldif: String) throws {
        try tool("ldapadd", ldif)
    }

    /// Applies an LDIF of changes (`changetype: modify` …) as the administrator.
    public func modify(_ ldif: String) throws {
        try tool("ldapmodify", ldif)
    }

    /// Deletes one entry.
    public func delete(_ dn: String) throws {
        try tool("ldapdelete", dn + "\n")
    }

    /// Stops slapd (SIGKILL) and removes its folder.
    public func shutdown() {
        if let process { ChildProcess.stop(process) }
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    private func tool(_ command: String, _ input: String) throws {
        let path = directory.appendingPathComponent("input-\(UUID().uuidString).ldif")
        try Data(input.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        try ChildProcess.run([command, "-x", "-H", url, "-D", adminDN, "-w", adminPassword, "-f", path.path])
    }
}

extension SlapdServer {
    /// `townHall(certificate:)` started off the threads concurrent tests run on (see `blockingWork`).
    public static func startTownHall(certificate: SelfSignedCertificate? = nil) async throws -> SlapdServer {
        try await blockingWork { try townHall(certificate: certificate) }
    }

    /// A started directory holding `loadTownHall()`'s entries.
    public static func townHall(certificate: SelfSignedCertificate? = nil) throws -> SlapdServer {
        let server = try SlapdServer(certificate: certificate)
        do { try server.loadTownHall() } catch { server.shutdown(); throw error }
        return server
    }

    /// A small town hall: a service account, agents alice (groups urbanisme and Communication),
    /// bob (no group) and carole (marked disabled: `employeeType: disabled`), in ou=agents;
    /// groupOfNames in ou=groups. Every password is the login followed by "-pw".
    public func loadTownHall() throws {
        try add("""
            dn: ou=agents,\(suffix)
            objectClass: organizationalUnit
            ou: agents

            dn: ou=groups,\(suffix)
            objectClass: organizationalUnit
            ou: groups

            dn: ou=services,\(suffix)
            objectClass: organizationalUnit
            ou: services

            dn: cn=kiosque,ou=services,\(suffix)
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: kiosque
            userPassword: kiosque-pw

            \(Self.person("alice", "Alice Martin", suffix: suffix))

            \(Self.person("bob", "Bob Durand", suffix: suffix))

            \(Self.person("carole", "Carole Petit", suffix: suffix, disabled: true))

            dn: cn=urbanisme,ou=groups,\(suffix)
            objectClass: groupOfNames
            cn: urbanisme
            member: uid=alice,ou=agents,\(suffix)

            dn: cn=Communication,ou=groups,\(suffix)
            objectClass: groupOfNames
            cn: Communication
            member: uid=alice,ou=agents,\(suffix)
            member: uid=carole,ou=agents,\(suffix)
            """)
    }

    /// The LDIF of one inetOrgPerson in ou=agents whose password is `<uid>-pw`.
    public static func person(_ uid: String, _ name: String, suffix: String, disabled: Bool = false) -> String {
        let surname = name.split(separator: " ").last.map(String.init) ?? name
        return """
            dn: uid=\(uid),ou=agents,\(suffix)
            objectClass: inetOrgPerson
            uid: \(uid)
            cn: \(name)
            sn: \(surname)
            displayName: \(name)
            mail: \(uid)@ville.local
            userPassword: \(uid)-pw
            """ + (disabled ? "\nemployeeType: disabled" : "")
    }
}

/// A loopback port whose connections the kernel completes but nobody ever answers: a directory
/// that hangs (a server stopped dead, a firewall swallowing replies).
public final class SilentListener: @unchecked Sendable {
    /// The listening port.
    public let port: UInt16
    private let fd: Int32

    /// Starts listening (never accepting).
    public init() throws {
        (fd, port) = try Socket.listenLoopback()
    }

    deinit {
        close(fd)
    }
}
