"""The wall display in a real browser: fit, rotation, live tiles, TV readability, screenshots."""

import json
import re
import threading
import time
import urllib.request

from conftest import event, roster, wait_for

VISIBLE_TILES = "return Array.from(document.querySelectorAll('#board .tile')).filter(t => !t.hidden).map(t => t.id)"


def no_scrollbars(browser):
    return browser.js("""var d = document.documentElement;
        return d.scrollHeight <= window.innerHeight + 1 && d.scrollWidth <= window.innerWidth + 1
            && getComputedStyle(d).overflow === 'hidden'""")


def smallest_text(browser):
    """The smallest computed font size of any visible element holding text."""
    return browser.js("""
        var min = 1e9, where = '';
        var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          var n = walker.currentNode;
          if (!n.textContent.trim()) continue;
          var el = n.parentElement;
          // Decorative glyphs (aria-hidden) sit next to words that say the same; words are what must be readable.
          if (!el || el.closest('[hidden]') || el.closest('.visually-hidden') || el.closest('[aria-hidden="true"]')) continue;
          var r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          var size = parseFloat(getComputedStyle(el).fontSize);
          if (size < min) { min = size; where = el.className + ': ' + n.textContent.trim().slice(0, 30); }
        }
        return [min, where];""")


def overflowing_tiles(browser):
    """Visible tiles whose content is cut off at the bottom."""
    return browser.js("""return Array.from(document.querySelectorAll('#board .tile')).filter(t => !t.hidden)
        .filter(t => { var last = t.lastElementChild; if (!last) return false;
                       return last.getBoundingClientRect().bottom > t.getBoundingClientRect().bottom + 1; })
        .map(t => t.id)""")


def test_kiosk_rotates_pages_when_agents_do_not_fit(make_server, browser):
    server = make_server(roster(400))
    browser.get(server.url + "/kiosk?rotate=12")
    browser.wait_live()
    pages = int(browser.js("return document.body.dataset.pages"))
    assert pages >= 2, "400 agents should not fit one 1080p screen at TV size"
    assert browser.text("#page-text") == "Page 1 of %d" % pages
    first = browser.js(VISIBLE_TILES)
    assert first
    wait_for(lambda: browser.js("return document.body.dataset.page") == "2", timeout=30, interval=0.2,
             message="the kiosk to turn to page 2")
    second = browser.js(VISIBLE_TILES)
    assert second and not set(first) & set(second), "page 2 shows other agents"
    assert browser.text("#page-text") == "Page 2 of %d" % pages
    # Every agent is on some page.
    all_ids = set()
    for p in range(pages):
        all_ids.update(browser.js(VISIBLE_TILES))
        browser.js("window.teamsview.kiosk.next()")
    assert len(all_ids) == 400
    assert no_scrollbars(browser)
    assert overflowing_tiles(browser) == []
    assert browser.console_errors() == []
    assert browser.csp_violations() == []


def test_kiosk_pins_teams_and_updates_tiles_live(make_server, browser):
    server = make_server(roster(16))
    browser.get(server.url + "/kiosk?team=Retention&team=Sales")
    browser.wait_live()
    teams = browser.js("return Array.from(document.querySelectorAll('#board .kteam__name')).map(e => e.textContent)")
    assert teams == ["Retention", "Sales"]
    assert browser.js("return document.body.dataset.pages") == "1"
    server.events.append(event("call.start", worker="WK001", call="CAK1", **{"from": "+15550001111"},
                               queue="Retention", direction="inbound", via="queue"))
    appended = time.monotonic()
    wait_for(lambda: browser.js("return !!document.querySelector('#w-WK001 .tcall--live')"), timeout=10,
             interval=0.02, message="the tile to show the new call")
    assert time.monotonic() - appended < 1.0
    # Hold and mute show as words and icons, with a hold timer.
    server.events.append(event("call.hold", worker="WK001", call="CAK1"), event("call.mute", worker="WK001", call="CAK1"))
    wait_for(lambda: browser.js("return !!document.querySelector('#w-WK001 .tcall--held.tcall--muted .timer--hold')"),
             timeout=10, message="the held, muted call")
    line = browser.text("#w-WK001 .tcall--held")
    assert "Hold" in line and "Muted" in line
    # A misroute on a busy agent is flagged in words.
    server.events.append(event("call.start", worker="WK001", call="CAK2", **{"from": "+15550002222"},
                               queue="Retention", direction="inbound", via="queue"))
    wait_for(lambda: "Misroute" in (browser.text("#w-WK001") or ""), timeout=10, message="the misroute flag")
    assert browser.console_errors() == []


