"""Problems first: the attention order, floor-wide sorts, summary tile links and flag linger."""

import json
import time

from conftest import event, wait_for


def agent(wid, name, team):
    return [event("worker", -900, worker=wid, name=name, team=team, capacity={"voice": 2}),
            event("activity", -890, worker=wid, activity="Available", available=True)]


def floor():
    """Six agents over two teams: a misroute, a long hold, a short hold, a long call, a short call, one idle."""
    lines = []
    for wid, name, team in [("A1", "Ada Idle", "Alpha"), ("A2", "Bo Shortcall", "Alpha"), ("A3", "Cy Longhold", "Alpha"),
                            ("B1", "Di Misroute", "Beta"), ("B2", "Ed Shorthold", "Beta"), ("B3", "Flo Longcall", "Beta")]:
        lines += agent(wid, name, team)
    lines.append(event("call.start", -60, worker="A2", call="C2", direction="inbound", via="queue", queue="Alpha"))
    lines.append(event("call.start", -500, worker="A3", call="C3", direction="inbound", via="queue", queue="Alpha"))
    lines.append(event("call.hold", -400, worker="A3", call="C3"))
    lines.append(event("call.mute", -400, worker="A3", call="C3"))
    lines.append(event("call.start", -300, worker="B2", call="C5", direction="inbound", via="queue", queue="Beta"))
    lines.append(event("call.hold", -30, worker="B2", call="C5"))
    lines.append(event("call.mute", -30, worker="B2", call="C5"))
    lines.append(event("call.start", -700, worker="B3", call="C6", direction="outbound", via="outbound"))
    # A queue call offered to an agent already on a call: a misroute.
    lines.append(event("call.start", -20, worker="B1", call="C4a", direction="outbound", via="outbound"))
    lines.append(event("call.start", -10, worker="B1", call="C4b", direction="inbound", via="queue", queue="Beta"))
    lines.append(event("call.hold", -9, worker="B1", call="C4a"))
    lines.append(event("call.mute", -9, worker="B1", call="C4a"))
    return lines


def order(browser):
    return browser.js("return Array.from(document.querySelectorAll('tr.row')).map(function (r) { return r.dataset.worker; })")


def test_attention_puts_problems_first_across_the_floor(make_server, browser):
    server = make_server(events=floor())
    browser.get(server.url + "/?attention=1")
    rows = wait_for(lambda: order(browser), message="rows")
    # Flagged, then holds (longest first), then live calls (longest first), then the rest.
    assert rows == ["B1", "A3", "B2", "B3", "A2", "A1"]
    assert browser.js("return document.querySelectorAll('tbody.team').length") == 1


def test_hold_and_call_time_sort_across_teams_with_group_none(make_server, browser):
    server = make_server(events=floor())
    browser.get(server.url + "/?sort=hold-time&group=none")
    rows = wait_for(lambda: order(browser), message="rows")
    assert rows[:3] == ["A3", "B2", "B1"]
    browser.get(server.url + "/?sort=call-time&group=none")
    rows = wait_for(lambda: order(browser), message="rows")
    assert rows[:2] == ["B3", "A2"]
    # Grouped (the default), the sort stays inside each team.
    browser.get(server.url + "/?sort=hold-time")
    rows = wait_for(lambda: order(browser), message="rows")
    assert rows[:3] == ["A3", "A1", "A2"] or rows[0] == "A3" and set(rows[:3]) == {"A1", "A2", "A3"}


def test_every_summary_tile_links_to_its_agents(make_server, browser):
    server = make_server(events=floor())
    browser.get(server.url + "/")
    wait_for(lambda: order(browser), message="rows")
    links = browser.js("""return Array.from(document.querySelectorAll('#summary .tile')).map(function (t) {
        var a = t.matches('a') ? t : t.querySelector('a[href]'); return a ? a.getAttribute('href') : null; })""")
    assert len(links) == 7 and all(links), links
    # "Longest hold" names its agent and leads to them.
    assert "Cy Longhold" in browser.text("#summary .tile--hold")
    expected = {
        "#summary .tile--held": {"A3", "B2", "B1"},
        "#summary .tile--hold": {"A3"},
        "#summary .tile--misroute": {"B1"},
        "#summary .tile--multi": {"B1"},
    }
    for css, workers in expected.items():
        browser.get(server.url + "/")
        href = browser.js("return document.querySelector(arguments[0]).getAttribute('href')", css)
        browser.get(server.url + href)
        assert set(wait_for(lambda: order(browser), message="rows of " + href)) == workers, href


def api_worker(server, wid):
    for w in json.loads(server.get("/api/workers"))["workers"]:
        if w["id"] == wid:
            return w
    return None


