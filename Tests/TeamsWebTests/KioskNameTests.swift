import Foundation
import Testing
import TeamsDomain
@testable import TeamsWeb

/// A worker line at 09:00 on the test day.
private func worker(_ id: String, _ name: String, team: String = "Floor") -> String {
    let json = try! JSONSerialization.data(withJSONObject: ["type": "worker", "at": "2026-11-25T09:00:00Z", "worker": id,
                                                            "name": name, "team": team], options: [.sortedKeys])
    return String(decoding: json, as: UTF8.self)
}

/// The tile of worker `domID` in `html` (a page or a live message's tile).
private func tile(_ html: String, _ domID: String) -> String? {
    guard let at = html.range(of: "id=\"\(domID)\"") else { return nil }
    let start = html.range(of: "<article", options: .backwards, range: html.startIndex..<at.lowerBound)?.lowerBound ?? at.lowerBound
    return section(of: String(html[start...]), from: "<article", to: "</article>")
}

/// The tiles a live `rows` message sends, by DOM id.
private func sentTiles(_ event: SSEEvent) throws -> [String: String] {
    let rows = try event.json()["rows"] as? [[String: Any]] ?? []
    var out: [String: String] = [:]
    for row in rows { if let id = row["id"] as? String, let html = row["html"] as? String { out[id] = html } }
    return out
}

@Suite("Kiosk: workers of one name told apart", .serialized)
struct KioskNameTests {
    @Test("a tag is the end of the worker id, longer while two of one name would still show the same")
    func tagsFromWorkerIDs() {
        #expect(NameTags.tags(["WK-00014821", "WK-00017710"]) == ["WK-00014821": "4821", "WK-00017710": "7710"])
        #expect(NameTags.tags(["EAST-1234", "WEST-1234"]) == ["EAST-1234": "AST-1234", "WEST-1234": "EST-1234"])
        #expect(NameTags.tags(["A1", "B1"]) == ["A1": "A1", "B1": "B1"], "an id shorter than a tag shows whole")
        #expect(NameTags.tags(["X1234", "1234"]) == ["X1234": "X1234", "1234": "1234"], "the whole id at most")

        var names = NameTags()
        names.add("WK1", name: "Anna Kowalski")
        #expect(names.tag(of: "WK1", name: "Anna Kowalski") == nil, "a name of one worker has no tag")
        names.add("WK2", name: " Anna  Kowalski ")
        #expect(names.tag(of: "WK1", name: "Anna Kowalski") == "WK1", "names that show alike are one name")
        #expect(names.tag(of: "WK2", name: "Anna  Kowalski") == "WK2")
        names.remove("WK2", name: " Anna  Kowalski ")
        #expect(names.tag(of: "WK1", name: "Anna Kowalski") == nil)
        #expect(names.workers(named: "Anna Kowalski") == ["WK1"])

        // Three of one name, then one leaves: the other two keep their tags, in id order.
        for id in ["WK9", "WK3"] { names.add(id, name: "Anna Kowalski") }
        names.add("WK3", name: "Anna Kowalski")
        #expect(names.workers(named: "Anna Kowalski") == ["WK1", "WK3", "WK9"], "each worker once, in id order")
        names.remove("WK1", name: "Anna Kowalski")
        #expect(names.workers(named: "Anna Kowalski") == ["WK3", "WK9"])
        #expect(names.tag(of: "WK9", name: "Anna Kowalski") == "WK9")
        names.remove("WK7", name: "Anna Kowalski")
        #expect(names.workers(named: "Anna Kowalski") == ["WK3", "WK9"], "removing a worker not of the name changes nothing")

        // The name as shown: white space of any kind and at either end, and control characters, do not tell names apart.
        #expect(NameTags.key("Anna Kowalski") == "Anna Kowalski")
        #expect(NameTags.key("Anna\u{00A0}Kowalski") == "Anna Kowalski")
        #expect(NameTags.key(" Anna Kowalski") == "Anna Kowalski")
        #expect(NameTags.key("Anna Kowalski ") == "Anna Kowalski")
        #expect(NameTags.key("Anna\tKowalski") == "AnnaKowalski", "a tab is a control character, removed")
        #expect(NameTags.key("   ") == "")
    }

