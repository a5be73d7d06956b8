import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Logging
import MicroHTTP
import Testing
import TeamsDomain
import TeamsIngest
import TeamsReports
@testable import TeamsWeb

/// The application with reports on (in memory), fed the hand-computed scenario of `TeamsReportsTests`.
final class ReportServer: @unchecked Sendable {
    let store = RegistryStore()
    let reports: ReportWriter
    let pipeline: IngestPipeline
    let app: TeamsApp
    let server: HTTPServer
    var client: HTTPClient { HTTPClient(port: server.port) }

    /// `now`: the wall clock the pages see (RFC 3339).
    init(seeds: [String] = ["report-scenario.ndjson", "report-late.ndjson"], now: String = "2026-03-10T10:00:00Z") async throws {
        let store = self.store
        let reports = try ReportWriter(database: ReportDatabase(directory: nil), zone: ReportZone(identifier: "UTC")!,
                                       settings: .init(grace: 3, flushInterval: 3600))
        self.reports = reports
        pipeline = IngestPipeline(decoder: { NativeDecoder() }) { events in
            _ = store.apply(events)
            reports.submit(events)
        }
        let fixed = RFC3339.parse(now)!
        app = try await TeamsApp(store: store, statistics: IngestStatistics(), assets: .init(root: TestServer.repoRoot),
                                 settings: ViewSettings(), clock: WallClock { fixed }, reports: reports)
        for name in seeds {
            _ = pipeline.ingest(body: try TestServer.seed(name), source: name)
            reports.flush()
        }
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: app.routes())
        try server.start()
    }

    deinit { server.stop() }
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(text)
    if chars.first == "\u{FEFF}" { chars.removeFirst() }
    var i = 0
    while i < chars.count {
        let c = chars[i]
        if quoted {
            if c == "\"" {
                if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            row.append(field); field = ""
        } else if c == "\r\n" || c == "\n" {
            row.append(field); field = ""; rows.append(row); row = []
        } else {
            field.append(c)
        }
        i += 1
    }
    return rows
}

/// Every `<svg>…</svg>` of a page, each checked by an XML parser.
func svgsParse(_ html: String) -> (count: Int, allValid: Bool) {
    var count = 0
    var valid = true
    var rest = Substring(html)
    while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        let svg = String(rest[start.lowerBound..<end.upperBound])
        let parser = XMLParser(data: Data(svg.utf8))
        if !parser.parse() { valid = false }
        count += 1
        rest = rest[end.upperBound...]
    }
    return (count, valid)
}

@Suite("Reports over the real server")
struct ReportsWebTests {
    static let day = "from=2026-03-10&to=2026-03-10"

    @Test("/api/report gives the hand-computed figures under the documented names; teams add up")
    func reportAPI() async throws {
        let s = try await ReportServer()
        let reply = try s.client.get("/api/report?\(Self.day)&interval=1")
        #expect(reply.status == 200)
        let body = try reply.json()
        #expect(body["from"] as? String == "2026-03-10")
        #expect(body["to"] as? String == "2026-03-10")
        #expect(body["timeZone"] as? String == "UTC")
        let rows = try #require(body["rows"] as? [[String: Any]])
        let ann = try #require(rows.first { $0["key"] as? String == "w1" })
        #expect(Set(ann.keys) == Set(["key", "name", "activitySeconds", "intervals"] + IntervalFigures.fieldNames))
        #expect(ann["name"] as? String == "Ann")
        #expect(ann["callsHandled"] as? Int == 3)
        #expect(ann["talkSeconds"] as? Double == 700)
        #expect(ann["holdSeconds"] as? Double == 390)
        #expect(ann["longestHoldSeconds"] as? Double == 330)
        #expect(ann["exposureSeconds"] as? Double == 80)
        #expect(ann["misroutes"] as? Int == 1)
        #expect(ann["wrongCallRiskIncidents"] as? Int == 2)
        #expect(ann["transfersOut"] as? Int == 1)
        #expect(ann["activitySeconds"] as? [String: Double] == ["Available": 2100, "Break": 300])
        let intervals = try #require(ann["intervals"] as? [[String: Any]])
        #expect(intervals.map { $0["start"] as? String } == ["2026-03-10T09:00:00Z", "2026-03-10T09:15:00Z", "2026-03-10T09:30:00Z"])
        let totals = try #require(body["totals"] as? [String: Any])
        #expect(totals["talkSeconds"] as? Double == 1072.0)
        #expect(totals["callsHandled"] as? Int == 5)

        let teams = try s.client.get("/api/report?\(Self.day)&by=team").json()
        let teamRows = try #require(teams["rows"] as? [[String: Any]])
        #expect(teamRows.map { $0["key"] as? String } == ["Alpha", "Beta"])
        for name in IntervalFigures.fieldNames where name != "maxConcurrentCalls" && name != "longestHoldSeconds" {
            let sum = rows.reduce(0.0) { $0 + (($1[name] as? Double) ?? 0) }
            let teamSum = teamRows.reduce(0.0) { $0 + (($1[name] as? Double) ?? 0) }
            #expect(sum == teamSum, "\(name)")
            #expect((totals[name] as? Double) == sum, "\(name)")
        }
        let queues = try s.client.get("/api/report?\(Self.day)&by=queue").json()
        #expect((queues["rows"] as? [[String: Any]])?.map { $0["key"] as? String } == ["Sales", "Support"])

        #expect(try s.client.get("/api/report?from=2026-13-01").status == 400)
        #expect(try s.client.get("/api/report?from=2026-03-11&to=2026-03-10").status == 400)
        #expect(try s.client.get("/api/report?by=floor").json()["error"] as? String == "by must be agent, team or queue")
    }

