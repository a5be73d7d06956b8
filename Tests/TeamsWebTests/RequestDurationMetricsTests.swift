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

    @Test("the histogram is written from the counts as they are: cumulative buckets, the sum in seconds, the count")
    func written() {
        let limits = [1_000_000, 10_000_000]
        var page = Self.samples(MetricsExporter.durationText([.init(group: "page", counts: [0, 0, 0], nanoseconds: [0, 0, 0])],
                                                             bounds: limits), route: "page")
        #expect(page.buckets == ["0.001": 0, "0.01": 0, "+Inf": 0] && page.count == 0 && page.sum == "0.0")
        // Three requests of 1 ms at most, two up to 10 ms, one of 3 s; another group beside it.
        let text = MetricsExporter.durationText([.init(group: "page", counts: [3, 2, 1], nanoseconds: [1_500_001, 11_000_003, 3_000_000_000]),
                                                 .init(group: "api", counts: [1, 0, 0], nanoseconds: [250_000, 0, 0])], bounds: limits)
        page = Self.samples(text, route: "page")
        #expect(page.buckets == ["0.001": 3, "0.01": 5, "+Inf": 6] && page.count == 6, "\(page)")
        #expect(page.sum == "3.012500004", "\(page)")
        let api = Self.samples(text, route: "api")
        #expect(api.buckets == ["0.001": 1, "0.01": 1, "+Inf": 1] && api.count == 1 && api.sum == "0.00025", "\(api)")
        #expect(text.components(separatedBy: "# TYPE teamsview_http_request_duration_seconds histogram").count == 2)
    }
}
