import HTTPTypes
import Synchronization
import Testing
@testable import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LoadTests {
    /// wrk frames responses by Content-Length, so a 304 that announced a body it does not send
    /// would stall it; this checks the 0-length 304 decision against a real load generator.
    @Test(.enabled(if: access("/usr/bin/wrk", X_OK) == 0), arguments: [nil, "\"v1\""])
    func wrkSeesNoErrorsOn200And304(ifNoneMatch: String?) throws {
        try withServer(ServerTests.router()) { server in
            var arguments = ["-t1", "-c8", "-d1s", "--timeout", "1s"]
            if let ifNoneMatch { arguments += ["-H", "If-None-Match: \(ifNoneMatch)"] }
            let output = try run("/usr/bin/wrk", arguments + ["http://127.0.0.1:\(server.port)/tagged"])
            #expect(!output.contains("Socket errors"), "\(output)")
            #expect(!output.contains("Non-2xx or 3xx"), "\(output)")
            let requests = output.split(separator: "\n").first { $0.contains("requests in") }
                .flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
            // Thousands per second even on a busy 2-core machine; a keep-alive or framing problem
            // (a close per request, or 1 s timeouts) drops this by orders of magnitude.
            #expect(requests > 1000, "\(output)")
            let statistics = server.statistics
            #expect(ifNoneMatch == nil ? statistics.responses2xx >= requests : statistics.responses3xx >= requests)
        }
    }

    @Test func concurrentClientsAndStreams() throws {
        let collector = StreamCollector()
        var router = collector.router()
        router.get("/n/:n") { request in text(request.parameters["n"] ?? "") }
        try withServer(router) { server in
            let failures = Atomic<Int>(0)
            let streamed = Atomic<Int>(0)
            // Stream readers: each reads until the server ends its stream.
            var threads: [pthread_t] = []
            for index in 0..<6 {
                threads.append(spawn {
                    guard let client = try? RawClient(port: server.port) else { failures.add(1, ordering: .relaxed); return }
                    guard (try? client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")) != nil,
                          (try? client.readHead())?.status == 200 else { failures.add(1, ordering: .relaxed); return }
                    var count = 0
                    while let chunk = try? client.readChunk() {
                        count += chunk.count
                        // Half the readers leave early, mid-stream.
                        if index % 2 == 1, count > 2000 { client.close(); break }
                    }
                    streamed.add(count, ordering: .relaxed)
                })
            }
            // Request clients on keep-alive connections.
            for worker in 0..<4 {
                threads.append(spawn {
                    guard let client = try? RawClient(port: server.port) else { failures.add(1, ordering: .relaxed); return }
                    for n in 0..<200 where (try? client.request("GET", "/n/\(worker)-\(n)"))?.text != "\(worker)-\(n)" {
                        failures.add(1, ordering: .relaxed)
                    }
                })
            }
            // A writer pushing to whatever streams exist while all that goes on.
            _ = eventually { collector.all.count == 6 }
            for round in 0..<300 {
                for stream in collector.all { stream.write("data: \(round) \(String(repeating: "x", count: 40))\n\n") }
                if round % 50 == 0 { usleep(1000) }
            }
            for stream in collector.all { stream.close() }
            for thread in threads { pthread_join(thread, nil) }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(streamed.load(ordering: .relaxed) > 3 * 300 * 40)
            #expect(eventually { server.activeStreams == 0 })
            #expect(collector.closed.load(ordering: .relaxed) == 6)
            #expect(server.statistics.responses2xx >= 800 + 6)
        }
    }
}

/// Runs `body` on a new thread (the tests' clients block on sockets).
func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, box)
    return thread
}
