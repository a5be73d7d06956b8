"""What a newcomer's eye catches first: every page shares one navigation, the dense kiosk keeps its state
words whole, the incidents strip stays one line however many incidents are open, and the report's
table fits a 1366-wide screen (and says it scrolls on a phone), and the Teams View shows full names whole and
is drawn larger on a 4K screen."""

import json
import re
import urllib.error

from conftest import ROOT, TEAMS, event, roster, wait_for
from test_kiosk_dense import dangerous

UTC = ["--time-zone", "UTC"]
PAGES = {"/": "Teams", "/report": "Reports", "/incidents": "Incidents", "/status": "Status"}

NAV = """var nav = document.getElementById('topnav');
return nav ? Array.from(nav.querySelectorAll('a')).map(a => [a.getAttribute('href').split('?')[0], a.textContent,
                                                            a.getAttribute('aria-current')]) : null"""


def answers(server, path):
    """Whether `path` answers 200 (an agent's day is 404 until the reports have written the agent)."""
    try:
        server.get(path)
        return True
    except urllib.error.HTTPError:
        return False


def test_every_page_shares_the_navigation(make_server, browser):
    server = make_server(roster(8), args=UTC)
    wait_for(lambda: answers(server, "/report/agent/WK001"), message="the reports to know WK001")
    for path, current in list(PAGES.items()) + [("/report/agent/WK001", "Reports")]:
        browser.get(server.url + path)
        links = browser.js(NAV)
        assert links is not None, path
        assert [l[0] for l in links] == ["/", "/kiosk", "/report", "/incidents", "/status"], (path, links)
        assert [l[1] for l in links if l[2] == "page"] == [current], (path, links)
    # Narrow: every page's navigation is behind the same Menu button.
    browser.size(390, 844)
    for path in PAGES:
        browser.get(server.url + path)
        assert not browser.js("return document.getElementById('topnav').offsetParent"), path
        browser.js("document.getElementById('menu-toggle').click()")
        assert browser.js("return !!document.getElementById('topnav').offsetParent"), path
        assert browser.js("return document.documentElement.scrollWidth") <= 390, path


def test_without_reports_the_navigation_offers_none(make_server, browser):
    server = make_server(roster(4), args=["--no-reports"])
    browser.get(server.url + "/")
    assert [l[0] for l in browser.js(NAV)] == ["/", "/kiosk", "/status"]


# ---------------------------------------------------------------------------------------------
# Dense kiosk

STATES_CUT = """
var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .dense__state').forEach(function (e) {
  var tile = e.closest('.tile').getBoundingClientRect(), r = e.getBoundingClientRect();
  var timer = e.parentElement.querySelector('.dense__timer');
  var t = timer ? timer.getBoundingClientRect() : r;
  if (e.scrollWidth > e.clientWidth + 1 || r.right > tile.right + 1 || t.right > tile.right + 1)
    out.push(e.closest('.tile').id + ': ' + e.parentElement.textContent.trim());
});
return out;
"""


def long_calls(agents):
    """`dangerous(agents)` plus calls past the alert threshold and past an hour: the widest timers."""
    lines = dangerous(agents)
    for i in range(2, agents, 11):
        lines.append(event("call.start", -1300 - 3000 * (i % 2), worker="WK%03d" % i, call="L%03d" % i,
                           direction="inbound", via="queue", queue="Billing"))
    for i in range(5, agents, 13):   # held past the alert threshold, alone: the lead is the hold
        lines.append(event("call.start", -4000, worker="WK%03d" % i, call="P%03d" % i, direction="inbound", via="queue"))
        lines.append(event("call.hold", -700 - 3000 * (i % 2), worker="WK%03d" % i, call="P%03d" % i))
    for i in range(7, agents, 23):
        lines.append(event("call.start", -400, worker="WK%03d" % i, call="W%03d" % i, direction="inbound", via="queue"))
        lines.append(event("call.wrapup", -300, worker="WK%03d" % i, call="W%03d" % i))
    return lines


