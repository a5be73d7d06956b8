import MicroHTTP
import Testing
@testable import TeamsWeb

@Suite("/metrics: request durations by route group")
struct RequestDurationMetricsTests {
    @Test("routes are grouped by what they serve, from their pattern; a pattern never reaches the label")
    func groups() {
        let groups = ["/": "page", "/kiosk": "kiosk", "/live": "live", "/api/workers": "api", "/api/workers/:id": "api",
                      "/api/summary": "api", "/api/status": "api", "/api/openapi.json": "api", "/api/report": "reports",
                      "/api/incidents": "reports", "/report": "reports", "/report.csv": "reports",
                      "/report/agent/:id": "reports", "/incidents": "reports", "/incidents/:id/acknowledge": "reports",
                      "/ingest": "ingest", "/metrics": "metrics", "/static/*": "static", "/favicon.ico": "static",
                      "/status": "other", "/healthz": "other", "/readyz": "other", "/signin": "other", "/signout": "other"]
        for (pattern, group) in groups {
            #expect(TeamsApp.routeGroup(pattern) == group, "\(pattern)")
        }
        #expect(Set(groups.values).isSubset(of: TeamsApp.routeGroups))
    }

    /// The samples of one route in the exposition: bucket counts by bound, then the sum and the count.
    static func samples(_ text: String, route: String) -> (buckets: [String: Int], sum: String?, count: Int?) {
        var buckets: [String: Int] = [:]
        var sum: String?
        var count: Int?
        let name = "teamsview_http_request_duration_seconds"
        for line in text.split(separator: "\n") where line.hasPrefix(name) && line.contains("route=\"\(route)\"") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let value = String(parts[1])
            if line.hasPrefix(name + "_bucket"), let le = line.split(separator: "le=\"").last?.split(separator: "\"").first {
                buckets[String(le)] = Int(value)
            } else if line.hasPrefix(name + "_sum") {
                sum = value
            } else if line.hasPrefix(name + "_count") {
                count = Int(value)
            }
        }
        return (buckets, sum, count)
    }

    @Test("each scrape copies the requests counted since the last one, each in its bucket, their time to the nanosecond")
    func copied() {
        let exporter = MetricsExporter()
        let bounds: [Duration] = [.milliseconds(1), .milliseconds(10)]
        let limits = [1_000_000, 10_000_000]
        exporter.copy([.init(group: "page", counts: [0, 0, 0], nanoseconds: [0, 0, 0])], bounds: bounds, nanoseconds: limits)
        var page = Self.samples(exporter.emitted, route: "page")
        #expect(page.buckets == ["0.001": 0, "0.01": 0, "+Inf": 0] && page.count == 0 && page.sum == "0.0")
        // Three requests of 1 ms at most (one of them exactly 1 ms), two up to 10 ms, one of 3 s.
        exporter.copy([.init(group: "page", counts: [3, 2, 1], nanoseconds: [1_500_001, 11_000_003, 3_000_000_000])],
                      bounds: bounds, nanoseconds: limits)
        page = Self.samples(exporter.emitted, route: "page")
        #expect(page.buckets == ["0.001": 3, "0.01": 5, "+Inf": 6] && page.count == 6, "\(page)")
        #expect(page.sum == "3.012500004", "\(page)")
        // The next scrape adds only what came since.
        exporter.copy([.init(group: "page", counts: [4, 2, 1], nanoseconds: [2_500_001, 11_000_003, 3_000_000_000])],
                      bounds: bounds, nanoseconds: limits)
        page = Self.samples(exporter.emitted, route: "page")
        #expect(page.buckets == ["0.001": 4, "0.01": 6, "+Inf": 7] && page.sum == "3.013500004", "\(page)")
        // A time read ahead of its count (a request half counted) stays within the bucket, and the rest follows later.
        exporter.copy([.init(group: "page", counts: [5, 2, 1], nanoseconds: [4_000_001, 11_000_003, 3_000_000_000])],
                      bounds: bounds, nanoseconds: limits)
        page = Self.samples(exporter.emitted, route: "page")
        #expect(page.buckets == ["0.001": 5, "0.01": 7, "+Inf": 8] && page.sum == "3.014500004", "\(page)")
        exporter.copy([.init(group: "page", counts: [6, 2, 1], nanoseconds: [4_000_001, 11_000_003, 3_000_000_000])],
                      bounds: bounds, nanoseconds: limits)
        page = Self.samples(exporter.emitted, route: "page")
        #expect(page.buckets == ["0.001": 6, "0.01": 8, "+Inf": 9] && page.sum == "3.015000004", "\(page)")
    }
}
