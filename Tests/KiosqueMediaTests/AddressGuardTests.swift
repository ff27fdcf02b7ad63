import KiosqueFetch
import Testing

@Suite("SSRF address guard")
struct AddressGuardTests {
    @Test("Internal addresses are refused", arguments: [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
        "100.127.255.254", "169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1",
        "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
    ])
    func refused(address: String) {
        #expect(AddressGuard.refusal(for: address) != nil)
    }

    @Test("Public addresses pass", arguments: [
        "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8",
    ])
    func allowed(address: String) {
        #expect(AddressGuard.refusal(for: address) == nil)
    }

    @Test("The allow-list matches host names case-insensitively, brackets and trailing dot aside")
    func allowList() {
        let policy = AddressPolicy(allowedPrivateHosts: ["Intranet.Mairie.Local", "[::1]"])
        #expect(policy.exempts(host: "intranet.mairie.local."))
        #expect(policy.exempts(host: "::1"))
        #expect(!policy.exempts(host: "mairie.local"))
    }
}
