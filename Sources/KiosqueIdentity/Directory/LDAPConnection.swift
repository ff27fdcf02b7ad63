import CLDAP
import Foundation

/// One connection to the directory through libldap's synchronous API. Every call blocks: a
/// connection lives on one thread of `DirectoryClient`'s queue, never on an event loop.
final class LDAPConnection {
    private var handle: OpaquePointer?
    private let settings: DirectorySettings

    /// Opens (lazily: libldap connects at the first operation) with protocol v3, referrals off,
    /// the timeouts and the TLS options, then StartTLS when asked.
    init(settings: DirectorySettings) throws(DirectoryError) {
        self.settings = settings
        var ld: OpaquePointer?
        let rc = ldap_initialize(&ld, settings.url)
        guard rc == LDAP_SUCCESS, let ld else { throw .failed("bad directory URL \(settings.url): \(Self.text(rc))") }
        handle = ld
        let connectMS = Int(settings.connectTimeout * 1000), operationMS = Int(settings.timeout * 1000)
        var failures: [String] = []
        func check(_ rc: Int32, _ what: String) { if rc != LDAP_OPT_SUCCESS { failures.append(what) } }
        check(kiosque_ldap_set_int(ld, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3), "protocol version")
        check(kiosque_ldap_set_flag(ld, LDAP_OPT_REFERRALS, 0), "referrals")
        check(kiosque_ldap_set_timeout(ld, LDAP_OPT_NETWORK_TIMEOUT, connectMS), "network timeout")
        check(kiosque_ldap_set_timeout(ld, LDAP_OPT_TIMEOUT, operationMS), "timeout")
        check(kiosque_ldap_set_int(ld, LDAP_OPT_TIMELIMIT, max(1, Int32(settings.timeout.rounded(.up)))), "time limit")
        if let caFile = settings.caFile {
            check(kiosque_ldap_set_string(ld, LDAP_OPT_X_TLS_CACERTFILE, caFile), "CA file")
            check(kiosque_ldap_set_int(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND), "certificate check")
            check(kiosque_ldap_set_int(ld, LDAP_OPT_X_TLS_NEWCTX, 0), "TLS context")
        }
        guard failures.isEmpty else {
            close()
            throw .failed("libldap refused the options: \(failures.joined(separator: ", "))")
        }
        if settings.startTLS {
            let rc = ldap_start_tls_s(ld, nil, nil)
            guard rc == LDAP_SUCCESS else {
                let error = describe(rc)
                close()
                throw Self.isUnreachable(rc) ? .unreachable(error) : .failed("StartTLS: \(error)")
            }
        }
    }

    deinit { close() }

    /// Unbinds and frees the handle (also closes the socket).
    func close() {
        if let handle { ldap_unbind_ext_s(handle, nil, nil) }
        handle = nil
    }

    /// A simple bind. An empty password is refused here too: servers treat it as an anonymous bind.
    func bind(dn: String, password: String) throws(DirectoryError) {
        guard let handle else { throw .failed("connection closed") }
        guard !password.isEmpty else { throw .emptyPassword }
        let rc = password.utf8CString.withUnsafeBufferPointer { buffer in
            kiosque_ldap_simple_bind(handle, dn, buffer.baseAddress, buffer.count - 1)
        }
        if rc == LDAP_SUCCESS { return }
        if rc == LDAP_INVALID_CREDENTIALS { throw .wrongPassword }
        throw Self.isUnreachable(rc) ? .unreachable(describe(rc)) : .failed(describe(rc))
    }

    /// The entries under `base` matching `filter` (subtree), with the named attributes' values;
    /// at most `sizeLimit` entries.
    func search(base: String, filter: String, attributes: [String], sizeLimit: Int) throws(DirectoryError) -> [Entry] {
        guard let handle else { throw .failed("connection closed") }
        var cAttributes: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { for pointer in cAttributes { free(pointer) } }
        var result: OpaquePointer?
        let rc = cAttributes.withUnsafeMutableBufferPointer { buffer in
            kiosque_ldap_search(handle, base, kiosque_ldap_scope_subtree, filter, buffer.baseAddress,
                                Int(settings.timeout * 1000), Int32(sizeLimit), &result)
        }
        defer { if let result { ldap_msgfree(result) } }
        guard rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_NO_SUCH_OBJECT else {
            throw Self.isUnreachable(rc) ? .unreachable(describe(rc)) : .failed("search: \(describe(rc))")
        }
        var entries: [Entry] = []
        var message = result.flatMap { ldap_first_entry(handle, $0) }
        while let entry = message {
            var values: [String: [String]] = [:]
            for attribute in attributes {
                guard let list = ldap_get_values_len(handle, entry, attribute) else { continue }
                var index = 0
                while let value = list[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    values[attribute.lowercased(), default: []].append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                ldap_value_free_len(list)
            }
            var dn = ""
            if let cDN = ldap_get_dn(handle, entry) {
                dn = String(cString: cDN)
                ldap_memfree(cDN)
            }
            entries.append(Entry(dn: dn, values: values))
            message = ldap_next_entry(handle, entry)
        }
        return entries
    }

    /// One entry read by `search`: its DN and each asked attribute's values (names lowercased).
    struct Entry {
        var dn: String
        var values: [String: [String]]

        func first(_ attribute: String) -> String? { values[attribute.lowercased()]?.first }
        func all(_ attribute: String) -> [String] { values[attribute.lowercased()] ?? [] }
    }

    private func describe(_ rc: Int32) -> String {
        var text = Self.text(rc)
        if let handle, let diagnostic = kiosque_ldap_diagnostic(handle) {
            let detail = String(cString: diagnostic)
            ldap_memfree(diagnostic)
            if !detail.isEmpty { text += " (\(detail))" }
        }
        return text
    }

    private static func text(_ rc: Int32) -> String {
        String(cString: ldap_err2string(rc))
    }

    private static func isUnreachable(_ rc: Int32) -> Bool {
        rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY
    }
}