    @Test("the kiosk tags the tiles of workers of one name, escaped, and no other")
    func kioskPageTags() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: [
            worker("WK-4821", "Anna Kowalski"), worker("WK-7710", "Anna Kowalski", team: "Other"),
            worker("WK-0001", "Anna Kaur"), worker("Z<b>&9", "Anna  Kaur"), worker("WK-0002", "Ben Ode"),
        ])
        server.app.live.settle()
        let html = try server.client.get("/kiosk").text
        let anna = try #require(tile(html, "w-WK-4821"))
        #expect(anna.contains("<span class=\"tile__name\">Anna Kowalski</span><span class=\"tile__tag\">· 4821</span>"))
        #expect(anna.contains("<span class=\"dense__tag\">· 4821</span>"))
        #expect(anna.contains("aria-label=\"Anna Kowalski · 4821\""))
        #expect(try #require(tile(html, "w-WK-7710")).contains("<span class=\"dense__tag\">· 7710</span>"),
                "another team's worker of that name, on the same board")
        // A name that shows alike (two spaces draw as one), an id of markup: escaped.
        #expect(try #require(tile(html, "w-WK-0001")).contains("<span class=\"tile__tag\">· 0001</span>"))
        let odd = try #require(tile(html, "w-Z_3Cb_3E_269"))
        #expect(odd.contains("<span class=\"tile__tag\">· b&gt;&amp;9</span>"))
        #expect(!html.contains("<b>&9"))
        let ben = try #require(tile(html, "w-WK-0002"))
        #expect(!ben.contains("__tag"), "a name of one worker has no tag")
        #expect(ben.contains("aria-label=\"Ben Ode\""))

        // A kiosk pinned to one team: its board has one Anna Kowalski, shown without a tag.
        let pinned = try server.client.get("/kiosk?team=Other").text
        #expect(try #require(tile(pinned, "w-WK-7710")).contains("__tag") == false)
        // The Teams View is not the kiosk: rows carry no tag.
        #expect(!(try server.client.get("/").text.contains("__tag")))
    }

    @Test("live updates tag a tile when another worker takes its name and untag it when the other leaves the name")
    func liveUpdatesKeepTheTags() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: [worker("WK-4821", "Anna Kowalski"), worker("WK-0002", "Ben Ode")])
        server.app.live.settle()
        let stream = try server.stream("/live?view=kiosk&page=1&per=1000")
        let reset = try #require(stream.next("reset")).json()
        #expect(!(try #require(reset["body"] as? String)).contains("__tag"))

        // A second Anna Kowalski: both tiles are sent, each with its tag, though the first did not change.
        server.feed(worker("WK-7710", "Anna Kowalski"))
        let joined = try sentTiles(try #require(stream.next("rows")))
        #expect(try #require(joined["w-WK-4821"]).contains("<span class=\"dense__tag\">· 4821</span>"))
        #expect(try #require(joined["w-WK-7710"]).contains("<span class=\"dense__tag\">· 7710</span>"))
        #expect(joined["w-WK-0002"] == nil, "a worker of another name is not sent")
        let page = try server.client.get("/kiosk").text
        #expect(tile(page, "w-WK-4821") == tile(try #require(joined["w-WK-4821"]), "w-WK-4821"),
                "the page and the stream show the same tile")

        // A call on one of them keeps its tag.
        server.feed(#"{"type":"call.start","at":"2026-11-25T09:04:00Z","worker":"WK-7710","call":"CA1","from":"+15550001"}"#)
        let call = try sentTiles(try #require(stream.next("rows")))
        #expect(try #require(call["w-WK-7710"]).contains("· 7710"))

        // The second is renamed: the first is sent again without its tag.
        server.feed(worker("WK-7710", "Anna Nowak"))
        let renamed = try sentTiles(try #require(stream.next("rows")))
        #expect(!(try #require(renamed["w-WK-4821"])).contains("__tag"))
        #expect(!(try #require(renamed["w-WK-7710"])).contains("__tag"))
        #expect(!(try server.client.get("/kiosk").text.contains("__tag")))
    }
}