def test_dense_kiosk_keeps_every_state_word_whole(make_server, browser, artifacts):
    server = make_server(long_calls(150))
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/kiosk")
        browser.wait_live()
        wait_for(lambda: browser.js("return document.body.dataset.pages") is not None, timeout=10, message="the layout")
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        words = browser.js("return Array.from(document.querySelectorAll('#board .tile:not([hidden]) .dense__state'))"
                           ".map(e => e.textContent.trim())")
        assert {"Live", "Hold", "Wrap"} <= set(w[-4:] for w in words), words
        assert browser.js(STATES_CUT) == [], width
        browser.screenshot(artifacts / ("kiosk-dense-states-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# Incidents strip


def misroutes(agents):
    """Every agent takes a queue call while on one: as many open misroute incidents, and no other (the first call
    is held with the agent muted on it, so no wrong-call risk joins them)."""
    lines = roster(agents, busy=False)
    for i in range(agents):
        w = "WK%03d" % i
        lines.append(event("call.start", -60, worker=w, call="A%03d" % i, queue="Billing", direction="inbound", via="queue"))
        lines.append(event("call.hold", -45, worker=w, call="A%03d" % i))
        lines.append(event("call.mute", -45, worker=w, call="A%03d" % i))
        lines.append(event("call.start", -30, worker=w, call="B%03d" % i, queue="Billing", direction="inbound", via="queue"))
    return lines


STRIP = """var s = document.getElementById('incident-strip'); var r = s.getBoundingClientRect();
var more = s.querySelector('.incident-strip__more');
// The line as drawn: a page drawn larger on a wide screen (zoom) has taller lines.
var line = (parseFloat(getComputedStyle(s).lineHeight) || 20) * (s.currentCSSZoom || 1);
return {hidden: s.hidden, height: r.height, bottom: r.bottom, line: line, scroll: s.scrollWidth - s.clientWidth,
        more: more && !more.hidden ? [more.textContent, more.getAttribute('href')] : null,
        items: Array.from(s.querySelectorAll('.incident-strip__item')).filter(i => !i.hidden).length,
        first: (function () { var i = s.querySelector('.incident-strip__item:not([hidden])');
                              return i ? i.getBoundingClientRect().width : 0; })()}"""


def test_a_page_filtered_to_a_team_shows_only_its_incidents(make_server, browser, artifacts):
    server = make_server(misroutes(8), args=UTC)
    wait_for(lambda: server.get("/api/incidents?state=unacknowledged").count('"kind"') >= 8, timeout=20,
             message="the incidents")
    sales = {w["name"] for w in json.loads(server.get("/api/workers?team=Sales"))["workers"]}
    assert sales and len(sales) < 8
    for path in ("/?team=Sales", "/kiosk?team=Sales"):
        browser.size(1920, 1080)
        browser.get(server.url + path)
        # `/` shows what its poll answers; the kiosk its first copy at once: Sales only either way.
        wait_for(lambda: not browser.js(STRIP)["hidden"], timeout=15, message="the incidents strip")
        assert browser.text("#incident-strip").startswith("%d incidents" % len(sales)), (path, browser.text("#incident-strip"))
        named = browser.js("return Array.from(document.querySelectorAll('.incident-strip__item'))"
                           ".map(i => i.textContent.split(' · ')[1])")
        assert set(named) == sales, (path, named)
        assert browser.js("return document.querySelector('.incident-strip__head').getAttribute('href')") \
            == "/incidents?state=unacknowledged&team=Sales"
        browser.screenshot(artifacts / ("strip-team-%s.png" % path.strip("/?").replace("=", "-").replace("?", "-")))
    # The list it links to shows the team's incidents only.
    browser.get(server.url + "/incidents?state=unacknowledged&team=Sales")
    shown = browser.js("return Array.from(document.querySelectorAll('.incidents-table tbody tr')).length")
    assert shown == len(sales), shown


def test_incidents_strip_stays_one_line_with_a_link_to_the_rest(make_server, browser, artifacts):
    server = make_server(misroutes(24), args=UTC)
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/")
        strip = wait_for(lambda: (lambda s: s if not s["hidden"] else None)(browser.js(STRIP)), timeout=15,
                         message="the incidents strip")
        assert "24 incidents to acknowledge" in browser.text("#incident-strip")
        # One line of text plus its padding and the items' own padding: well under two lines.
        assert strip["height"] < 2 * strip["line"] + 4, (width, strip)
        assert strip["scroll"] <= 1, (width, strip)
        assert strip["more"] is not None, (width, strip)
        count, href = strip["more"]
        assert count == "+%d more" % (24 - strip["items"]) and href == "/incidents?state=unacknowledged"
        # However narrow, at least one incident shows between the count and "+N more", readable.
        assert strip["items"] >= 1, (width, strip)
        assert strip["first"] >= 60, (width, strip)
        browser.screenshot(artifacts / ("strip-%d.png" % width))
    # The strip brings what it needs: neither page loads the report stylesheet.
    for path in ("/", "/kiosk"):
        browser.get(server.url + path)
        assert browser.js("return Array.from(document.querySelectorAll('link[rel=stylesheet]'))"
                          ".filter(l => l.href.indexOf('report.css') >= 0).length") == 0, path
    # The kiosk: an overlay of one line at the foot of the screen, there as soon as the page is (it does not
    # wait for its first poll).
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/kiosk")
        strip = browser.js(STRIP)
        assert not strip["hidden"], (width, strip)
        # The page's inline copy holds the first twelve and the count, not every incident of the day.
        assert browser.js("var s = document.getElementById('incident-strip'); "
                          "return [JSON.parse(s.dataset.incidents).incidents.length, s.dataset.incidentsTotal]") == [12, "24"]
        assert strip["height"] < 2 * strip["line"], (width, strip)
        assert abs(strip["bottom"] - height) <= 1, (width, strip)
        assert strip["scroll"] <= 1 and strip["more"] is not None, (width, strip)
        browser.screenshot(artifacts / ("kiosk-strip-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# Report table

DAY = "2026-03-10"
LONG = "Maria-Fernanda Castellanos-Villavicencio"


def long_day(agents=30):
    """A day of long calls and holds (hours on the clock) on agents with long names."""
    lines = []
    for i in range(agents):
        w = "R%03d" % i
        name = LONG if i == 0 else "Agent %02d Okonkwo-Lindqvist" % i
        lines.append('{"type":"worker","at":"%sT06:00:00Z","worker":"%s","name":"%s","team":"Team %d"}' % (DAY, w, name, i % 4))
        for k in range(3):
            c = "%s-%d" % (w, k)
            start = 7 + 4 * k
            lines.append('{"type":"call.start","at":"%sT%02d:00:00Z","worker":"%s","call":"%s","queue":"Sales","via":"queue"}'
                         % (DAY, start, w, c))
            lines.append('{"type":"call.hold","at":"%sT%02d:30:00Z","worker":"%s","call":"%s"}' % (DAY, start + 1, w, c))
            lines.append('{"type":"call.resume","at":"%sT%02d:10:00Z","worker":"%s","call":"%s"}' % (DAY, start + 2, w, c))
            lines.append('{"type":"call.end","at":"%sT%02d:00:00Z","worker":"%s","call":"%s"}' % (DAY, start + 3, w, c))
    lines.append('{"type":"heartbeat","at":"%sT23:00:00Z"}' % DAY)
    return lines


WRAP = "var w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth]"


def test_report_table_fits_1366_and_says_it_scrolls_on_a_phone(make_server, browser, artifacts):
    server = make_server(long_day(), args=UTC)
    path = "/report?from=%s&to=%s" % (DAY, DAY)
    wait_for(lambda: "Castellanos" in server.get(path), message="the day's figures")
    for width, height in ((1366, 768), (1920, 1080)):
        browser.size(width, height)
        browser.get(server.url + path)
        wide, box = browser.js(WRAP)
        assert wide <= box, (width, wide, box)
        assert browser.js("return document.documentElement.scrollWidth") <= width
        assert not browser.js("return getComputedStyle(document.getElementById('table-hint')).display !== 'none'")
        browser.screenshot(artifacts / ("report-fit-%d.png" % width))
    # Every column behind a link that keeps the sort; sorting keeps every column.
    columns = browser.js("return document.querySelectorAll('#report-table thead th').length")
    browser.js("document.querySelector('.report__columns').click()")
    wait_for(lambda: browser.js("return document.querySelectorAll('#report-table thead th').length") == 15,
             message="every column")
    assert columns < 15
    browser.js("Array.from(document.querySelectorAll('#report-table thead th a')).find(a => a.textContent === 'Transfers in').click()")
    wait_for(lambda: "sort=transfersIn" in browser.driver.current_url, message="the sort")
    assert browser.js("return document.querySelectorAll('#report-table thead th').length") == 15
    # A phone: the table scrolls in its own box, which says so and can be scrolled from the keyboard.
    browser.size(390, 844)
    browser.get(server.url + path)
    assert browser.js("return document.documentElement.scrollWidth") <= 390
    assert browser.js("return getComputedStyle(document.getElementById('table-hint')).display") != "none"
    assert browser.js("return document.querySelector('.table-wrap').tabIndex") == 0
    browser.js("document.querySelector('.table-wrap').scrollLeft = 2000")
    # The names stay in sight while the figures scroll.
    left = browser.js("return document.querySelector('#report-table tbody th').getBoundingClientRect().left")
    assert 0 <= left <= 20, left
    browser.screenshot(artifacts / "report-fit-390.png")


# ---------------------------------------------------------------------------------------------
# Kiosk: the board reaches the foot and the right edge of the screen

FOOT = """var board = document.getElementById('board').getBoundingClientRect();
var cells = Array.from(document.querySelectorAll('#board .tile, #board .kteam__head')).filter(e => !e.hidden);
var bottom = Math.max.apply(null, cells.map(e => e.getBoundingClientRect().bottom));
var legend = document.getElementById('legend');
var right = Math.max.apply(null, cells.map(e => e.getBoundingClientRect().right));
return {empty: board.bottom - bottom, emptyRight: board.right - right, rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
        pages: document.body.dataset.pages, dense: window.teamsview.kiosk.dense(),
        legendShows: getComputedStyle(legend).visibility !== 'hidden'}"""


def test_kiosk_fills_the_screen_to_its_foot(make_server, browser, artifacts):
    server = make_server(misroutes(24), args=UTC)
    wait_for(lambda: server.get("/api/incidents?state=unacknowledged").count('"kind"') >= 24, timeout=20,
             message="the incidents")
    for query in ("", "?team=Billing&team=Sales", "?team=Billing"):
        for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
            browser.size(width, height)
            browser.get(server.url + "/kiosk" + query)
            browser.wait_live()
            foot = wait_for(lambda: (lambda f: f if f["pages"] is not None else None)(browser.js(FOOT)), timeout=10,
                            message="the layout")
            assert foot["pages"] == "1", (query, width, foot)
            # No band left empty: at most a fraction of a line between the last row and the foot of the board.
            assert foot["empty"] <= 0.75 * foot["rem"], (query, width, foot)
            # Nor a column left empty at the right.
            assert foot["emptyRight"] <= 0.75 * foot["rem"], (query, width, foot)
            # The incidents strip covers the legend: no half-hidden legend peeks out above it.
            assert not foot["legendShows"], (query, width, foot)
            browser.screenshot(artifacts / ("kiosk-foot%s-%d.png" % (query.replace("?", "-").replace("&", "-").replace("=", ""), width)))


# ---------------------------------------------------------------------------------------------
# Status page


def test_status_fits_every_width_with_long_paths_and_rejects(make_server, browser, artifacts):
    long = "centreeventsfromtwiliotaskroutercollectedovernight" * 2
    server = make_server(roster(4) + ['{"type":"teleport","at":"2026-03-10T10:00:00Z","worker":"%s"}' % ("Z" * 300),
                                      "garbage " * 60, '{"type":"call.start","worker":"%s","at":"bad"}' % long])
    wait_for(lambda: "teleport" in server.get("/status"), message="the rejected lines")
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/status")
        assert browser.js("return document.documentElement.scrollWidth") <= width, width
        browser.screenshot(artifacts / ("status-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# Incidents page

CELLS = """return Array.from(document.querySelectorAll('.incidents-table tbody tr')).map(function (r) {
  var c = r.querySelectorAll('td'), t = c[0].querySelector('time'), calls = c[4].querySelector('[title]');
  return [c[0].textContent, t ? t.getAttribute('datetime') : null, c[4].textContent, calls ? calls.title : null];
})"""


def test_incidents_page_reads_as_clock_times_and_pages(make_server, browser, artifacts):
    server = make_server(misroutes(24), args=UTC)
    wait_for(lambda: server.get("/incidents").count("incident--misroute") >= 24, timeout=20, message="the incidents")
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/incidents")
        assert browser.js("return document.documentElement.scrollWidth") <= width, width
        if width >= 1366:
            wide, box = browser.js(WRAP)
            assert wide <= box, (width, wide, box)
        browser.screenshot(artifacts / ("incidents-%d.png" % width))
    rows = browser.js(CELLS)
    assert len(rows) == 24
    assert " to " not in browser.text("h1"), browser.text("h1")   # one day: named once
    for text, iso, calls, ids in rows:
        # The local clock, the instant kept in datetime (and the tooltip); calls counted, their ids in the tooltip.
        assert len(text) == 8 and text[2] == ":" and text[5] == ":", text
        assert iso and iso.endswith("Z") and iso[11:19] == text, (text, iso)
        assert calls == "2 calls" and ids and sorted(i[0] for i in ids.split(", ")) == ["A", "B"], (calls, ids)
    # Pages: ?per= and ?page=, with links that keep the filters.
    browser.get(server.url + "/incidents?state=unacknowledged&per=10&page=3")
    assert len(browser.js(CELLS)) == 4
    assert browser.text(".pager__text") == "rows 21–24 of 24"
    prev = browser.js("return document.querySelector('.pager__prev').getAttribute('href')")
    assert "state=unacknowledged" in prev and "page=2&per=10" in prev
    assert browser.js("return document.querySelector('.pager__next')") is None
    assert "24 incidents" in browser.text(".count")


def test_a_long_team_or_queue_name_never_makes_the_teams_view_scroll_sideways(make_server, browser, artifacts):
    team = "Escalations" + "X" * 240
    queue = "Overflow" + "Q" * 190
    lines = roster(6) + [event("worker", -600, worker="WKLONG", name="Long Names", team=team),
                         event("call.start", -60, worker="WKLONG", call="CALONG", queue=queue, via="queue",
                               **{"from": "+15550009999"})]
    server = make_server(lines, args=UTC)
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        for path in ("/", "/?q=Long", "/?q=WK001"):
            browser.get(server.url + path)
            assert browser.js("return document.documentElement.scrollWidth") <= width, (path, width)
        browser.screenshot(artifacts / ("teams-long-names-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# Teams View: full names whole at common widths; drawn larger on wide screens


def demo_names():
    """The demo's longest full names: every first name of its roster (Sources/Simulation/Roster.swift) with its
    longest last name, every last name with its longest first name, and one longer still."""
    source = (ROOT / "Sources/Simulation/Roster.swift").read_text(encoding="utf-8")

    def listed(name):
        return re.findall(r'"([^"]*)"', re.search(r"static let %s = \[(.*?)\]" % name, source, re.S).group(1))

    first, last = listed("firstNames"), listed("lastNames")
    assert len(first) >= 20 and len(last) >= 20
    longest_first, longest_last = max(first, key=len), max(last, key=len)
    return sorted({"%s %s" % (f, longest_last) for f in first} | {"%s %s" % (longest_first, l) for l in last}
                  | {"Alexandra Montgomery-Smith"})


def named_floor(names):
    """One worker per name over the teams; every third on a call and every fifth on two, so the calls column
    has cards beside the names."""
    lines = []
    for i, name in enumerate(names):
        w = "WN%03d" % i
        lines.append(event("worker", -600, worker=w, name=name, team=TEAMS[i % len(TEAMS)], skills=["billing"],
                           capacity={"voice": 2, "chat": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
        if i % 3 == 0:
            lines.append(event("call.start", -100, worker=w, call="C%03d" % i, queue="Billing", direction="inbound",
                               via="queue", **{"from": "+1555000%04d" % i}))
        if i % 5 == 0:
            lines.append(event("call.start", -50, worker=w, call="D%03d" % i, direction="inbound", via="transfer",
                               **{"from": "+1555100%04d" % i}))
    return lines


NAMES_FIT = """var names = Array.from(document.querySelectorAll('#agents .agent__name'));
var root = document.documentElement, first = names[0];
return {names: names.length, cut: names.filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent),
        sideways: root.scrollWidth - root.clientWidth,
        height: first ? first.getBoundingClientRect().height : 0, width: first ? first.getBoundingClientRect().width : 0}"""


def test_teams_view_shows_full_names_whole_and_is_drawn_larger_on_wide_screens(make_server, browser, artifacts):
    names = demo_names()
    server = make_server(named_floor(names), args=UTC)
    wait_for(lambda: "Alexandra Montgomery-Smith" in server.get("/"), message="the floor")
    seen = {}
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (2560, 1440), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/")
        fit = browser.js(NAMES_FIT)
        assert fit["names"] == len(names), (width, fit["names"])
        # Nothing scrolls sideways, at any width.
        assert fit["sideways"] <= 0, (width, fit)
        assert browser.js("return document.documentElement.scrollWidth") <= width
        if width >= 1366:
            # Every name whole: none ends in an ellipsis.
            assert fit["cut"] == [], (width, fit["cut"])
        seen[width] = fit
        browser.screenshot(artifacts / ("teams-names-%d.png" % width))
    # A 4K screen draws the page twice as large as a laptop's does, QHD in between; 1920 as 1366.
    assert seen[3840]["height"] >= 1.8 * seen[1366]["height"], (seen[1366], seen[3840])
    assert 1.3 * seen[1366]["height"] <= seen[2560]["height"] < seen[3840]["height"], (seen[1366], seen[2560])
    assert abs(seen[1920]["height"] - seen[1366]["height"]) <= 1, (seen[1366], seen[1920])


# ---------------------------------------------------------------------------------------------
# Teams View: long skills, agents with no activity yet, the dark theme's contrast

CONTRAST = """
function lum(c) {
  var m = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(function (v) {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2];
}
function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
return Array.from(document.querySelectorAll(arguments[0])).map(function (el) {
  var s = getComputedStyle(el), bg = s.backgroundColor;
  if (bg === 'rgba(0, 0, 0, 0)') { bg = getComputedStyle(document.querySelector('.row') || document.body).backgroundColor; }
  if (bg === 'rgba(0, 0, 0, 0)') { bg = getComputedStyle(document.body).backgroundColor; }
  return [el.className, s.color, bg, ratio(s.color, bg)];
});
"""


def test_long_skills_wrap_and_every_avatar_reads_in_both_themes(make_server, browser, artifacts):
    lines = roster(9) + [
        event("worker", -600, worker="WKSKILL", name="Skill Heavy", team="Sales",
              skills=["customer_retention_escalations_tier3_enterprise", "s" * 64, "billing"]),
        event("activity", -590, worker="WKSKILL", activity="Available", available=True),
        # Known from a call only: no activity reported yet.
        event("call.start", -60, worker="WKNOACT", call="CANOACT", queue="Sales", via="queue", **{"from": "+15550001111"}),
    ]
    server = make_server(lines)
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        for path in ("/", "/?q=Skill"):
            browser.get(server.url + path)
            assert browser.js("return document.documentElement.scrollWidth") <= width, (path, width)
        browser.screenshot(artifacts / ("teams-long-skill-%d.png" % width))
    browser.size(1366, 768)
    for theme in ("light", "dark"):
        browser.get(server.url + "/?theme=" + theme)
        avatars = browser.js(CONTRAST, ".avatar")
        assert len(avatars) >= 10
        for cls, color, bg, ratio in avatars:
            # Initials on a presence colour, or grey on the page for an agent with no activity yet.
            assert ratio >= 3, (theme, cls, color, bg, ratio)
        for cls, color, bg, ratio in browser.js(CONTRAST, ".filters button"):
            assert ratio >= 4.5, (theme, cls, color, bg, ratio)
        browser.screenshot(artifacts / ("teams-avatars-%s-1366.png" % theme))
