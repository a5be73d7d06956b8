import Foundation
import Testing
import TeamsDomain
import TeamsReports
@testable import TeamsWeb

/// Every match of `pattern` in `text`, each as its capture groups.
func captures(_ pattern: String, in text: String) -> [[String]] {
    let regex = try! NSRegularExpression(pattern: pattern)
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
        (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
    }
}

@Suite("Report pages: the agent's day, charts, refusals as pages, bulk acknowledgement, /status")
struct ReportPagesTests {
    static let day = "from=2026-03-10&to=2026-03-10"

    @Test("the agent's day: a colour per state and activity, each in the legend; hours with data; HH:MM; no link to tomorrow")
    func agentDay() async throws {
        let s = try await ReportServer()
        let html = try s.client.get("/report/agent/w1?date=2026-03-10").text
        // Each span's colour by what it shows: call states by kind, activities by name.
        var colours: [String: Set<String>] = [:]
        for m in captures(#"fill="(#[0-9a-f]{6})"><title>([^<:]+):"#, in: html) {
            let label = m[1]
            if label.hasPrefix("misroute ") || label.hasPrefix("wrong-call-risk ") { continue }
            let group = ["live ": "Live", "held ": "Held", "wrapup ": "Wrap-up"].first { label.hasPrefix($0.key) }?.value ?? label
            colours[group, default: []].insert(m[0])
        }
        #expect(Set(colours.keys) == ["Live", "Held", "Wrap-up", "Available", "Break"])
        #expect(colours.values.allSatisfy { $0.count == 1 })
        let all = colours.values.compactMap(\.first)
        #expect(Set(all).count == all.count, "two states share a colour: \(colours)")
        #expect(!all.contains(AgentTimeline.incidentColour))
        // The legend names each of them with its colour.
        let legend = Dictionary(captures(#"<rect x="[0-9.]+" y="[0-9.]+" width="10" height="10" fill="(#[0-9a-f]{6})"/><text [^>]*>([^<]+)</text>"#,
                                         in: html).map { ($0[1], $0[0]) }) { a, _ in a }
        for (name, colour) in colours { #expect(legend[name] == colour.first, "\(name) in the legend") }
        // The axis spans the hours with data (09:00 to 10:00), every hour labelled; not 00:00 to 24:00.
        let hours = captures(#"text-anchor="middle" font-size="11" fill="currentColor">([0-9]{2}:[0-9]{2})</text>"#, in: html).map { $0[0] }
        #expect(hours == ["09:00", "10:00"])
        // Times as the zone's clock, the instant only in attributes.
        #expect(!html.contains(">2026-03-10T"))
        #expect(html.contains("<time datetime=\"2026-03-10T09:05:00Z\" title=\"2026-03-10T09:05:00Z\">09:05</time>"))
        // Today (the clock says 2026-03-10): no link to tomorrow; yesterday links to today.
        #expect(html.contains("?date=2026-03-09"))
        #expect(!html.contains("?date=2026-03-11"))
        #expect(try s.client.get("/report/agent/w1?date=2026-03-09").text.contains("?date=2026-03-10\""))
    }

    @Test("a day without data shows the working hours, 08:00 to 18:00")
    func emptyDay() throws {
        let zone = ReportZone(identifier: "UTC")!
        let day = zone.range(from: ReportZone.Day("2026-03-08")!, to: ReportZone.Day("2026-03-08")!)
        let micros = day.lowerBound * 1_000_000..<day.upperBound * 1_000_000
        let window = AgentTimeline.window(spans: [], incidents: [], day: micros, horizon: micros.upperBound, zone: zone)
        #expect(zone.clock(window.lowerBound / 1_000_000) == "08:00")
        #expect(zone.clock(window.upperBound / 1_000_000) == "18:00")
    }

    @Test("charts: nothing drawn before the first figures; every hold bucket named; times h:mm:ss as the table says")
    func charts() async throws {
        let s = try await ReportServer()
        let html = try s.client.get("/report?\(Self.day)").text
        // Figures from 09:00 to 09:30 (the feed stops at 09:40); the clock says 10:00: 09:00, 09:15 and 09:30,
        // no flat 0 from 00:00 nor after the feed stopped.
        let lines = captures(##"<polyline fill="none" stroke="#2563eb" stroke-width="2" points="([^"]*)"/>"##, in: html)
        #expect(lines.count == 1)
        #expect(lines.first?[0].split(separator: " ").count == 3)
        let holds = try #require(html.components(separatedBy: "Hold-time distribution").last)
        for label in ["&lt;30 s", "30 s–", "1 min", "1–2 min", "2–5 min", "5–10 min", "≥10 min"] {
            #expect(holds.contains(">\(label)<"), "\(label)")
        }
        #expect(html.contains("(times h:mm:ss)"))
        // Holds are counted in whole numbers: no tick at a quarter of a hold.
        #expect(!holds.contains(">0.3</text>") && !holds.contains(">0.5</text>"))
        // Ann: 700 s of talk, 390 s on hold.
        #expect(html.contains("<td>3</td><td>0:11:40</td><td>0:06:30</td>"))
    }

    @Test("a day's charts span the whole hours with figures (at least 3), labelled on the hour, not 00:00 to 24:00")
    func chartHours() async throws {
        let s = try await ReportServer()
        let html = try s.client.get("/report?\(Self.day)").text
        // Figures from 09:00 to 09:40, the clock at 10:00 today: 08:00 to 11:00 (no hour after the current one),
        // twelve 15-minute intervals, a label each hour.
        let calls = try #require(html.components(separatedBy: "Activity mix").first)
        let labels = captures(#"text-anchor="middle" font-size="12" fill="currentColor">([0-9]{2}:[0-9]{2})</text>"#, in: calls).map { $0[0] }
        #expect(labels == ["08:00", "09:00", "10:00"])
        let mix = try #require(html.components(separatedBy: "Activity mix").last?.components(separatedBy: "Hold-time").first)
        #expect(captures(#"<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)""#, in: mix).first?[0] == ReportChart.fmt(652.0 / 12 * 0.8))
        // A day without figures: the working hours.
        let empty = try s.client.get("/report?from=2026-03-01&to=2026-03-01").text
        let hours = captures(#"text-anchor="middle" font-size="12" fill="currentColor">([0-9]{2}:[0-9]{2})</text>"#, in: empty).map { $0[0] }
        #expect(hours.first == "08:00" && !hours.contains("00:00") && !hours.contains("18:00"))
    }

    @Test("just after midnight, today's charts still span 3 hours, the day's first, a label each hour")
    func chartHoursAfterMidnight() async throws {
        let s = try await ReportServer(seeds: [], now: "2026-03-10T00:33:00Z")
        let lines = [
            #"{"type":"worker","at":"2026-03-10T00:05:00Z","worker":"w1","name":"Agent w1","team":"Sales"}"#,
            #"{"type":"activity","at":"2026-03-10T00:05:00Z","worker":"w1","activity":"Available","available":true}"#,
        ]
        _ = s.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        s.reports.flush()
        let html = try s.client.get("/report?\(Self.day)").text
        let calls = try #require(html.components(separatedBy: "Activity mix").first)
        let labels = captures(#"text-anchor="middle" font-size="12" fill="currentColor">([0-9]{2}:[0-9]{2})</text>"#, in: calls).map { $0[0] }
        #expect(labels == ["00:00", "01:00", "02:00"], "\(labels)")
    }

    @Test("the first interval with figures is averaged over its part after they begin, not over its whole 15 minutes")
    func firstIntervalFromItsFigures() async throws {
        let s = try await ReportServer(seeds: [])
        // Two agents seen from 09:10 (the feed began then), Available till 09:40; the clock at 10:00.
        let lines = ["w1", "w2"].flatMap { w in [
            #"{"type":"worker","at":"2026-03-10T09:10:00Z","worker":"\#(w)","name":"Agent \#(w)","team":"Sales"}"#,
            #"{"type":"activity","at":"2026-03-10T09:10:00Z","worker":"\#(w)","activity":"Available","available":true}"#,
            #"{"type":"activity","at":"2026-03-10T09:40:00Z","worker":"\#(w)","activity":"Offline","available":false}"#,
        ] }
        _ = s.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        s.reports.flush()
        let html = try s.client.get("/report?\(Self.day)").text
        let mix = try #require(html.components(separatedBy: "Activity mix").last?.components(separatedBy: "Hold-time").first)
        let available = Dictionary(captures(#"<title>([0-9:]+) Available: ([0-9.]+)"#, in: mix).map { ($0[0], $0[1]) }) { a, _ in a }
        #expect(available["09:00"] == "2", "two agents over the five minutes they were seen, not 0.7: \(available)")
        #expect(available["09:15"] == "2" && available["09:30"] == "1.3", "\(available)")
    }

    @Test("the interval in progress, when figures began in it, says the minutes since they began, not since it began")
    func inProgressFromItsFigures() async throws {
        // The clock at 09:52 (the 09:45 interval in progress for 7 minutes); the feed began at 09:48:30.
        let s = try await ReportServer(seeds: [], now: "2026-03-10T09:52:00Z")
        let lines = [
            #"{"type":"worker","at":"2026-03-10T09:48:30Z","worker":"w1","name":"Agent w1","team":"Sales"}"#,
            #"{"type":"activity","at":"2026-03-10T09:48:30Z","worker":"w1","activity":"Available","available":true}"#,
            #"{"type":"activity","at":"2026-03-10T09:52:00Z","worker":"w1","activity":"Break","available":false}"#,
        ]
        _ = s.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        s.reports.flush()
        let html = try s.client.get("/report?\(Self.day)").text
        #expect(html.contains("09:45 in progress: the average of its 3 minutes so far"), "\(html.components(separatedBy: "in progress").dropFirst().first?.prefix(80) ?? "")")
    }

    @Test("/incidents: an acknowledgement of another day than today shows its date; today's only its time")
    func acknowledgedAtDate() async throws {
        let s = try await ReportServer()
        let list = try #require(try s.client.get("/api/incidents?\(Self.day)").json()["incidents"] as? [[String: Any]])
        let ids = list.compactMap { $0["id"] as? String }
        #expect(ids.count >= 2)
        // The clock says 2026-03-10 10:00.
        _ = try s.reports.database.acknowledge(incident: ids[0], by: "Sam", note: "", at: RFC3339.parse("2026-03-11T20:00:38Z")!.microseconds)
        _ = try s.reports.database.acknowledge(incident: ids[1], by: "Kim", note: "", at: RFC3339.parse("2026-03-10T09:58:00Z")!.microseconds)
        let html = try s.client.get("/incidents?\(Self.day)").text
        #expect(html.contains("Sam at <time datetime=\"2026-03-11T20:00:38Z\" title=\"2026-03-11T20:00:38Z\">11 Mar 20:00:38</time>"))
        #expect(html.contains("Kim at <time datetime=\"2026-03-10T09:58:00Z\" title=\"2026-03-10T09:58:00Z\">09:58:00</time>"))
    }

    @Test("refusals are pages for browsers, plain text for other clients, JSON for the API")
    func refusalPages() async throws {
        let s = try await ReportServer()
        let browser = ["Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
        for path in ["/report?from=2026-13-01", "/incidents?kind=nope", "/report/agent/w1?date=tomorrow"] {
            let page = try s.client.get(path, headers: browser)
            #expect(page.status == 400, "\(path)")
            #expect(page.header("content-type") == "text/html; charset=utf-8", "\(path)")
            #expect(page.text.contains("<h1>Bad request"), "\(path)")
            #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
            let back = path.hasPrefix("/incidents") ? "/incidents" : "/report"
            #expect(page.text.contains("<a class=\"error-page__back\" href=\"\(back)\">"), "\(path)")
            let plain = try s.client.get(path)
            #expect(plain.status == 400)
            #expect(plain.header("content-type")?.hasPrefix("text/plain") == true)
        }
        // An agent never seen: the reason as plain text, a page for a browser.
        let unknown = try s.client.get("/report/agent/nobody?date=2026-03-10")
        #expect(unknown.status == 404)
        #expect(unknown.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(unknown.text.hasPrefix("no such agent"))
        let unknownPage = try s.client.get("/report/agent/nobody?date=2026-03-10", headers: browser)
        #expect(unknownPage.status == 404)
        #expect(unknownPage.text.contains("<h1>Not found"))
        let reason = try s.client.get("/report?from=2026-13-01", headers: browser).text
        #expect(reason.contains("from must be a date, YYYY-MM-DD"))
        // Too long a range names what is too long.
        let long = try s.client.get("/report?from=2020-01-01&to=2026-03-10")
        #expect(long.status == 400)
        #expect(long.text.contains("from 2020-01-01 to 2026-03-10 spans 2261 days: a report covers at most 366"), "\(long.text)")
        let api = try s.client.get("/api/report?from=2026-13-01", headers: browser)
        #expect(api.header("content-type")?.hasPrefix("application/json") == true)
        // A form from elsewhere: 403 as a page, with the reason.
        let form = ["Content-Type": "application/x-www-form-urlencoded"].merging(browser) { $1 }
        let refused = try s.client.send("POST", "/incidents/x/acknowledge", headers: form, body: Array("by=Sam".utf8))
        #expect(refused.status == 403)
        #expect(refused.text.contains("<h1>Not allowed"))
        #expect(refused.text.contains("only from this server&#39;s own pages") || refused.text.contains("only from this server's own pages"))
    }

    @Test("Acknowledge all shown: the page's open incidents at once, under the single form's rules")
    func acknowledgeAll() async throws {
        let s = try await ReportServer()
        let page = try s.client.get("/incidents?\(Self.day)").text
        let form = try #require(captures(#"<form class="ack-all" method="post" action="/incidents/acknowledge">(.*?)</form>"#, in: page).first?[0])
        #expect(form.contains("Acknowledge all 4 shown"))
        let ids = try #require(captures(#"name="ids" value="([^"]*)""#, in: form).first?[0])
        #expect(ids.split(separator: ",").count == 4)
        let token = try #require(s.app.reports?.formToken)
        let origin = "http://127.0.0.1:\(s.server.port)"
        let headers = ["Content-Type": "application/x-www-form-urlencoded", "Origin": origin]
        func post(_ body: String, _ h: [String: String] = headers) throws -> HTTPClient.Reply {
            try s.client.send("POST", "/incidents/acknowledge", headers: h, body: Array(body.utf8))
        }
        let two = ids.split(separator: ",").prefix(2).joined(separator: "%2C")
        #expect(try post("token=\(token)&by=Sam&ids=\(two)", ["Content-Type": "application/x-www-form-urlencoded"]).status == 403)
        #expect(try post("token=\(token)&by=Sam&ids=\(two)", headers.merging(["Origin": "http://evil.example"]) { $1 }).status == 403)
        #expect(try post("token=nope&by=Sam&ids=\(two)").status == 403)
        #expect(try post("token=\(token)&by=&ids=\(two)").status == 400)
        #expect(try post("token=\(token)&by=Sam&ids=").status == 400)
        let ok = try post("token=\(token)&by=Sam+Lee&note=all+seen&ids=\(two)%2Cnope&return=%2Fincidents%3Fstate%3Dunacknowledged")
        #expect(ok.status == 303)
        #expect(ok.header("location") == "/incidents?state=unacknowledged")
        let after = try #require(try s.client.get("/api/incidents?\(Self.day)").json()["incidents"] as? [[String: Any]])
        #expect(after.filter { $0["acknowledgedBy"] as? String == "Sam Lee" }.count == 2)
        #expect(after.filter { $0["note"] as? String == "all seen" }.count == 2)
        let rest = try s.client.get("/incidents?\(Self.day)").text
        #expect(rest.contains("Acknowledge all 2 shown"))
    }

    @Test("/status: heading, version, uptime, readable UTC times with their age, refusals at the caps, refreshes itself")
    func status() async throws {
        let server = try await TestServer(seeds: ["bad-lines.ndjson", "multicall.ndjson"], now: "2026-11-25T09:05:00Z",
                                          limits: Registry.Limits(maxWorkers: 2))
        let three = (1...3).map { #"{"type":"worker","at":"2026-11-25T09:04:00Z","worker":"cap\#($0)","name":"Cap \#($0)","team":"T"}"# }
        _ = server.pipeline.ingest(body: Array((three.joined(separator: "\n") + "\n").utf8), source: "test")
        let reply = try server.client.get("/status")
        #expect(reply.status == 200)
        let html = reply.text
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"10\">"))
        #expect(html.contains("<h1>Status"))
        #expect(html.contains("teamsview \(ServerVersion.text)"))
        #expect(html.contains("up 0 s, since 2026-11-25 09:05:00 UTC"))
        #expect(html.contains("UTC</span><span class=\"tile__sub\">event time "))
        #expect(!html.contains(">2026-11-25T"))
        let refused = Int(server.store.counters.unchangedByReason[ApplyOutcome.Reason.tooManyWorkers] ?? 0)
        #expect(refused > 0)
        #expect(html.contains("<div class=\"tile tile--flag is-on\" id=\"registry-refusals\"><span class=\"tile__label\">Refused at the registry&#39;s caps</span><span class=\"tile__value\">\(refused)</span>")
                || html.contains("<div class=\"tile tile--flag is-on\" id=\"registry-refusals\"><span class=\"tile__label\">Refused at the registry's caps</span><span class=\"tile__value\">\(refused)</span>"))
        #expect(html.contains("past the cap of 2"))
    }

    @Test("readable times and ages")
    func words() {
        #expect(Formatting.utc(RFC3339.parse("2026-03-10T09:04:05.250Z")!) == "2026-03-10 09:04:05 UTC")
        #expect(Formatting.age(0.2) == "just now")
        #expect(Formatting.age(42) == "42 s ago")
        #expect(Formatting.age(7 * 60 + 3) == "7 min ago")
        #expect(Formatting.age(3 * 3600 + 5 * 60) == "3 h 5 min ago")
        #expect(Formatting.span(2 * 86_400 + 4 * 3600) == "2 days 4 h")
        #expect(ReportsWeb.duration(247_000_000) == "0:04:07")
        #expect(ReportsWeb.duration(2_710_000_000) == "0:45:10")
        #expect(ReportsWeb.duration(3_723_000_000) == "1:02:03")
    }

    @Test("/report and /incidents asked for a team spelt otherwise, or one nobody is in, say so as / does: \"Did you mean “Alpha”?\"")
    func teamSpeltOtherwise() async throws {
        let s = try await ReportServer()
        for path in ["/report", "/incidents"] {
            let html = try s.client.get("\(path)?\(Self.day)&team=alpha").text
            let notice = try #require(section(of: html, from: "id=\"team-notice\"", to: "</p>"), "\(path)")
            #expect(notice.contains("No agent of team “alpha” has been seen."), "\(notice)")
            #expect(notice.contains("Did you mean <a href=\"\(path)?from=2026-03-10&amp;to=2026-03-10&amp;"), "\(notice)")
            #expect(notice.contains("team=Alpha\">“Alpha”</a>?"), "\(notice)")
            let nobody = try s.client.get("\(path)?\(Self.day)&team=Gamma").text
            let said = try #require(section(of: nobody, from: "id=\"team-notice\"", to: "</p>"))
            #expect(said.contains("No agent of team “Gamma” has been seen.") && !said.contains("Did you mean"), "\(said)")
            #expect(!(try s.client.get("\(path)?\(Self.day)&team=Alpha").text.contains("id=\"team-notice\"")))
            #expect(!(try s.client.get("\(path)?\(Self.day)").text.contains("id=\"team-notice\"")))
        }
    }

    @Test("the report by team lists teams in natural order, \"Team 2\" before \"Team 10\", on the page, in CSV and JSON")
    func reportTeamsInNaturalOrder() async throws {
        let s = try await ReportServer(seeds: [])
        var lines: [String] = []
        for (i, team) in ["Team 10", "Team 2", "Team 1"].enumerated() {
            lines.append(#"{"type":"worker","at":"2026-03-10T09:00:00Z","worker":"w\#(i)","name":"Agent \#(i)","team":"\#(team)"}"#)
            lines.append(#"{"type":"call.start","at":"2026-03-10T09:0\#(i):00Z","worker":"w\#(i)","call":"c\#(i)","via":"queue"}"#)
            lines.append(#"{"type":"call.end","at":"2026-03-10T09:2\#(i):00Z","worker":"w\#(i)","call":"c\#(i)"}"#)
        }
        _ = s.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        s.reports.flush()
        let natural = ["Team 1", "Team 2", "Team 10"]
        let html = try s.client.get("/report?\(Self.day)&by=team").text
        let shown = natural.map { html.range(of: ">\($0)<")?.lowerBound }
        #expect(shown.allSatisfy { $0 != nil }, "\(html)")
        #expect(shown.compactMap { $0 } == shown.compactMap { $0 }.sorted())
        let json = try s.client.get("/api/report?\(Self.day)&by=team").json()
        let rows = (json["rows"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(rows == natural, "\(json)")
        let csv = try s.client.get("/report.csv?\(Self.day)&by=team").text
        #expect(parseCSV(csv).dropFirst().prefix(3).map { $0.first ?? "" } == natural, "\(csv)")
        // The teams a filtered report names, in the heading, in natural order too.
        let both = try s.client.get("/report?\(Self.day)&by=team&team=Team%2010&team=Team%202").text
        #expect(both.contains(" of Team 2, Team 10,"))
    }
}

@Suite("Report page: table parameters it does not take")
struct ReportTableNoticeTests {
    @Test("sort, dir and columns values the table does not take are named in a notice, and the table falls back")
    func notices() async throws {
        let s = try await ReportServer()
        let html = try s.client.get("/report?\(ReportPagesTests.day)&sort=bogus&dir=up&columns=some").text
        #expect(html.contains("id=\"filter-notice\""))
        #expect(html.contains("sort=bogus is not understood: sort takes name, callsHandled,"))
        #expect(html.contains("the rows are sorted by name"))
        #expect(html.contains("dir=up is not understood: dir takes asc or desc; the rows are in ascending order."))
        #expect(html.contains("columns=some is not understood: columns takes all; the usual columns are shown."))
        // A grouping it does not take is named too, and the rows are by agent (the page answers 200, as for sort).
        let grouped = try s.client.get("/report?\(ReportPagesTests.day)&by=floor")
        #expect(grouped.status == 200)
        #expect(grouped.text.contains("by=floor is not understood: by takes agent, team or queue; the rows are by agent."))
        let plain = try s.client.get("/report?\(ReportPagesTests.day)&sort=talkSeconds&dir=desc&columns=all").text
        #expect(!plain.contains("filter-notice"))
        let hostile = try s.client.get("/report?\(ReportPagesTests.day)&sort=%3Cscript%3E").text
        #expect(!hostile.contains("<script>"))
        #expect(hostile.contains("sort=&lt;script&gt; is not understood"))
    }

    @Test("the table pages (page=, per=) after sorting; totals, CSV and JSON cover every row; bad values get a notice")
    func paging() async throws {
        let s = try await ReportServer()
        let all = try s.client.get("/report?\(ReportPagesTests.day)&sort=talkSeconds&dir=desc").text
        let names = captures(#"<tr><th scope="row"><a href="[^"]*">([^<]*)</a></th>"#, in: all).map { $0[0] }
        #expect(names.count == 2)
        let total = try #require(captures(#"<tfoot><tr><th scope="row">Total</th>(.*?)</tr></tfoot>"#, in: all).first?[0])
        #expect(!all.contains("class=\"pager\""), "one page of 200 holds every row")
        // One row a page: the second page holds the second of the sorted rows.
        let second = try s.client.get("/report?\(ReportPagesTests.day)&sort=talkSeconds&dir=desc&per=1&page=2").text
        let paged = captures(#"<tr><th scope="row"><a href="[^"]*">([^<]*)</a></th>"#, in: second).map { $0[0] }
        #expect(paged == [names[1]])
        #expect(second.contains("rows 2–2 of 2"))
        #expect(second.contains("<tfoot><tr><th scope=\"row\">Total</th>\(total)</tr></tfoot>"))
        #expect(second.contains("href=\"/report?from=2026-03-10&amp;to=2026-03-10&amp;by=agent&amp;sort=talkSeconds&amp;dir=desc&amp;page=1&amp;per=1#report-table\" rel=\"prev\""))
        // Sorting again starts at page 1 with as many rows a page; more columns keep the page.
        #expect(second.contains("&amp;sort=callsHandled&amp;dir=asc&amp;per=1\""))
        #expect(second.contains("&amp;columns=all&amp;sort=talkSeconds&amp;dir=desc&amp;page=2&amp;per=1#report-table"))
        #expect(!second.contains("rel=\"next\""))
        #expect(!second.contains("filter-notice"))
        // The exports stay whole.
        let csv = parseCSV(try s.client.get("/report.csv?\(ReportPagesTests.day)&per=1&page=2").text)
        #expect(csv.count == names.count + 2)
        let json = try s.client.get("/api/report?\(ReportPagesTests.day)&per=1&page=2").json()
        #expect((json["rows"] as? [Any])?.count == names.count)
        // Values it does not take: a notice, and page 1 of 200 (or 1,000) rows.
        let bad = try s.client.get("/report?\(ReportPagesTests.day)&page=0&per=abc").text
        #expect(bad.contains("page=0 is out of range: page takes a whole number from 1; page 1 is shown."))
        #expect(bad.contains("per=abc is not understood: per takes a whole number from 1 to 1000; 200 rows a page are shown."))
        #expect(captures(#"<tr><th scope="row"><a href="[^"]*">([^<]*)</a></th>"#, in: bad).count == names.count)
        let big = try s.client.get("/report?\(ReportPagesTests.day)&per=5000").text
        #expect(big.contains("per=5000 is out of range: per takes a whole number from 1 to 1000; 1000 rows a page are shown."))
    }
}

@Suite("Reports by queue: an agent's figures stay empty")
struct ReportByQueueTests {
    /// The body rows of the report table: each row's cells after its name.
    static func rows(_ html: String) -> [[String]] {
        captures(#"<tr><th scope="row">(?:<a [^>]*>)?[^<]*(?:</a>)?</th>((?:<td>[^<]*</td>)+)</tr>"#, in: html).map {
            captures(#"<td>([^<]*)</td>"#, in: $0[0]).map { $0[0] }
        }
    }

    @Test("time on 2+ calls, most calls and exposure: figures by agent, empty by queue, on the page and in the CSV")
    func agentFiguresEmptyByQueue() async throws {
        let s = try await ReportServer()
        let agentOnly = ReportsWeb.columns.indices.filter { IntervalFigures.agentOnlyFields.contains(ReportsWeb.columns[$0].key) }
        #expect(agentOnly.count == 3)
        let byAgent = Self.rows(try s.client.get("/report?\(ReportPagesTests.day)&by=agent&columns=all").text)
        #expect(!byAgent.isEmpty && byAgent.allSatisfy { $0.count == ReportsWeb.columns.count })
        // The scenario has an agent on two calls, exposed: by agent the figures are there.
        #expect(byAgent.contains { row in agentOnly.contains { !row[$0].isEmpty && row[$0] != "0" && row[$0] != "0:00:00" } })
        let byQueue = Self.rows(try s.client.get("/report?\(ReportPagesTests.day)&by=queue&columns=all").text)
        #expect(!byQueue.isEmpty)
        for row in byQueue {
            #expect(agentOnly.allSatisfy { row[$0].isEmpty }, "\(row)")
            #expect(!row[0].isEmpty, "the queue's own figures are there")
        }
        let csv = String(decoding: try s.client.get("/report.csv?\(ReportPagesTests.day)&by=queue").body.dropFirst(3), as: UTF8.self)
        let lines = csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let columns = header.indices.filter { IntervalFigures.agentOnlyFields.contains(header[$0]) }
        #expect(columns.count == 3 && lines.count > 2)
        for line in lines.dropFirst() { #expect(columns.allSatisfy { line[$0].isEmpty }, "\(line)") }
    }
}

@Suite("Agent timelines: an activity's colour is its own, the same on every agent's day")
struct ActivityColourTests {
    @Test("Available is green whatever came first; the same names get the same colours in any order; a day's are distinct")
    func stable() {
        let green = AgentTimeline.activityPalette[0]
        #expect(AgentTimeline.activityColours(["Busy", "Available"])["Available"] == green)
        #expect(AgentTimeline.activityColours(["available", "Break"])["available"] == green)
        let one = AgentTimeline.activityColours(["Break", "Available", "Lunch", "Meeting"])
        let other = AgentTimeline.activityColours(["Meeting", "Lunch", "Available", "Break"])
        #expect(one == other)
        #expect(!one.filter { $0.key != "Available" }.values.contains(green))
        let many = (0..<AgentTimeline.activityPalette.count).map { "Activity \($0)" }
        let colours = AgentTimeline.activityColours(many)
        #expect(Set(colours.values).count == many.count, "\(colours)")
    }
}
