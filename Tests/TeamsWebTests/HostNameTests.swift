import Testing
@testable import TeamsWeb

@Suite("Host names as the access rules read them")
struct HostNameTests {
    @Test("the byte-wise reading of name:port gives what the general one gives, for every shape of Host")
    func sameAsGeneral() {
        let hosts = ["localhost:8080", "LocalHost:8080", "127.0.0.1", "127.0.0.1:18731", "Example.COM", "[::1]:8080", "[::1]",
                     ":80", "::", ":a:b", "", "a:", "Ünïcode.example:80", "host.example:8080:9", "[FE80::1]:443", "a b:1"]
        for host in hosts {
            #expect(OriginRules.hostName(host) == OriginRules.hostNameInGeneral(host), "\(host)")
        }
        #expect(OriginRules.hostName("LocalHost:8080") == "localhost")
    }
}
