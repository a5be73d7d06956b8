import Dispatch
import HTTPTypes
import Synchronization
import Testing
@testable import MicroHTTP

/// Offloaded routes: a handler that blocks (a disk sync) runs off the server thread, so the other
/// connections that thread serves, streams included, go on being answered meanwhile.
@Suite struct OffloadTests {
    /// A handler that blocks until the test lets it go (or 10 s pass), saying when it has started.
    final class Gate: Sendable {
        let started = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)

        func wait() -> Response {
            started.store(true, ordering: .relaxed)
            let released = release.wait(timeout: .now() + 10) == .success
            return text(released ? "done" : "never released")
        }
    }

    /// One server thread, so a handler blocking it would hold up every other connection.
    static func server(_ gate: Gate, offloaded: Bool = true) -> HTTPServer {
        var router = Router()
        router.post("/slow", bodyLimit: 64, offloaded: offloaded) { _ in gate.wait() }
        router.get("/hello") { _ in text("hello, world") }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, threads: 1)
        configuration.shutdownTimeout = .seconds(1)
        return HTTPServer(configuration: configuration, router: router)
    }

    @Test func otherConnectionsAreAnsweredWhileAnOffloadedHandlerBlocks() throws {
        let gate = Gate()
        let server = Self.server(gate)
        try server.start()
        defer { server.stop() }
        let poster = try RawClient(port: server.port)
        try poster.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        #expect(eventually { gate.started.load(ordering: .relaxed) })

        // The only server thread is free: another client is answered while the handler still blocks.
        let other = try RawClient(port: server.port, timeoutSeconds: 3)
        let hello = try other.request("GET", "/hello")
        #expect(hello.text == "hello, world")

        gate.release.signal()
        let answer = try poster.readResponse()
        #expect(answer.status == 200)
        #expect(answer.text == "done")
        // The connection is kept for the next request, answered as usual.
        #expect(try poster.request("GET", "/hello").text == "hello, world")
    }

    @Test func stoppingWaitsForAnOffloadedHandlerAndSendsItsAnswer() throws {
        let gate = Gate()
        let server = Self.server(gate)
        try server.start()
        let poster = try RawClient(port: server.port)
        try poster.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        #expect(eventually { gate.started.load(ordering: .relaxed) })
        // Stopped while the handler runs (its connection suspended): the stop waits for it past its
        // deadline, then the answer goes out with the connection closed, and the process goes on.
        let stopped = Atomic<Bool>(false)
        DispatchQueue.global().async {
            server.stop()
            stopped.store(true, ordering: .relaxed)
        }
        #expect(!eventually(timeout: .milliseconds(1500)) { stopped.load(ordering: .relaxed) })
        gate.release.signal()
        let answer = try poster.readResponse()
        #expect(answer.status == 200)
        #expect(answer.text == "done")
        #expect(answer.headers["connection"]?.lowercased() == "close")
        #expect(eventually { stopped.load(ordering: .relaxed) })
    }
}
