import HTTPTypes
import Testing
@testable import MicroHTTP

@Suite("CrossOriginPolicy")
struct CrossOriginPolicyTests {
    let policy = CrossOriginPolicy(allowedOrigins: ["https://flex.twilio.com/", "http://LOCALHOST:3000"],
                                   allowedMethods: [.post, .options], allowedHeaders: ["Authorization", "Content-Type"],
                                   maxAge: 120)

    func request(_ method: HTTPRequest.Method = .post, origin: String?, extra: HTTPFields = [:]) -> Request {
        var fields = extra
        if let origin { fields[.origin] = origin }
        return Request(method: method, path: "/x", headerFields: fields)
    }

    @Test("origins are normalised serialisations; paths, queries, credentials and null are not origins")
    func normalise() {
        #expect(CrossOriginPolicy.normalise(" HTTPS://Flex.Twilio.com/ ") == "https://flex.twilio.com")
        #expect(CrossOriginPolicy.normalise("http://[::1]:8080") == "http://[::1]:8080")
        for bad in ["null", "flex.twilio.com", "https://", "https://a.example/path", "https://a.example?q", "https://u@a.example", "://a"] {
            #expect(CrossOriginPolicy.normalise(bad) == nil, "\(bad)")
        }
    }

    @Test("no Origin is not a CORS request; listed origins pass whatever their case; others are refused with the origin named")
    func decide() {
        #expect(policy.decide(request(origin: nil)) == .noOrigin)
        #expect(policy.decide(request(origin: "https://FLEX.twilio.com")) == .allowed(origin: "https://FLEX.twilio.com"))
        #expect(policy.decide(request(origin: "http://localhost:3000")) == .allowed(origin: "http://localhost:3000"))
        for other in ["https://flex.twilio.com:8443", "http://flex.twilio.com", "https://evil.flex.twilio.com", "null"] {
            guard case .refused(_, let reason) = policy.decide(request(origin: other)) else {
                Issue.record("\(other) should be refused")
                continue
            }
            #expect(reason.contains(other))
        }
        guard case .refused(_, let reason) = policy.decide(request(origin: "https://a.example\u{e9}")) else {
            Issue.record("refused")
            return
        }
        #expect(reason == "origin \"https://a.example?\" is not allowed to call this server")
    }

    @Test("a preflight answer lists methods and headers, the cache time, and private-network consent only when asked")
    func preflight() {
        var fields = HTTPFields()
        fields[.accessControlRequestMethod] = "POST"
        let asked = request(.options, origin: "https://flex.twilio.com", extra: fields)
        #expect(CrossOriginPolicy.isPreflight(asked))
        #expect(!CrossOriginPolicy.isPreflight(request(.options, origin: "https://flex.twilio.com")))
        let answer = policy.preflightAnswer(asked, origin: "https://flex.twilio.com")
        #expect(answer.status == .noContent)
        #expect(answer.headerFields[.accessControlAllowOrigin] == "https://flex.twilio.com")
        #expect(answer.headerFields[.vary] == "Origin")
        #expect(answer.headerFields[.accessControlAllowMethods] == "POST, OPTIONS")
        #expect(answer.headerFields[.accessControlAllowHeaders] == "Authorization, Content-Type")
        #expect(answer.headerFields[.accessControlMaxAge] == "120")
        #expect(answer.headerFields[.accessControlAllowPrivateNetwork] == nil)
        fields[.accessControlRequestPrivateNetwork] = "true"
        let network = policy.preflightAnswer(request(.options, origin: "https://flex.twilio.com", extra: fields),
                                             origin: "https://flex.twilio.com")
        #expect(network.headerFields[.accessControlAllowPrivateNetwork] == "true")
    }
}
