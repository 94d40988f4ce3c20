import Foundation
import RelaisCore
import Testing

/// Addresses that are not the public internet, in every form a resolver or a URL parser reads.
@Suite struct EgressTargetTests {
    @Test(arguments: [
        // IPv4-compatible, 6to4 and Teredo forms carrying loopback, private or metadata addresses.
        "http://[::127.0.0.1]/", "http://[::169.254.169.254]/", "http://[::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::1]/", "http://[2002:c0a8:101::]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  // Teredo client 127.0.0.1 (inverted)
        "http://[64:ff9b:1::a00:1]/", "http://[::ffff:169.254.169.254]/", "http://[fec0::1]/", "http://[100::1]/",
        // The shorthand forms inet_aton and getaddrinfo turn into 127.0.0.1 or a private address.
        "http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://0177.0.0.1/", "http://012.0.0.1/", "http://0x7f.1/",
        "http://10.1/", "http://3232235777/", "http://0/",
        "http://localhost./", "http://LOCALHOST/", "http://x.localhost./",
    ])
    func everyFormOfAPrivateAddressIsRefused(url: String) throws {
        let problem = try #require(EgressTarget.problem(url: url, allowPrivate: false), "\(url)")
        #expect(problem.contains("private network"), "\(url): \(problem)")
        #expect(EgressTarget.problem(url: url, allowPrivate: true) == nil, "\(url)")
    }

    @Test(arguments: [
        "https://api.github.com", "https://acme.atlassian.net/rest", "http://[::8.8.8.8]/", "http://[2002:808:808::]/", "http://134744072/",
        "https://1e100.net/", "https://cafe.example/", "https://0xdeadbeef.example/",
    ])
    func publicAddressesAndNamesPass(url: String) {
        #expect(EgressTarget.problem(url: url, allowPrivate: false) == nil, "\(url)")
    }

    @Test func textThatCouldReachAProtocolLineIsNoURL() throws {
        for url in ["https://example.com/a b", "https://example.com/\r\nHost: evil", "https://exa\tmple.com/"] {
            #expect(EgressTarget.problem(url: url, allowPrivate: true) != nil, "\(url.debugDescription)")
        }
    }

    @Test func theMapsOutboundAddressesAreChecked() throws {
        var map = ProcessMap()
        map.trackers["bugs"] = DeveloperTracker(name: "bugs", kind: .github, url: "http://169.254.169.254", project: "a/b", tokenVariable: "RELAIS_T")
        map.peers["zendesk"] = PeerConnection(source: "zendesk", url: "https://acme.zendesk.com", userVariable: "RELAIS_U", tokenVariable: "RELAIS_T")
        let problems = map.egressProblems(allowPrivate: false)
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("trackers.bugs.url: host '169.254.169.254'") == true, "\(problems)")
        #expect(map.egressProblems(allowPrivate: true).isEmpty)
    }

    @Test func onlyRelaisVariablesAreRead() {
        let environment = ["DATABASE_URL": "postgres://secret", "RELAIS_TOKEN": "t", "RELAIS_EMPTY": "", "RELAIS_": "x"]
        #expect(SecretVariable.value("RELAIS_TOKEN", in: environment) == "t")
        #expect(SecretVariable.value("DATABASE_URL", in: environment) == nil)
        #expect(SecretVariable.value("RELAIS_EMPTY", in: environment) == nil)
        #expect(SecretVariable.value("RELAIS_", in: environment) == nil)
    }
}
