"""The kiosk's dense layout: 150 agents on one 1080p screen (and on a 1366 × 768 one, laid out as 1080p), 600 on
4K, type of 20 px and up (its share of the height below 1080 lines), nothing that states danger clipped."""

from conftest import TEAMS, event, roster, wait_for
from test_kiosk import no_scrollbars, smallest_text

DANGER = ".dense__timer, .dense__muted, .dense__flag, .tcall__muted, .tcall__timer, .tflag, .kact, .kcell__value"

CLIPPED = """
var out = [];
document.querySelectorAll(arguments[0]).forEach(function (e) {
  if (e.closest('[hidden]') || e.getClientRects().length === 0) return;
  var box = (e.closest('.tile') || e.closest('.kcell') || document.body).getBoundingClientRect();
  var r = e.getBoundingClientRect();
  if (e.scrollWidth > e.clientWidth + 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1)
    out.push(e.className + ': ' + e.textContent.trim().slice(0, 30));
});
return out;
"""


def dangerous(agents):
    lines = roster(agents)
    for k, i in enumerate(range(1, agents, 17)):
        w = "WK%03d" % i
        lines.append(event("call.start", -300, worker=w, call="H%03d" % i, direction="outbound", via="outbound"))
        lines.append(event("call.hold", -250, worker=w, call="H%03d" % i))
        if k % 2:
            lines.append(event("call.mute", -250, worker=w, call="H%03d" % i))
        lines.append(event("call.start", -20, worker=w, call="Q%03d" % i, direction="inbound", via="queue", queue="Sales"))
    for k, a in enumerate(["Lunch", "Meeting", "Offline", "Break", "Training"]):
        for i in range(3 + 2 * k, agents, 53):
            lines.append(event("activity", -100, worker="WK%03d" % i, activity=a, available=False))
    return lines


GEOMETRY = """var b = document.getElementById('board'); var s = getComputedStyle(b);
return [b.clientWidth, b.clientHeight, s.getPropertyValue('--cols'), s.getPropertyValue('--row-h'), s.getPropertyValue('--dense-font'),
        document.querySelectorAll('.dense--wide').length]"""


def layout(browser):
    wait_for(lambda: browser.js("return document.body.dataset.pages") is not None, timeout=10, message="the layout")


def open_kiosk(browser, url, width, height):
    """Opens `url` at `width` × `height`, once its stream is live and its layout settled."""
    browser.size(width, height)
    browser.get(url)
    browser.wait_live()
    layout(browser)


def one_dense_screen_of(make_server, browser, artifacts, agents, width, height):
    """A kiosk of `agents` dangerous agents at width × height: dense, one page, every tile on screen."""
    server = make_server(dangerous(agents))
    open_kiosk(browser, server.url + "/kiosk", width, height)
    browser.screenshot(artifacts / ("kiosk-dense-%d.png" % width))
    assert browser.js("return window.teamsview.kiosk.dense()")
    assert browser.js("return document.body.dataset.pages") == "1", browser.js(GEOMETRY)
    visible = browser.js("return Array.from(document.querySelectorAll('#board .tile')).filter(t => !t.hidden && t.getBoundingClientRect().bottom <= innerHeight).length")
    assert visible == agents


def test_150_agents_fit_one_1080p_screen(make_server, browser, artifacts):
    one_dense_screen_of(make_server, browser, artifacts, 150, 1920, 1080)
    size, where = smallest_text(browser)
    assert size >= 20, "text of %.1f px (%s)" % (size, where)
    assert browser.js(CLIPPED, DANGER) == []
    assert no_scrollbars(browser)
    # Every activity present is in the banner.
    banner = browser.text("#summary .kcell--agents")
    for a in ["Available", "Lunch", "Meeting", "Offline", "Break", "Training"]:
        assert a in banner, a
    browser.screenshot(artifacts / "kiosk-dense-1920.png")


def test_600_agents_fit_one_4k_screen(make_server, browser, artifacts):
    server = make_server(dangerous(600))
    open_kiosk(browser, server.url + "/kiosk", 3840, 2160)
    browser.screenshot(artifacts / "kiosk-dense-3840.png")
    assert browser.js("return window.teamsview.kiosk.dense()")
    assert browser.js("return document.body.dataset.pages") == "1", browser.js(GEOMETRY)
    size, where = smallest_text(browser)
    assert size >= 20, "text of %.1f px (%s)" % (size, where)
    assert browser.js(CLIPPED, DANGER) == []
    browser.screenshot(artifacts / "kiosk-dense-3840.png")