def test_a_cleared_flag_lingers_marked_just_cleared(make_server, browser):
    lines = agent("R1", "Rae Risky", "Alpha")
    # Two live calls at once, well past the grace period: wrong-call risk.
    lines.append(event("call.start", -30, worker="R1", call="R1a", direction="outbound", via="outbound"))
    lines.append(event("call.start", -20, worker="R1", call="R1b", direction="inbound", via="transfer"))
    server = make_server(events=lines, args=["--flag-linger", "1.5", "--grace", "1"])
    browser.get(server.url + "/")
    browser.wait_live()
    assert browser.js("return !!document.querySelector('#w-R1 .flag--risk')")
    assert api_worker(server, "R1")["recentFlags"] == []
    server.events.append(event("call.end", 0, worker="R1", call="R1b"))
    wait_for(lambda: browser.js("var c = document.querySelector('#w-R1 .cleared'); return c && c.textContent"),
             timeout=5, message="the just-cleared mark")
    text = browser.text("#w-R1 .cleared")
    assert "Wrong-call risk" in text and "just cleared" in text
    assert not browser.js("return !!document.querySelector('#w-R1 .flag--risk')")
    w = api_worker(server, "R1")
    assert [f["flag"] for f in w["recentFlags"]] == ["wrong-call-risk"]
    assert all(c["flags"] == [] for c in w["calls"])
    # Gone after the linger, with no event.
    wait_for(lambda: browser.js("return !document.querySelector('#w-R1 .cleared')"), timeout=6,
             message="the mark to go")
    assert api_worker(server, "R1")["recentFlags"] == []


def test_presence_words_and_counts(make_server, browser):
    lines = floor() + agent("C1", "Gil Lunch", "Gamma") + agent("C2", "Hal Gone", "Gamma") + agent("C3", "Ivy Chat", "Gamma")
    lines.append(event("activity", -60, worker="C1", activity="Lunch", available=False))
    lines.append(event("activity", -60, worker="C2", activity="Offline", available=False))
    lines.append(event("task.start", -30, worker="C3", task="T1", channel="chat"))
    server = make_server(events=lines)
    browser.get(server.url + "/")
    wait_for(lambda: order(browser), message="rows")
    words = browser.js("""var out = {}; document.querySelectorAll('tr.row').forEach(function (r) {
        out[r.dataset.worker] = r.querySelector('.presence').textContent.trim(); }); return out""")
    assert words == {"A1": "✓Idle", "A2": "●On call", "A3": "❚❚On hold", "B1": "●On 2 calls", "B2": "❚❚On hold",
                     "B3": "●On call", "C1": "◔Lunch", "C2": "○Offline", "C3": "◆On chat"}, words
    # The TaskRouter activity is still there, as the second line.
    assert "Available" in browser.text("#w-A2 .activity")
    tile = browser.text("#summary .tile--agents")
    assert "Idle 1" in tile and "Busy 6" in tile and "Away 1" in tile and "Offline 1" in tile, tile
    workers = {w["id"]: w for w in json.loads(server.get("/api/workers"))["workers"]}
    assert workers["B1"]["presence"] == "on-call" and workers["B1"]["callCount"] == 2
    assert workers["A3"]["presence"] == "on-hold" and workers["C3"]["presence"] == "on-task"
    assert workers["C1"]["presence"] == "away" and workers["C2"]["presence"] == "offline"
    assert workers["A1"]["presence"] == "idle" and workers["A1"]["callCount"] == 0
    summary = json.loads(server.get("/api/summary"))
    assert (summary["agentsIdle"], summary["agentsBusy"], summary["agentsAway"], summary["agentsOffline"]) == (1, 6, 1, 1)
    assert summary["longestHoldAgent"] == "Cy Longhold"
    # The Busy link shows the busy agents.
    browser.get(server.url + "/?presence=busy")
    assert set(wait_for(lambda: order(browser), message="busy rows")) == {"A2", "A3", "B1", "B2", "B3", "C3"}


def test_applying_the_filters_again_keeps_the_order_within_problems_first(make_server, browser):
    server = make_server(events=floor())
    browser.get(server.url + "/?attention=1&sort=call-time")
    wait_for(lambda: order(browser), message="rows")
    chosen = "return document.querySelector('select[name=sort]').selectedOptions[0].textContent"
    assert browser.js(chosen) == "Problems first, then longest call"
    browser.js("document.querySelector('form.filters button[type=submit]').click()")
    wait_for(lambda: "sort=call-time" in browser.js("return location.search"), message="the form applied")
    params = browser.js("return location.search")
    assert "sort=attention" in params, params
    rows = wait_for(lambda: order(browser), message="rows")
    # Ranked as problems first; the two level on a live call alone come longest call first (B3 before A2).
    assert rows == ["B1", "A3", "B2", "B3", "A2", "A1"]
    assert browser.js(chosen) == "Problems first, then longest call"
    # Another Sort choice afterwards wins over the kept one.
    browser.js("var s = document.querySelector('select[name=sort]'); s.value = 'name';"
               "document.querySelector('form.filters button[type=submit]').click()")
    wait_for(lambda: "sort=attention" not in browser.js("return location.search"), message="the new choice applied")
    assert browser.js(chosen) == "Name"