def test_kiosk_of_a_team_not_on_the_floor_yet_says_so_and_fills_when_it_arrives(make_server, browser, artifacts):
    server = make_server(roster(8))
    for width, height in ((390, 844), (1366, 768), (1920, 1080), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/kiosk?team=Night%20Shift")
        browser.wait_live()
        assert browser.text("#empty") == "No agent of team “Night Shift” is on the floor yet.", browser.text("#empty")
        browser.screenshot(artifacts / ("kiosk-absent-team-%d.png" % width))
    server.events.append(event("worker", worker="NS1", name="Nora Night", team="Night Shift"),
                         event("activity", worker="NS1", activity="Available", available=True))
    wait_for(lambda: browser.js("return !!document.querySelector('#w-NS1')"), timeout=10, message="the team's first tile")
    assert browser.js("return document.getElementById('empty').hidden")
    assert "Nora" in browser.text("#w-NS1")
    assert browser.console_errors() == []


PHONE_HINT = """var hint = document.getElementById('phone-hint');
if (!hint) return null;
var r = hint.getBoundingClientRect(), link = hint.querySelector('a');
return {display: getComputedStyle(hint).display, shown: hint.getClientRects().length > 0 && r.top >= 0 && r.bottom <= innerHeight,
        text: hint.textContent.trim(), href: link && link.getAttribute('href'), linkShown: !!link && link.getClientRects().length > 0}"""

# Visible tiles and team headings sticking out past the right edge of the screen.
PAST_THE_EDGE = """return Array.from(document.querySelectorAll('#board .tile, #board .kteam__head, .kcell'))
    .filter(e => !e.hidden && e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 1).map(e => e.id || e.className)"""


def open_kiosk_on_a_phone(browser, server):
    """The kiosk at 390×844, live and laid out."""
    browser.size(390, 844)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    wait_for(lambda: browser.js("return document.body.dataset.pages") is not None, timeout=10, message="the layout")


def test_kiosk_on_a_phone_says_it_is_the_wall_display_and_links_to_the_teams_view(make_server, browser, artifacts):
    server = make_server(roster(40))
    open_kiosk_on_a_phone(browser, server)
    hint = browser.js(PHONE_HINT)
    browser.screenshot(artifacts / "kiosk-phone-390.png")
    assert hint and hint["shown"] and hint["linkShown"], hint
    assert "wall display" in hint["text"] and "Teams View" in hint["text"], hint
    assert hint["href"] == "/", hint
    # Readable in the hand: no text under 14 px (a TV's 1rem is 5 px at this width), nothing past the edge.
    size, where = smallest_text(browser)
    assert size >= 14, "text of %.1f px on a phone (%s)" % (size, where)
    assert browser.js(PAST_THE_EDGE) == []
    assert no_scrollbars(browser)
    assert overflowing_tiles(browser) == []
    # A TV never shows it.
    browser.size(1920, 1080)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    hint = browser.js(PHONE_HINT)
    browser.screenshot(artifacts / "kiosk-phone-hint-1920.png")
    assert hint["display"] == "none" and not hint["shown"], hint
    assert browser.console_errors() == []
    assert browser.csp_violations() == []


def test_kiosk_is_tv_grade_at_1080p_and_4k(make_server, browser, artifacts):
    server = make_server(roster(24))
    for theme in ("dark", "light"):
        for width, height in ((1920, 1080), (3840, 2160)):
            browser.size(width, height)
            browser.get(server.url + "/kiosk" + ("?theme=light" if theme == "light" else ""))
            browser.wait_live()
            wait_for(lambda: browser.js("return document.body.dataset.pages") is not None, timeout=10,
                     message="the kiosk layout")
            size, where = smallest_text(browser)
            # No text under ~24 px at 1080p, and the same proportions at 4K.
            assert size >= 23.5 * height / 1080, "text of %.1f px at %dx%d (%s)" % (size, width, height, where)
            assert no_scrollbars(browser), "scrollbars at %dx%d" % (width, height)
            assert overflowing_tiles(browser) == []
            assert browser.js("return getComputedStyle(document.body).cursor") == "none"
            browser.screenshot(artifacts / ("kiosk-%s-%dx%d.png" % (theme, width, height)))
    browser.size(1920, 1080)
    browser.get(server.url + "/")
    browser.wait_live()
    browser.screenshot(artifacts / "teams-1920x1080.png")
    assert browser.console_errors() == []


ON_SCREEN = """return Array.from(document.querySelectorAll('#board .tile')).filter(function (t) {
  if (t.hidden) return false;
  var r = t.getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
}).map(function (t) { return t.dataset.worker; })"""


class Floor(threading.Thread):
    """A floor that keeps moving: an agent changes activity every few tenths of a second."""

    def __init__(self, server, agents):
        super().__init__(daemon=True)
        self.server, self.agents, self.done = server, agents, threading.Event()

    def run(self):
        k = 0
        while not self.done.wait(0.3):
            k += 1
            self.server.events.append(event("activity", worker="WK%03d" % (k * 37 % self.agents),
                                            activity="Break" if k % 2 else "Available", available=not k % 2))


def test_700_agents_in_windows_of_600_on_4k_show_the_first_window_then_the_second(make_server, browser, artifacts):
    server = make_server(roster(700))
    wait_for(lambda: "700 agents" in server.get("/kiosk"), message="the whole floor")
    first = set(re.findall(r'data-worker="([^"]+)"', server.get("/kiosk?per=600")))
    assert len(first) == 600
    rest = {"WK%03d" % i for i in range(700)} - first
    floor = Floor(server, 700)
    floor.start()
    try:
        browser.size(3840, 2160)
        asked = time.monotonic()
        browser.get(server.url + "/kiosk?rotate=8&per=600")
        # The first window's 600 agents, every one on screen, soon after the page is asked for...
        wait_for(lambda: set(browser.js(ON_SCREEN)) == first, timeout=15, interval=0.1,
                 message="the first window's agents on screen")
        seen = time.monotonic()
        assert seen - asked < 15
        assert "page=2" not in browser.driver.current_url
        browser.screenshot(artifacts / "kiosk-700-first-3840.png")
        # ... for a whole turn, then the second window's.
        wait_for(lambda: "page=2" in browser.driver.current_url, timeout=30, interval=0.1, message="the second window")
        assert time.monotonic() - seen > 8 - 3
        wait_for(lambda: set(browser.js(ON_SCREEN)) == rest, timeout=15, interval=0.1,
                 message="the second window's agents on screen")
        browser.screenshot(artifacts / "kiosk-700-second-3840.png")
    finally:
        floor.done.set()


SUMMARY_SPILLS = """var out = [];
document.querySelectorAll('#summary .kcell').forEach(function (cell) {
  var box = cell.getBoundingClientRect();
  cell.querySelectorAll('*').forEach(function (e) {
    if (e.getClientRects().length === 0) return;
    var r = e.getBoundingClientRect(), s = getComputedStyle(e);
    var cut = e.scrollWidth > e.clientWidth + 1 && s.overflow !== 'visible' && s.textOverflow !== 'ellipsis';
    if (cut || r.right > box.right + 1 || r.bottom > box.bottom + 1) out.push(e.className + ': ' + e.textContent.trim().slice(0, 40));
  });
});
return out;"""


def test_kiosk_summary_keeps_a_23_hour_hold_and_long_activity_names_in_their_cells(make_server, browser, artifacts):
    lines = [event("worker", -73 * 3600, worker="WK950", name="Olga Longhold", team="Billing", skills=["billing"],
                   capacity={"voice": 1}),
             event("activity", -73 * 3600 + 1, worker="WK950", activity="Available", available=True),
             # The longest hold a call allows (Twilio ends every call within 24 h; an older one is "End not received").
             event("call.start", -23 * 3600 - 60, worker="WK950", call="LH950", direction="outbound", via="outbound"),
             event("call.hold", -23 * 3600 - 5, worker="WK950", call="LH950")]
    lines += roster(40)
    lines += [event("activity", -100, worker="WK002", activity="Coaching with supervisor 25", available=False),
              event("worker", -50, worker="WK951", name="Nora Newcomer", team="Sales", skills=["sales"],
                    capacity={"voice": 1})]
    server = make_server(lines)
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        browser.size(width, height)
        browser.get(server.url + "/kiosk")
        browser.wait_live()
        wait_for(lambda: browser.text("#summary .kcell--hold .kcell__value").endswith(tuple("0123456789")), timeout=10,
                 message="the longest hold's timer")
        hold = browser.text("#summary .kcell--hold .kcell__value")
        assert re.search(r"\b23:0\d:\d\d$", hold), hold
        # Who holds it, read from across the room as on the Teams View's tile.
        assert browser.text("#summary .kcell--hold .kcell__who") == "Olga Longhold"
        agents = browser.text("#summary .kcell--agents")
        assert "No activity yet 1" in agents, agents
        assert "Coaching with" in agents and re.search(r"\b1$|\b1\n", agents), agents
        assert browser.js(SUMMARY_SPILLS) == [], "summary content outside its cell at %dx%d" % (width, height)
        # A name too long for the cell gives way with an ellipsis; its count still shows whole.
        count = browser.js("""var a = Array.from(document.querySelectorAll('#summary .kact'))
            .filter(function (k) { return k.textContent.indexOf('Coaching') === 0; })[0];
            var c = a.querySelector('.kact__count').getBoundingClientRect(), cell = a.closest('.kcell').getBoundingClientRect();
            return [a.querySelector('.kact__count').textContent, c.width > 0 && c.right <= cell.right + 1]""")
        assert count == ["1", True]
        browser.screenshot(artifacts / ("kiosk-summary-long-%d.png" % width))
    # On a phone the cell is one line: the name sits between the label and the timer, and gives way first.
    open_kiosk_on_a_phone(browser, server)
    wait_for(lambda: browser.text("#summary .kcell--hold .kcell__who") == "Olga Longhold", timeout=10,
             message="the longest hold's agent on a phone")
    assert browser.js(SUMMARY_SPILLS) == [], "summary content outside its cell at 390 wide"
    browser.screenshot(artifacts / "kiosk-summary-long-390.png")


def test_kiosk_longest_hold_of_a_long_name_keeps_the_summary_row_as_it_was(make_server, browser, artifacts):
    long_name = "María Fernanda de los Ángeles Rodríguez-Villanueva y Castellanos de la Fuente"
    lines = roster(40) + [event("worker", -3600, worker="WK960", name=long_name, team="Billing", skills=["billing"],
                                capacity={"voice": 1}),
                          event("activity", -3600, worker="WK960", activity="Available", available=True),
                          event("call.start", -900, worker="WK960", call="LN960"),
                          event("call.hold", -800, worker="WK960", call="LN960")]
    server = make_server(lines)
    browser.size(1920, 1080)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    wait_for(lambda: browser.text("#summary .kcell--hold .kcell__who") == long_name, timeout=10,
             message="the longest hold's agent")
    widths = browser.js("""var w = {};
        document.querySelectorAll('#summary .kcell').forEach(function (c) { w[c.classList[1]] = c.getBoundingClientRect().width; });
        return w;""")
    # The name gives way with an ellipsis; the cell is no wider than a figure's needs, the Agents cell keeps its room.
    assert widths["kcell--hold"] < 1920 * 0.2, widths
    assert widths["kcell--agents"] > widths["kcell--hold"], widths
    assert browser.js(SUMMARY_SPILLS) == [], "summary content outside its cell"
    browser.screenshot(artifacts / "kiosk-summary-long-name-1920.png")


BAND_FIGURES = """var out = [], shown = 0;
document.querySelectorAll('#board .kteam__head').forEach(function (head) {
  if (head.closest('[hidden]') || head.getClientRects().length === 0) return;
  var stats = head.querySelector('.kteam__stats').getBoundingClientRect();
  head.querySelectorAll('.kteam__stats > span').forEach(function (s) {
    var r = s.getBoundingClientRect();
    if (r.top >= stats.bottom - 1) return;  // left out whole
    shown++;
    if (r.right > stats.right + 1 || r.bottom > stats.bottom + 1) out.push(s.textContent.trim());
  });
});
return [shown, out];"""


def test_kiosk_band_figures_are_whole_or_left_out_on_a_phone(make_server, browser, artifacts):
    server = make_server(roster(150))
    open_kiosk_on_a_phone(browser, server)
    assert browser.js("return window.teamsview.kiosk.dense()")
    shown, cut = browser.js(BAND_FIGURES)
    browser.screenshot(artifacts / "kiosk-bands-390.png")
    assert shown >= 2, "a band shows at least its agents and one figure"
    assert cut == [], "figures cut at the band's edge: %s" % cut


# ---------------------------------------------------------------------------------------------
# The incident strip of a wall display nobody acknowledges at: bounded, and ageing by itself

def midday_zone():
    """A fixed-offset zone whose local time is near noon, so the test's incidents are all of today."""
    import datetime as dt
    shift = 12 - dt.datetime.now(dt.timezone.utc).hour
    return "UTC" if shift == 0 else "Etc/GMT%+d" % -shift


STRIP = """var s = document.getElementById('incident-strip');
if (!s || s.hidden) return null;
var items = Array.from(s.querySelectorAll('.incident-strip__item')).filter(function (i) { return !i.hidden; });
var more = s.querySelector('.incident-strip__more');
return {head: s.querySelector('.incident-strip__head').textContent, items: items.map(function (i) { return i.textContent; }),
        more: more && !more.hidden ? more.textContent : '', fits: s.scrollWidth <= s.clientWidth + 1};"""


def misroute(worker, name, start, end=None):
    """A queue call taken by `worker` already on a call (a misroute and a wrong-call risk: two incidents), from
    `start` s ago, cleared at `end` s ago."""
    lines = [event("worker", -3000, worker=worker, name=name, team="Billing", capacity={"voice": 2}),
             event("activity", -2990, worker=worker, activity="Available", available=True),
             event("call.start", start - 5, worker=worker, call="O" + worker, direction="outbound", via="outbound"),
             event("call.start", start, worker=worker, call="Q" + worker, queue="Billing", direction="inbound", via="queue")]
    if end is not None:
        lines.append(event("call.end", end, worker=worker, call="Q" + worker))
        lines.append(event("call.end", end, worker=worker, call="O" + worker))
    return lines


def test_kiosk_incident_strip_keeps_what_goes_on_and_lets_cleared_ones_age_out(make_server, browser, artifacts):
    lines = []
    for i in range(14):   # going on: more than one line holds
        lines += misroute("LIVE%02d" % i, "Live Agent%02d" % i, -600 + i)
    for i in range(3):    # cleared twenty minutes ago: gone from the wall
        lines += misroute("OLD%d" % i, "Old Cleared%d" % i, -1500 + i, -1200)
    lines += misroute("NEW", "Just Cleared", -100, -60)       # cleared a minute ago: still there
    lines += misroute("AGE", "Ageing Out", -400, -280)        # cleared 4 min 40 s ago: goes in 20 s
    server = make_server(lines, args=["--time-zone", midday_zone()])
    wait_for(lambda: len(json.loads(urllib.request.urlopen(server.url + "/api/incidents?state=unacknowledged").read())["incidents"]) == 38,
             message="the 38 incidents recorded")
    browser.size(1920, 1080)
    browser.get(server.url + "/kiosk")
    # As the server draws it, before any script.
    aside = re.search(r'<aside class="incident-strip".*?</aside>', server.get("/kiosk"), re.S).group(0)
    assert "Old Cleared" not in aside and ">32 incidents<" in aside, aside
    strip = wait_for(lambda: browser.js(STRIP), timeout=10, message="the strip")
    # 14 agents' going on, 2 agents' cleared within 5 minutes; the three cleared long ago are not counted or named.
    assert strip["head"].startswith("32 incidents"), strip
    assert not any("Old Cleared" in i for i in strip["items"]), strip
    # One line: what does not fit is counted in "+N more".
    assert strip["fits"], strip
    assert strip["more"] == "+%d more" % (32 - len(strip["items"])), strip
    assert 0 < len(strip["items"]) < 32, strip
    # Those going on come first, however newer the cleared ones.
    assert all(i.endswith(" · going on") for i in strip["items"]), strip
    browser.screenshot(artifacts / "kiosk-incidents-1920.png")
    # The one cleared 4 min 40 s ago leaves by itself; those going on stay.
    strip = wait_for(lambda: (lambda s: s if s and s["head"].startswith("30 incidents") else None)(browser.js(STRIP)),
                     timeout=40, message="the cleared incident to age out")
    assert not any("Ageing Out" in i for i in strip["items"]), strip
    assert strip["fits"] and strip["more"] == "+%d more" % (30 - len(strip["items"])), strip
    # The Teams View, where incidents are acknowledged, still lists every one of them.
    browser.get(server.url + "/")
    wait_for(lambda: (browser.js(STRIP) or {}).get("head", "").startswith("38 incidents"), timeout=15, message="38 on the Teams View")


LAYOUT = """var b = document.getElementById('board'); var s = getComputedStyle(b);
  var names = Array.from(b.querySelectorAll('.tile:not([hidden]) .tile__name'));
  return {cols: s.getPropertyValue('--cols').trim(), dense: b.classList.contains('board--dense'),
          pages: document.body.dataset.pages || null,
          cut: names.filter(function (n) { return n.scrollWidth > n.clientWidth; }).length};"""


def test_a_call_whose_end_was_never_received_does_not_change_the_kiosk_layout(make_server, browser, artifacts):
    server = make_server(roster(12, teams=["Support"]))
    browser.size(1920, 1080)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    before = wait_for(lambda: (lambda l: l if l["pages"] is not None and l["cols"] else None)(browser.js(LAYOUT)),
                      timeout=10, message="the layout")
    browser.screenshot(artifacts / "kiosk-before-lost-call-1920.png")
    assert not before["dense"] and before["cut"] == 0, before
    # An agent's call whose end was lost a day ago: its tile says so, the other tiles stay as they were.
    server.events.append(event("call.start", -30 * 3600, worker="WK005", call="CALOST", direction="inbound",
                               via="queue", queue="Support"))
    wait_for(lambda: "End not received" in browser.js("return document.getElementById('board').textContent"),
             timeout=10, message="the lost call shown")
    time.sleep(1.5)  # the layout follows the tile's update
    after = browser.js(LAYOUT)
    browser.screenshot(artifacts / "kiosk-lost-call-1920.png")
    assert after["cols"] == before["cols"] and not after["dense"] and after["cut"] == 0, (before, after)