def test_a_1366x768_screen_fits_what_a_1080p_one_does(make_server, browser, artifacts):
    # At 20 px, 150 agents took two screens here (a floor of 2,000: 52 screens, 37 agents each, against 85 at 1080p);
    # laid out as a 1080p screen, smaller, they take one, with type of 20 px's share of the height.
    one_dense_screen_of(make_server, browser, artifacts, 150, 1366, 768)
    size, where = smallest_text(browser)
    assert size >= 20 * 768 / 1080 - 0.1, "text of %.1f px (%s)" % (size, where)
    assert browser.js(CLIPPED, DANGER) == []
    assert no_scrollbars(browser)


def test_normal_tiles_never_clip_muted_or_flags(make_server, browser, artifacts):
    server = make_server(dangerous(40))
    for width, height in ((1366, 768), (1920, 1080)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js(CLIPPED, DANGER) == [], width
        browser.screenshot(artifacts / ("kiosk-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# Names, presence words and team boundaries, read from across the room

LONG_FIRST = ["Thandiwe", "Oluwaseun", "Maximilian", "Siobhán", "Bartholomew", "Nadia", "Anastasia", "Kristoffer"]
LONG_LAST = ["Dlamini", "Okonkwo-Lindqvist", "Ferreira", "Nakamura"]
# More of them for agents 32 on: every agent a name of its own (workers of one name are tagged, tested on their own).
MORE_LONG_LAST = ["Fitzgerald", "Abernathy", "Halvorsen", "Montgomery", "Castellanos", "Rasmussen", "Yamamoto", "Oyelaran",
                  "Delacroix", "Kristiansen", "Santangelo", "Vasquez-Ortiz", "Papadopoulos", "Wojciechowski", "Lindgren",
                  "Ekwueme"]


def long_names(agents):
    """Long first names on a busy floor: two calls (×2), misroutes (a flag), long away activities, two tasks."""
    lines = []
    for i in range(agents):
        w = "WK%03d" % i
        lasts = LONG_LAST + MORE_LONG_LAST
        name = "%s %s" % (LONG_FIRST[i % len(LONG_FIRST)], lasts[(i // len(LONG_FIRST)) % len(lasts)])
        lines.append(event("worker", -600, worker=w, name=name, team=TEAMS[i % len(TEAMS)], capacity={"voice": 2, "chat": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
        kind = i % 6
        if kind == 0:   # two calls: one held, a transfer taken
            lines.append(event("call.start", -300, worker=w, call="H%03d" % i, direction="outbound", via="outbound"))
            lines.append(event("call.hold", -250, worker=w, call="H%03d" % i))
            lines.append(event("call.start", -30, worker=w, call="T%03d" % i, direction="inbound", via="transfer"))
        elif kind == 1:   # a queue call while on one: a misroute
            lines.append(event("call.start", -60, worker=w, call="A%03d" % i, queue="Billing", direction="inbound", via="queue"))
            lines.append(event("call.start", -30, worker=w, call="B%03d" % i, queue="Billing", direction="inbound", via="queue"))
        elif kind == 2:
            lines.append(event("call.start", -90, worker=w, call="L%03d" % i, queue="Sales", direction="inbound", via="queue"))
        elif kind == 3:
            lines.append(event("activity", -100, worker=w, activity="Coaching session", available=False))
        elif kind == 4:
            lines.append(event("task.start", -40, worker=w, task="C%03d" % i, channel="chat"))
            lines.append(event("task.start", -20, worker=w, task="D%03d" % i, channel="email"))
    return lines


NAMES = """var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .dense__name').forEach(function (e) {
  var cell = e.closest('.dense'), text = e.textContent;
  var badge = !!cell.querySelector('.dense__multi, .dense__flag, .dense__also');
  out.push({id: e.closest('.tile').id, text: text, full: e.dataset.full || text, badge: badge,
            cut: e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > e.closest('.tile').getBoundingClientRect().right + 1});
});
return out;"""

# Text cut mid-letter: an element whose text overflows its box without an ellipsis to say so.
CUT_MID_LETTER = """var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .dense *').forEach(function (e) {
  if (e.getClientRects().length === 0 || !e.textContent.trim()) return;
  if (e.scrollWidth <= e.clientWidth + 1) return;
  var s = getComputedStyle(e);
  var own = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  // An ellipsis shows only on a block container (not a flex box, whose text is never ellipsized).
  var block = ['block', 'flow-root', 'inline-block', 'list-item'].indexOf(s.display) >= 0;
  if (!own || s.textOverflow !== 'ellipsis' || !block) out.push(e.className + ': ' + e.textContent.trim());
});
return out;"""


def test_dense_names_win_over_badges(make_server, browser, artifacts):
    server = make_server(long_names(150))
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        names = browser.js(NAMES)
        assert len(names) >= 30, width
        # Every name shown is whole: in full, as "First L." or the first name alone, never cut off.
        assert [n for n in names if n["cut"]] == [], width
        for n in names:
            assert n["full"].startswith(n["text"].rstrip(".")), n
        # The agents on two calls (×2 or the second call shown) or flagged keep at least their last name's initial.
        badged = [n for n in names if n["badge"]]
        assert badged, width
        assert [n for n in badged if " " not in n["text"]] == [], width
        assert browser.js(CLIPPED, DANGER) == [], width
        assert browser.js(CUT_MID_LETTER) == [], width
        browser.screenshot(artifacts / ("kiosk-dense-names-%d.png" % width))


ROWS_BY_TEAM = """var board = document.getElementById('board').getBoundingClientRect(), rows = {}, heads = [];
document.querySelectorAll('#board .tile:not([hidden])').forEach(function (t) {
  var top = Math.round(t.getBoundingClientRect().top);
  (rows[top] = rows[top] || {})[t.closest('.team').id] = 1;
});
document.querySelectorAll('#board .kteam__head:not([hidden])').forEach(function (h) {
  var r = h.getBoundingClientRect();
  heads.push({left: r.left - board.left, width: r.width / board.width});
});
return {mixed: Object.keys(rows).filter(function (k) { return Object.keys(rows[k]).length > 1; }).length, heads: heads};"""


def test_dense_teams_are_apart(make_server, browser, artifacts):
    server = make_server(dangerous(300))
    for width, height in ((1920, 1080), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        teams = browser.js(ROWS_BY_TEAM)
        # No row holds two teams; each team's heading starts its row (a band across the board, or a
        # heading cell when bands would cost a page).
        assert teams["mixed"] == 0, (width, teams)
        assert teams["heads"] and all(h["left"] <= 1 for h in teams["heads"]), (width, teams)
        browser.screenshot(artifacts / ("kiosk-dense-teams-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# An agent's calls are never under-stated: a call offered or taken beside one on the line shows, or ×N counts it

# For each dense cell on screen: the calls its tile has (every one of its call lines, ringing ones too) and
# the most the cell shows of them (the lead's state and each other call shown whole, or a ×N badge).
SHOWN_CALLS = """var out = [];
document.querySelectorAll('#board .tile:not([hidden])').forEach(function (t) {
  var calls = t.querySelectorAll('.tcalls > .tcall:not(.tcall--none)').length;
  var d = t.querySelector('.dense'), box = t.getBoundingClientRect();
  function seen(e) {
    if (!e || e.getClientRects().length === 0) return false;
    var s = getComputedStyle(e), r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.right <= box.right + 1 && r.left >= box.left - 1;
  }
  var lines = seen(d.querySelector('.dense__l2 > .dense__state:not(.dense__act)')) ? 1 : 0;
  d.querySelectorAll('.dense__also').forEach(function (a) { if (seen(a)) lines++; });
  var badge = 0;
  d.querySelectorAll('.dense__multi').forEach(function (b) { if (seen(b)) badge = Math.max(badge, Number(b.textContent.replace(/[^0-9]/g, '')) || 0); });
  out.push({id: t.id, calls: calls, shown: Math.max(lines, badge), lines: lines, badge: badge});
});
return out;"""


def under_stated(browser):
    return [c for c in browser.js(SHOWN_CALLS) if c["shown"] < c["calls"]]



# Agents whose line is long before a second call comes: a live call of over an hour, muted; a held call of over
# an hour, muted; a live call with a long name; and one on a short live call.
LONG_LINES = {"WK001": "long-live-muted", "WK002": "long-held-muted", "WK005": "short-live", "WK007": "long-live"}


def floor(agents=40):
    lines = roster(agents)
    lines.append(event("call.start", -3700, worker="WK001", call="L1", direction="outbound", via="outbound"))
    lines.append(event("call.mute", -3600, worker="WK001", call="L1"))
    lines.append(event("call.start", -3800, worker="WK002", call="L2", direction="outbound", via="outbound"))
    lines.append(event("call.hold", -3700, worker="WK002", call="L2"))
    lines.append(event("call.mute", -3700, worker="WK002", call="L2"))
    lines.append(event("call.start", -50, worker="WK005", call="L5", direction="outbound", via="outbound"))
    lines.append(event("call.start", -4000, worker="WK007", call="L7", direction="outbound", via="outbound"))
    return lines


def calls_of(browser, worker):
    return browser.js("var t = document.querySelector('.tile[data-worker=\"' + arguments[0] + '\"]');"
                      "return t ? t.querySelectorAll('.tcalls > .tcall:not(.tcall--none)').length : -1", worker)


def settled(browser, workers, count):
    wait_for(lambda: all(calls_of(browser, w) == count for w in workers), timeout=15,
             message="%d calls on %s" % (count, ", ".join(workers)))
    # The layout follows the patch in the next frame; two frames later it is on screen.
    browser.driver.execute_async_script("var done = arguments[0]; requestAnimationFrame(function () { requestAnimationFrame(done); });")


def test_a_second_call_offered_or_taken_is_never_left_uncounted(make_server, browser, artifacts):
    server = make_server(floor(40))
    for n, (width, height) in enumerate(((1366, 768), (1920, 1080), (3840, 2160))):
        browser.size(width, height)
        browser.get(server.url + "/kiosk")
        browser.wait_live()
        wait_for(lambda: browser.js("return document.body.dataset.pages") is not None, timeout=10, message="the layout")
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        assert under_stated(browser) == [], width
        # A second call rings for each of them (the call is just offered)...
        for w in LONG_LINES:
            server.events.append(event("call.offer", 0, worker=w, call="R%s%d" % (w, n), direction="inbound", via="queue",
                                       queue="Sales", **{"from": "+15550001111"}))
        settled(browser, LONG_LINES, 2)
        assert under_stated(browser) == [], (width, browser.js(SHOWN_CALLS))
        browser.screenshot(artifacts / ("kiosk-offered-%d.png" % width))
        # ... a third rings too...
        for w in LONG_LINES:
            server.events.append(event("call.offer", 0, worker=w, call="S%s%d" % (w, n), direction="inbound", via="queue",
                                       queue="Sales", **{"from": "+15550002222"}))
        settled(browser, LONG_LINES, 3)
        assert under_stated(browser) == [], (width, browser.js(SHOWN_CALLS))
        # ... the agents take the second and let the third go.
        for w in LONG_LINES:
            server.events.append(event("call.start", 0, worker=w, call="R%s%d" % (w, n), direction="inbound", via="queue",
                                       queue="Sales", **{"from": "+15550001111"}))
            server.events.append(event("call.miss", 0, worker=w, call="S%s%d" % (w, n)))
        settled(browser, LONG_LINES, 2)
        assert under_stated(browser) == [], (width, browser.js(SHOWN_CALLS))
        for w in LONG_LINES:
            server.events.append(event("call.end", 0, worker=w, call="R%s%d" % (w, n)))
        settled(browser, LONG_LINES, 1)


# A misrouted agent of an hour's calls: a held call (muted) and the queue call taken on top of it, live. Their line
# ("Live ▲▲ 1:03:20 ❚❚ ▲▲ 1:05:00 Muted") is longer than two columns hold.
def misrouted_on_hold(agents=40):
    lines = roster(agents)
    lines.append(event("worker", -590, worker="WK001", name="Ravi Chen", team="Retention", capacity={"voice": 2, "chat": 2}))
    lines.append(event("call.start", -4000, worker="WK001", call="RH", direction="outbound", via="outbound"))
    lines.append(event("call.hold", -3900, worker="WK001", call="RH"))
    lines.append(event("call.mute", -3900, worker="WK001", call="RH"))
    lines.append(event("call.start", -3800, worker="WK001", call="RQ", queue="Retention", direction="inbound", via="queue"))
    return lines


SHOWN_OF = """var t = document.querySelector('.tile[data-worker="' + arguments[0] + '"]'), box = t.getBoundingClientRect();
function seen(e) {
  if (!e || e.getClientRects().length === 0) return false;
  var s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.display !== 'none' && r.width > 0 && r.right <= box.right + 1 && r.left >= box.left - 1;
}
var flag = t.querySelector('.dense__flag');
return {also: seen(t.querySelector('.dense__also')), timers: Array.from(t.querySelectorAll('.dense__timer')).filter(seen).length,
        flagOnTop: !!flag && seen(flag) && flag.parentNode.classList.contains('dense__l1'),
        text: t.querySelector('.dense').innerText};"""


def test_a_flagged_cell_keeps_both_calls_and_its_flag_beside_the_name(make_server, browser, artifacts):
    server = make_server(misrouted_on_hold())
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        shown = browser.js(SHOWN_OF, "WK001")
        # The held caller's wait shows beside the live call (the cell takes a third column), not ×2; the flag
        # stays beside the name.
        assert shown["also"] and shown["timers"] == 2, (width, shown)
        assert shown["flagOnTop"], (width, shown)
        assert browser.js("return document.body.dataset.pages") == "1", width
        assert browser.js(CLIPPED, DANGER) == [], width
        assert under_stated(browser) == [], width
        browser.screenshot(artifacts / ("kiosk-dense-misrouted-%d.png" % width))


# The page's own presence words, never cut: "On 2 tasks", "No activity yet" (a worker known from its profile only).
def own_words(agents=40):
    lines = roster(agents)
    lines.append(event("worker", -590, worker="WK005", name="Amara Okonkwo", team="Retention", capacity={"voice": 2, "chat": 2}))
    lines.append(event("task.start", -40, worker="WK005", task="T1", channel="chat"))
    lines.append(event("task.start", -20, worker="WK005", task="T2", channel="email"))
    lines.append(event("worker", -590, worker="NEW1", name="Nadia Eriksson", team="Sales", capacity={"voice": 2}))
    return lines


WORDS = """var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .dense__word').forEach(function (e) {
  var t = e.closest('.tile');
  out.push({id: t.id, text: e.textContent, away: !!e.closest('.pres--away'),
            cut: e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > t.getBoundingClientRect().right + 1});
});
return out;"""


def test_dense_presence_words_of_the_page_are_whole(make_server, browser, artifacts):
    server = make_server(own_words())
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        words = {w["id"]: w for w in browser.js(WORDS)}
        assert words["w-WK005"]["text"] in ("On 2 tasks", "2 tasks"), (width, words["w-WK005"])
        assert words["w-NEW1"]["text"] in ("No activity yet", "No activity"), (width, words["w-NEW1"])
        assert [w for w in words.values() if w["cut"] and not w["away"]] == [], width
        assert browser.js(CUT_MID_LETTER) == [], width
        browser.screenshot(artifacts / ("kiosk-dense-words-%d.png" % width))


def flagged_few():
    """Three agents, two of them flagged: a held call and a misroute on top; two live calls at once (a wrong-call
    risk), the second from the queue (a misroute as well: the longest flag line, "Misroute · Wrong-call risk")."""
    lines = []
    for w, name, team in (("WK1", "Ada Lovelace", "Sales"), ("WK2", "Grace Hopper", "Sales"), ("WK4", "WK4", None)):
        if team:
            lines.append(event("worker", -600, worker=w, name=name, team=team, capacity={"voice": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
    lines.append(event("call.start", -60, worker="WK1", call="A1", direction="outbound", via="outbound"))
    lines.append(event("call.hold", -50, worker="WK1", call="A1"))
    lines.append(event("call.mute", -50, worker="WK1", call="A1"))
    lines.append(event("call.start", -40, worker="WK1", call="A2", queue="Sales", direction="inbound", via="queue"))
    lines.append(event("call.start", -60, worker="WK2", call="G1", direction="outbound", via="outbound"))
    lines.append(event("call.start", -40, worker="WK2", call="G2", queue="Sales", direction="inbound", via="queue"))
    lines.append(event("call.start", -30, worker="WK4", call="W1", direction="outbound", via="outbound"))
    return lines


FLAGS_CUT = """var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .tflag').forEach(function (e) {
  var t = e.closest('.tile').getBoundingClientRect(), r = e.getBoundingClientRect(), range = document.createRange();
  range.selectNodeContents(e);
  var text = range.getBoundingClientRect();
  if (e.scrollWidth > e.clientWidth + 1 || text.right > r.right + 1 || r.right > t.right + 1)
    out.push(e.closest('.tile').id + ': ' + e.textContent);
});
return out;"""


def test_tile_flags_are_whole(make_server, browser, artifacts):
    server = make_server(flagged_few(), args=["--grace", "1"])
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        wait_for(lambda: "Misroute · Wrong-call risk" in (browser.text("#w-WK2") or ""), timeout=10, message="the flags")
        browser.js("window.teamsview.kiosk.layout()")
        assert not browser.js("return window.teamsview.kiosk.dense()"), width
        assert browser.js(FLAGS_CUT) == [], width
        assert browser.js(CLIPPED, DANGER) == [], width
        browser.screenshot(artifacts / ("kiosk-flags-%d.png" % width))


# Long names on a floor of 40 (a team's last row ends short) and agents on two tasks: the cells shown short.
def short_rows(agents=40):
    lines = own_words(agents)
    long_names = ["Siobhán Ní Bhriain-Mac Giolla", "Thandiwe Mthembu-Nkosinathi", "Bartholomew Featherstonehaugh",
                  "Oluwaseun Abernathy-Okonkwo", "Anastasia Papadopoulou-Vlachou", "Kristoffer Vasquez-Ortega",
                  "Maximilian Wojciechowski", "Guðrún Sigurðardóttir-Hall", "Chiamaka Nwachukwu-Adeyemi",
                  "Aleksandra Wiśniewska-Kowal", "Fionnuala Ó Súilleabháin", "Rhiannon Llewellyn-Pritchard"]
    for k, name in enumerate(long_names):
        i = 8 + 3 * k if k < 8 else 28 + 3 * (k - 8) + 1   # some rows of each team, its last among them
        lines.append(event("worker", -580, worker="WK%03d" % i, name=name, team=TEAMS[i % len(TEAMS)],
                           capacity={"voice": 2, "chat": 2}))
    for i in (13, 29, 38):   # on two tasks
        lines.append(event("task.start", -40, worker="WK%03d" % i, task="TA%d" % i, channel="chat"))
        lines.append(event("task.start", -20, worker="WK%03d" % i, task="TB%d" % i, channel="email"))
    return lines


# Cells shown short (the first name alone; a page's word shortened or ending in an ellipsis) in a row with a free
# column to their right.
SHORT_WITH_ROOM = """var b = document.getElementById('board'), s = getComputedStyle(b), box = b.getBoundingClientRect();
var cols = Number(s.getPropertyValue('--cols')), gap = parseFloat(s.columnGap) || 0;
var colW = (b.clientWidth - (cols - 1) * gap) / cols, out = [], cells = [];
b.querySelectorAll('.tile:not([hidden]), .kteam__head:not([hidden])').forEach(function (e) { cells.push(e.getBoundingClientRect()); });
b.querySelectorAll('.tile:not([hidden])').forEach(function (t) {
  var name = t.querySelector('.dense__name'), word = t.querySelector('.dense__word');
  var full = name.dataset.full || name.textContent, r = t.getBoundingClientRect();
  var own = word && !word.closest('.pres--away');
  var cutWord = own && word.scrollWidth > word.clientWidth + 1;
  var firstOnly = full.indexOf(' ') > 0 && name.textContent.indexOf(' ') < 0;
  var shortWord = own && word.dataset.full && word.textContent !== word.dataset.full;
  var rowRight = Math.max.apply(null, cells.filter(function (c) { return Math.abs(c.top - r.top) < 2; }).map(function (c) { return c.right; }));
  var room = box.left + b.clientWidth - rowRight >= colW - 1;
  if (cutWord || ((firstOnly || shortWord) && room))
    out.push({id: t.id, name: name.textContent, word: word ? word.textContent : '', cutWord: cutWord, room: room});
});
return out;"""


def test_dense_cells_with_room_show_names_and_words_whole(make_server, browser, artifacts):
    server = make_server(short_rows())
    failures = {}
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        browser.screenshot(artifacts / ("kiosk-dense-room-%d.png" % width))
        short = browser.js(SHORT_WITH_ROOM)
        if short:
            failures[width] = short
        assert browser.js(CLIPPED, DANGER) == [], width
        assert browser.js("return document.body.dataset.pages") == "1", width
        # A screen that draws the page's long words wider than the canvas measured them (glyphs rounded to whole
        # pixels): they take their shorter form rather than end in an ellipsis ("On 2 tas…").
        browser.js("document.querySelectorAll('.dense__word').forEach(function (e) {"
                   "  if (/^(On \\d+ \\S+|No activity yet)$/.test(e.textContent)) e.style.letterSpacing = '.3em'; });"
                   "window.teamsview.kiosk.layout();")
        words = browser.js(WORDS)
        browser.screenshot(artifacts / ("kiosk-dense-room-wider-%d.png" % width))
        cut = [w for w in words if w["cut"] and not w["away"]]
        if cut:
            failures["%d drawn wider" % width] = cut
    assert failures == {}, failures