    @Test("a period with no figures links the day of the newest events; a day with figures does not")
    func emptyPeriodLinksTheNewestDay() async throws {
        let s = try await ReportServer()
        let empty = try s.client.get("/report?from=2026-03-01&to=2026-03-02&by=team").text
        #expect(empty.contains("No figures for these dates yet."))
        #expect(empty.contains(#"The newest events are of <a href="/report?from=2026-03-10&amp;to=2026-03-10&amp;by=team">2026-03-10</a>."#))
        let full = try s.client.get("/report?\(Self.day)").text
        #expect(!full.contains("No figures for these dates yet.") && !full.contains("The newest events are of"))
    }

    @Test("/reports, the plural, is sent on to /report with its query")
    func pluralRedirects() async throws {
        let s = try await ReportServer()
        let reply = try s.client.get("/reports?\(Self.day)&by=team")
        #expect(reply.status == 301)
        #expect(reply.header("location") == "/report?\(Self.day)&by=team")
        #expect(try s.client.get("/reports").header("location") == "/report")
    }

    @Test("/api/incidents lists the four incidents with names, calls and exposure")
    func incidentsAPI() async throws {
        let s = try await ReportServer()
        let body = try s.client.get("/api/incidents?\(Self.day)").json()
        let incidents = try #require(body["incidents"] as? [[String: Any]])
        #expect(incidents.count == 4)
        let misroute = try #require(incidents.first { $0["kind"] as? String == "misroute" })
        #expect(Set(misroute.keys) == ["id", "worker", "workerName", "kind", "start", "end", "calls", "queue", "via",
                                       "exposureSeconds", "acknowledgedBy", "acknowledgedAt", "note"])
        #expect(misroute["worker"] as? String == "w1")
        #expect(misroute["workerName"] as? String == "Ann")
        #expect(misroute["start"] as? String == "2026-03-10T09:08:00Z")
        #expect(misroute["end"] as? String == "2026-03-10T09:12:00Z")
        #expect(misroute["calls"] as? [String] == ["c2", "c1"])
        #expect(misroute["exposureSeconds"] as? Double == 0)
        #expect(misroute["acknowledgedBy"] is NSNull)
        #expect((misroute["id"] as? String)?.isEmpty == false)
        let exposures = incidents.compactMap { $0["exposureSeconds"] as? Double }.sorted()
        #expect(exposures == [0, 10, 20, 60])
        let risky = try s.client.get("/api/incidents?\(Self.day)&kind=wrong-call-risk&worker=w1").json()
        #expect((risky["incidents"] as? [Any])?.count == 2)
        // By name, in any case, or by the id in another case: as the page takes it.
        for typed in ["Ann", "ANN", "W1"] {
            let named = try s.client.get("/api/incidents?\(Self.day)&kind=wrong-call-risk&worker=\(typed)").json()
            #expect((named["incidents"] as? [[String: Any]])?.map { $0["worker"] as? String } == ["w1", "w1"], "\(typed)")
        }
        #expect((try s.client.get("/api/incidents?\(Self.day)&worker=nobody").json()["incidents"] as? [Any])?.isEmpty == true)
    }

    @Test("a page filtered to teams shows their incidents only: the API, the kiosk's first list, the strip's poll, the list")
    func incidentsOfTheTeamsFilteredTo() async throws {
        let s = try await ReportServer()
        func workers(_ query: String) throws -> [String] {
            let body = try s.client.get("/api/incidents?\(Self.day)\(query)").json()
            return try #require(body["incidents"] as? [[String: Any]]).compactMap { $0["worker"] as? String }
        }
        let all = try workers("")
        #expect(Set(all) == ["w1", "w2"], "both teams have incidents: \(all)")
        #expect(try workers("&team=Alpha") == all.filter { $0 == "w1" })
        #expect(try workers("&team=Beta") == all.filter { $0 == "w2" })
        #expect(try workers("&team=Alpha&team=Beta") == all)
        #expect(try workers("&team=Gamma").isEmpty)
        // The page's inline first answer (today's unacknowledged) and the strip's poll carry the pinned team.
        let beta = try s.client.get("/?team=Beta").text
        let strip = try #require(section(of: beta, from: "<aside class=\"incident-strip\"", to: ">"))
        #expect(strip.contains("data-query=\"team=Beta\""), "\(strip)")
        #expect(strip.contains("&quot;w2&quot;") && !strip.contains("&quot;w1&quot;"), "\(strip)")
        #expect(strip.contains("data-incidents-total=\"\(all.filter { $0 == "w2" }.count)\""), "\(strip)")
        // The kiosk's too; nobody acknowledges there, so it holds only those going on or cleared in the last 5 minutes:
        // none at 10:00 of the scenario's, all over long before.
        let kiosk = try s.client.get("/kiosk?team=Beta").text
        let kioskStrip = try #require(section(of: kiosk, from: "<aside class=\"incident-strip\"", to: "</aside>"))
        #expect(kioskStrip.contains("data-query=\"team=Beta\"") && kioskStrip.contains("data-cleared-for=\"300\""), "\(kioskStrip)")
        #expect(kioskStrip.contains("data-incidents-total=\"0\"") && kioskStrip.contains(" hidden></aside>"), "\(kioskStrip)")
        let page = try s.client.get("/?team=Alpha").text
        #expect(try #require(section(of: page, from: "<aside class=\"incident-strip\"", to: ">")).contains("data-query=\"team=Alpha\""))
        // Drawn by the server as the script draws it, so it shows at once and without script: how many, and
        // each as kind · agent · time, linking to the list of the same teams; event-derived names escaped.
        let alpha = all.filter { $0 == "w1" }.count
        let pageStrip = try #require(section(of: page, from: "<aside class=\"incident-strip\"", to: "</aside>"))
        #expect(pageStrip.contains(">\(alpha) incidents<span class=\"incident-strip__long\"> to acknowledge"), "\(pageStrip)")
        #expect(pageStrip.components(separatedBy: "class=\"incident-strip__item\"").count - 1 == alpha, "\(pageStrip)")
        #expect(pageStrip.contains("Wrong-call risk · Ann · ") && !pageStrip.contains("Bob"), "\(pageStrip)")
        #expect(pageStrip.contains("href=\"/incidents?state=unacknowledged&amp;team=Alpha\""), "\(pageStrip)")
        #expect(!(try #require(section(of: pageStrip, from: "<aside", to: ">"))).contains(" hidden"), "a strip with incidents is shown")
        let betaStrip = try #require(section(of: beta, from: "<aside class=\"incident-strip\"", to: "</aside>"))
        #expect(betaStrip.contains(" · Bob &lt;script&gt;x&lt;/script&gt; =1+1 · ") && !betaStrip.contains("<script"), "\(betaStrip)")
        // No incidents: the strip is empty and hidden.
        let none = try #require(section(of: try s.client.get("/?team=Gamma").text, from: "<aside class=\"incident-strip\"", to: "</aside>"))
        #expect(none.contains(" hidden></aside>") && !none.contains("incident-strip__item"), "\(none)")
        // Unfiltered pages ask for every team.
        #expect(!(try s.client.get("/kiosk").text.contains("data-query=")))
        #expect(!(try s.client.get("/").text.contains("data-query=")))
        // The list the strip links to keeps the team through its form.
        let list = try s.client.get("/incidents?\(Self.day)&team=Alpha").text
        #expect(list.contains("<input type=\"hidden\" name=\"team\" value=\"Alpha\">"))
        #expect(list.contains("Ann") && !list.contains("Bob &lt;script&gt;"), "\(list)")
    }

    @Test("/report, /api/report and the CSV follow team=: only those teams' rows and totals, kept in every link")
    func reportOfTheTeamsFilteredTo() async throws {
        let s = try await ReportServer()
        func keys(_ query: String) throws -> [String] {
            let body = try s.client.get("/api/report?\(Self.day)\(query)").json()
            return try #require(body["rows"] as? [[String: Any]]).compactMap { $0["key"] as? String }
        }
        #expect(try keys("") == ["w1", "w2"])
        #expect(try keys("&team=Alpha") == ["w1"])
        #expect(try keys("&team=Beta&by=team") == ["Beta"])
        #expect(try keys("&team=Alpha&team=Beta") == ["w1", "w2"])
        #expect(try keys("&team=Gamma").isEmpty)
        let alphaCalls = try s.client.get("/api/report?\(Self.day)&team=Alpha").json()["totals"] as? [String: Any]
        #expect(alphaCalls?["callsHandled"] as? Int == 3, "the totals are Alpha's (Ann's 3 calls), not the floor's 5")
        let csv = try s.client.get("/report.csv?\(Self.day)&team=Beta").text
        #expect(csv.contains("Bob") && !csv.contains("Ann"), "\(csv)")
        let page = try s.client.get("/report?\(Self.day)&team=Beta").text
        #expect(page.contains("Report by Agent of Beta,"))
        #expect(page.contains("<input type=\"hidden\" name=\"team\" value=\"Beta\">"))
        #expect(page.contains("Bob &lt;script&gt;") && !page.contains(">Ann<"), "\(page)")
        #expect(page.contains("&amp;team=Beta&amp;sort=") || page.contains("&team=Beta&sort="), "sort links keep the team")
    }

    @Test("the report and incident pages name their own page beside the brand, as /status does")
    func pageSubtitles() async throws {
        let s = try await ReportServer()
        for (path, name) in [("/report?\(Self.day)", "Reports"), ("/report/agent/w1?date=2026-03-10", "Reports"),
                             ("/incidents?\(Self.day)", "Incidents"), ("/status", "Status"), ("/", "Teams View")] {
            let html = try s.client.get(path).text
            #expect(html.contains("<span class=\"brand__sub\">\(name)</span>"), "\(path)")
        }
    }

    @Test("with reports on, an agent's name on / opens their day report; without reports it is plain text")
    func nameLinksToDayReport() async throws {
        let s = try await ReportServer()
        let page = try s.client.get("/").text
        let row = try #require(section(of: page, from: "id=\"w-w2\"", to: "</tr>"))
        #expect(row.contains("<a href=\"/report/agent/w2\" class=\"agent__name\" title=\"Day report\">Bob &lt;script&gt;"), "\(row)")
        #expect(try s.client.get("/report/agent/w2?date=2026-03-10").status == 200)
        let off = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let plain = try off.client.get("/").text
        #expect(plain.contains("<span class=\"agent__name\">Ada Okafor</span>") && !plain.contains("/report/agent/"))
    }

    @Test("Acknowledging needs this server's Origin and the form token, and is kept")
    func acknowledge() async throws {
        let s = try await ReportServer()
        let incidents = try #require(try s.client.get("/api/incidents?\(Self.day)").json()["incidents"] as? [[String: Any]])
        let id = try #require(incidents.first?["id"] as? String)
        let token = try #require(s.app.reports?.formToken)
        let origin = "http://127.0.0.1:\(s.server.port)"
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let body = Array("token=\(token)&by=Sam+Lee&note=called+%3Cback%3E&return=%2Fincidents".utf8)
        #expect(try s.client.send("POST", "/incidents/\(id)/acknowledge", headers: form, body: body).status == 403)
        #expect(try s.client.send("POST", "/incidents/\(id)/acknowledge",
                                  headers: form.merging(["Origin": "http://evil.example"]) { $1 }, body: body).status == 403)
        let badToken = Array("token=nope&by=Sam".utf8)
        #expect(try s.client.send("POST", "/incidents/\(id)/acknowledge",
                                  headers: form.merging(["Origin": origin]) { $1 }, body: badToken).status == 403)
        let ok = try s.client.send("POST", "/incidents/\(id)/acknowledge", headers: form.merging(["Origin": origin]) { $1 }, body: body)
        #expect(ok.status == 303)
        #expect(ok.header("location") == "/incidents")
        let after = try #require(try s.client.get("/api/incidents?\(Self.day)").json()["incidents"] as? [[String: Any]])
        let acked = try #require(after.first { $0["id"] as? String == id })
        #expect(acked["acknowledgedBy"] as? String == "Sam Lee")
        #expect(acked["note"] as? String == "called <back>")
        #expect(acked["acknowledgedAt"] as? String == "2026-03-10T10:00:00Z")
        let page = try s.client.get("/incidents?\(Self.day)").text
        #expect(page.contains("called &lt;back&gt;"))
        let open = try s.client.get("/api/incidents?\(Self.day)&state=unacknowledged").json()
        #expect((open["incidents"] as? [Any])?.count == 3)
        #expect(try s.client.send("POST", "/incidents/nope/acknowledge", headers: form.merging(["Origin": origin]) { $1 },
                                  body: body).status == 404)
    }

    @Test("/report.csv parses back to the API's figures; formulas are neutralised")
    func csv() async throws {
        let s = try await ReportServer()
        let reply = try s.client.get("/report.csv?\(Self.day)")
        #expect(reply.status == 200)
        #expect(reply.header("content-type")?.hasPrefix("text/csv") == true)
        #expect(Array(reply.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let rows = parseCSV(String(decoding: reply.body, as: UTF8.self))
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(rows[0].prefix(4) == ["key", "name", "callsHandled", "talkSeconds"])
        let api = try #require(try s.client.get("/api/report?\(Self.day)").json()["rows"] as? [[String: Any]])
        for row in rows.dropFirst().dropLast() {
            let match = try #require(api.first { $0["key"] as? String == row[0] })
            #expect(row[1] == match["name"] as? String)
            for (i, name) in IntervalFigures.fieldNames.enumerated() {
                #expect(Double(row[2 + i]) == (match[name] as? Double), "\(name)")
            }
        }
        #expect(rows.last?[1] == "Total")
        #expect(ReportCSV.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(ReportCSV.cell("-2+3") == "'-2+3")
        #expect(ReportCSV.cell("@SUM(A1)") == "'@SUM(A1)")
        #expect(ReportCSV.cell("a,b") == "\"a,b\"")
    }

    @Test("/report and the agent timeline: escaped, CSP, well-formed SVG with axes and labels")
    func pages() async throws {
        let s = try await ReportServer()
        let report = try s.client.get("/report?\(Self.day)")
        #expect(report.status == 200)
        #expect(report.header("content-security-policy")?.contains("script-src 'self'") == true)
        let html = report.text
        #expect(!html.contains("<script>x</script>"))
        #expect(html.contains("Bob &lt;script&gt;x&lt;/script&gt; =1+1"))
        let svgs = svgsParse(html)
        #expect(svgs.count == 3)
        #expect(svgs.allValid)
        #expect(html.contains(">09:00</text>"))
        #expect(html.contains("Calls live"))
        #expect(html.contains("<tfoot><tr><th scope=\"row\">Total</th><td>5</td>"))

        let agent = try s.client.get("/report/agent/w1?date=2026-03-10")
        #expect(agent.status == 200)
        let timeline = svgsParse(agent.text)
        #expect(timeline.count == 1)
        #expect(timeline.allValid)
        for call in ["c1", "c2", "c3"] { #expect(agent.text.contains("<th scope=\"row\"><span class=\"call-id\" title=\"\(call)\">\(call)</span></th>")) }
        #expect(agent.text.contains("Misroute"))
        #expect(try s.client.get("/report/agent/nobody?date=2026-03-10").status == 404)

        let openapi = try s.client.get("/api/openapi.json").json()
        #expect(openapi["openapi"] as? String == "3.1.0")
        #expect((openapi["paths"] as? [String: Any])?.keys.contains("/api/report") == true)
    }
}
