import Dispatch
import HTTPTypes
import Synchronization
import Testing
@testable import MicroHTTP

@Suite("Reusable responses: one libmicrohttpd object sent many times")
struct ReusableResponseTests {
    /// 100 KiB, so a send spans many writes while other connections send the same object.
    static let body = (0..<102_400).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    static func kept() -> Response {
        var response = Response(status: .ok, headerFields: [.contentType: "application/octet-stream", .eTag: "\"k1\""],
                                body: .bytes(body))
        response.headerFields.append(HTTPField(name: HTTPField.Name("X-Kept")!, value: "1"))
        return response.reusable()
    }

    @Test("sent by many connections at once, each gets the same bytes and each field once")
    func concurrentSends() throws {
        let kept = Self.kept()
        #expect(kept.native != nil)
        var router = Router()
        router.get("/kept") { _ in kept }
        try withServer(router) { server in
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { client in
                do {
                    let connection = try RawClient(port: server.port)
                    for i in 0..<15 {
                        let r = try connection.request("GET", "/kept")
                        if r.status != 200 || r.body != Self.body || r.headers["x-kept"] != "1" || r.headers["etag"] != "\"k1\""
                            || r.headers["content-length"] != String(Self.body.count) {
                            failures.withLock { $0.append("client \(client) request \(i): \(r.status) \(r.headers)") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
        }
    }

    @Test("a reusable response still answers 304 to a matching If-None-Match, and HEAD without a body")
    func conditionalAndHead() throws {
        let kept = Self.kept()
        var router = Router()
        router.get("/kept") { _ in kept }
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/kept").body == Self.body)
            let notModified = try client.request("GET", "/kept", headers: ["If-None-Match: \"k1\""])
            #expect(notModified.status == 304 && notModified.body.isEmpty && notModified.headers["etag"] == "\"k1\"")
            let head = try client.request("HEAD", "/kept")
            #expect(head.status == 200 && head.headers["content-length"] == String(Self.body.count) && head.headers["x-kept"] == "1")
            // Nothing of a body was sent after the HEAD answer: the next response on the connection is whole.
            #expect(try client.request("GET", "/kept").body == Self.body)
        }
    }

    @Test("a copy changed after reusable() is sent as changed, and the original as it was")
    func changedCopy() throws {
        let kept = Self.kept()
        var router = Router()
        router.get("/kept") { _ in kept }
        router.get("/changed") { _ in
            var changed = kept
            changed.headerFields[HTTPField.Name("X-Kept")!] = "2"
            return changed
        }
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            #expect(try client.request("GET", "/kept").headers["x-kept"] == "1")
            #expect(try client.request("GET", "/changed").headers["x-kept"] == "2")
            #expect(try client.request("GET", "/kept").headers["x-kept"] == "1")
        }
    }
}
