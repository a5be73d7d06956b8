"""What a supervisor reads on the kiosk at a glance: the held call beside a live one, names told apart (workers
of one name by a tag from their worker id), badges and names never cut, the screen counter right, presence and
activity named as such."""

import re

from conftest import TEAMS, event, roster, wait_for
from test_kiosk_dense import CLIPPED, DANGER, dangerous, open_kiosk


# ---------------------------------------------------------------------------------------------
# 1. A dense cell on two calls shows the held one: Hold, its timer and, if so, Muted

HELD_IN_DENSE = """var out = [];
document.querySelectorAll('#board .tile:not([hidden])').forEach(function (t) {
  var held = t.querySelector('.tcalls .tcall--held'), live = t.querySelector('.tcalls .tcall--live');
  // An agent on two calls: one live, one held (on three, a line too long for two columns shows ×3 instead).
  if (!held || !live || t.querySelectorAll('.tcalls .tcall').length !== 2) return;
  var dense = t.querySelector('.dense'), tile = t.getBoundingClientRect();
  // What shows of the dense cell: the text of its visible, uncut parts.
  var shown = [];
  dense.querySelectorAll('*').forEach(function (e) {
    if (e.getClientRects().length === 0) return;
    var own = Array.from(e.childNodes).filter(function (n) { return n.nodeType === 3; }).map(function (n) { return n.textContent; }).join('').trim();
    var r = e.getBoundingClientRect();
    if (!own || r.right > tile.right + 1 || r.bottom > tile.bottom + 1 || r.width === 0) return;
    shown.push(own);
  });
  var text = shown.join(' ');
  var group = Array.from(dense.querySelectorAll('.dense__also--held')).filter(function (g) { return g.getClientRects().length; })[0];
  var seen = function (sel) { var e = group && group.querySelector(sel); return !!e && e.getClientRects().length > 0 && e.getBoundingClientRect().right <= tile.right + 1; };
  out.push({id: t.id, text: text, muted: held.classList.contains('tcall--muted'),
            // The held call's mark (its ❚❚ icon or its word), timer and mute mark as shown.
            group: group ? {held: seen('.dense__state > [aria-hidden]') || seen('.dense__also-word'),
                            timer: group.querySelector('.dense__timer').textContent, muted: seen('.dense__also-muted')} : null,
            timers: (text.match(/\\d+:\\d\\d/g) || []).length});
});
return out;"""


def test_dense_cell_on_two_calls_shows_the_held_call_its_hold_time_and_mute(make_server, browser, artifacts):
    server = make_server(dangerous(150))
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160), (390, 844)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        cells = browser.js(HELD_IN_DENSE)
        browser.screenshot(artifacts / ("kiosk-dense-held-%d.png" % width))
        assert cells, "a live call beside a held one on the screen at %d" % width
        muted = 0
        for c in cells:
            # Both calls' timers, the held one framed with its word, its time and its mute.
            assert c["timers"] >= 2, (width, c)
            assert c["group"] and c["group"]["held"] and re.search(r"\d+:\d\d$", c["group"]["timer"]), (width, c)
            assert c["group"]["muted"] == c["muted"], (width, c)
            muted += c["muted"]
        assert muted, "a held call muted among them"
        assert browser.js(CLIPPED, DANGER + ", .dense__also, .dense__also-muted") == [], width


# ---------------------------------------------------------------------------------------------
# 2. Full-size tiles: Muted and Mic on badges whole, long names whole or ending in an ellipsis

def long_and_marked(agents):
    lines = []
    for i in range(agents):
        w = "WK%03d" % i
        name = ["Bartholomew Okonkwo-Lindqvist-Featherstonehaugh", "Ada Li", "Maximilian Alexander von Wittelsbach",
                "Siobhán Ní Bhriain"][i % 4]
        lines.append(event("worker", -600, worker=w, name=name, team=TEAMS[i % 2], capacity={"voice": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
        if i % 3 == 0:   # held and muted, a transfer taken live with the mic reported open
            lines.append(event("call.start", -4000, worker=w, call="H%03d" % i, direction="outbound", via="outbound"))
            lines.append(event("call.hold", -3900, worker=w, call="H%03d" % i))
            lines.append(event("call.mute", -3900, worker=w, call="H%03d" % i))
            lines.append(event("call.start", -30, worker=w, call="T%03d" % i, direction="inbound", via="transfer"))
            lines.append(event("call.unmute", -29, worker=w, call="T%03d" % i))
        elif i % 3 == 1:  # a queue call on a busy agent: a misroute, both calls muted
            lines.append(event("call.start", -70, worker=w, call="A%03d" % i, queue="Billing", direction="inbound", via="queue"))
            lines.append(event("call.mute", -69, worker=w, call="A%03d" % i))
            lines.append(event("call.start", -30, worker=w, call="B%03d" % i, queue="Billing", direction="inbound", via="queue"))
            lines.append(event("call.unmute", -29, worker=w, call="B%03d" % i))
    return lines


TILE_CUTS = """var out = [];
document.querySelectorAll('#board .tile:not([hidden])').forEach(function (t) {
  var box = t.getBoundingClientRect();
  t.querySelectorAll('.tcall__muted, .tcall__micon, .tile__multi, .tcall__state, .tcall__timer, .tflag, .tile__name').forEach(function (e) {
    if (e.getClientRects().length === 0) return;
    var r = e.getBoundingClientRect(), s = getComputedStyle(e);
    var ellipsis = s.textOverflow === 'ellipsis' && e.classList.contains('tile__name');
    var line = e.closest('.tcall, .tflag, .tile__top'), lr = line ? line.getBoundingClientRect() : box;
    if ((e.scrollWidth > e.clientWidth + 1 && !ellipsis) || r.right > Math.min(box.right, lr.right) + 1 || r.bottom > box.bottom + 1)
      out.push(t.id + ' ' + e.className + ': ' + e.textContent.trim());
  });
});
return out;"""


def test_full_tiles_keep_badges_whole_and_names_whole_or_ellipsized(make_server, browser, artifacts):
    server = make_server(long_and_marked(6))
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160), (1280, 1024)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        browser.screenshot(artifacts / ("kiosk-full-badges-%d.png" % width))
        assert not browser.js("return window.teamsview.kiosk.dense()"), width
        assert browser.js("return document.querySelectorAll('#board .tile:not([hidden]) .tcall__micon').length") > 0
        assert browser.js(TILE_CUTS) == [], width



# A few agents: their tiles have the room to show long-ish names whole.
SPARSE_NAMES = ["Maximilian Okonkwo-Lindqvist", "Oluwaseun Abernathy", "Anastasia Papadopoulos", "Bartholomew Wojciechowski",
                "Kristoffer Vasquez-Ortiz"]

NAMES_CUT = """return Array.from(document.querySelectorAll('#board .tile:not([hidden]) .tile__name'))
  .filter(function (e) { return e.scrollWidth > e.clientWidth; }).map(function (e) { return e.textContent; });"""


def test_a_sparse_kiosk_shows_names_whole(make_server, browser, artifacts):
    lines = []
    for i, name in enumerate(SPARSE_NAMES):
        w = "WK%03d" % i
        lines.append(event("worker", -600, worker=w, name=name, team=TEAMS[i % 2], capacity={"voice": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
        if i % 2 == 0:   # two calls: the tile's "2 calls" badge beside the name
            lines.append(event("call.start", -400, worker=w, call="H%03d" % i, direction="outbound", via="outbound"))
            lines.append(event("call.hold", -300, worker=w, call="H%03d" % i))
            lines.append(event("call.start", -30, worker=w, call="T%03d" % i, direction="inbound", via="transfer"))
    server = make_server(lines)
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        browser.screenshot(artifacts / ("kiosk-sparse-names-%d.png" % width))
        assert not browser.js("return window.teamsview.kiosk.dense()"), width
        assert browser.js("return document.body.dataset.pages") == "1", width
        assert browser.js(NAMES_CUT) == [], width
        assert browser.js(TILE_CUTS) == [], width


# ---------------------------------------------------------------------------------------------
# 3. 700 agents on 4K: two screens, counted right

SEEN = "return Array.from(document.querySelectorAll('#board .tile')).filter(t => !t.hidden).map(t => t.dataset.worker)"


def test_700_agents_take_two_4k_screens_and_the_counter_says_so(make_server, browser, artifacts):
    server = make_server(dangerous(700))
    wait_for(lambda: "700 of 700 agents" in server.get("/kiosk"), message="the whole floor")
    open_kiosk(browser, server.url + "/kiosk?rotate=600", 3840, 2160)
    browser.screenshot(artifacts / "kiosk-700-1-3840.png")
    assert browser.js("return document.body.dataset.nextWindow") is None, "one window holds the 700"
    assert browser.js("return document.body.dataset.pages") == "2"
    assert browser.text("#page-text") == "Page 1 of 2"
    seen = set(browser.js(SEEN))
    browser.js("window.teamsview.kiosk.next()")
    assert browser.text("#page-text") == "Page 2 of 2"
    browser.screenshot(artifacts / "kiosk-700-2-3840.png")
    seen |= set(browser.js(SEEN))
    assert len(seen) == 700


def test_the_counter_counts_the_screens_of_every_window(make_server, browser):
    server = make_server(roster(700))
    wait_for(lambda: "700 of 700 agents" in server.get("/kiosk"), message="the whole floor")
    # Windows of 300: three windows, one 4K screen each.
    open_kiosk(browser, server.url + "/kiosk?per=300&page=2", 3840, 2160)
    assert browser.js("return document.body.dataset.pages") == "1"
    assert browser.text("#page-text") == "Page 2 of 3"
    assert not browser.js("return document.getElementById('page-indicator').hidden")


# ---------------------------------------------------------------------------------------------
# 4. Two agents whose shortened names are the same are told apart

NAMES_SHOWN = """var out = [];
document.querySelectorAll('#board .tile:not([hidden]) .dense__name').forEach(function (e) {
  out.push([e.closest('.tile').dataset.worker, e.dataset.full || e.textContent, e.textContent]);
});
return out;"""


def test_dense_names_that_shorten_alike_are_told_apart(make_server, browser, artifacts):
    # 280 agents of 280 names, several of one first name.
    lines = roster(280)
    for i, name in enumerate(["Anna Kowalski", "Anna Kaur", "Anna Kowalczyk", "Anna Kim"]):
        w = "WKA%02d" % i
        lines += [event("worker", -600, worker=w, name=name, team="Billing", capacity={"voice": 1}),
                  event("activity", -590, worker=w, activity="Available", available=True)]
    server = make_server(lines)
    for width, height in ((1920, 1080), (3840, 2160), (1366, 768)):
        open_kiosk(browser, server.url + "/kiosk?rotate=600", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        pages = int(browser.js("return document.body.dataset.pages"))
        shortened = 0
        for p in range(pages):
            shown = {}
            for worker, full, text in browser.js(NAMES_SHOWN):
                shown.setdefault(text, set()).add(full)
                shortened += full != text
            assert {t: f for t, f in shown.items() if len(f) > 1} == {}, (width, p + 1)
            browser.js("window.teamsview.kiosk.next()")
        assert shortened, "names shortened at %d" % width
        browser.screenshot(artifacts / ("kiosk-dense-alike-%d.png" % width))


# ---------------------------------------------------------------------------------------------
# 4b. Workers of exactly the same name are told apart by the end of their worker id, the tag always whole

# Two of one short name; two of one long name whose ids end alike (their tags take a character more), on two calls.
TWINS = {"WKX4821": "Anna Kowalski", "WKY7710": "Anna Kowalski",
         "WKM0042": "Alexandra Montgomery-Smith", "WKN0042": "Alexandra Montgomery-Smith"}

TAGS_SHOWN = """var out = {}, dense = document.getElementById('board').classList.contains('board--dense');
arguments[0].forEach(function (id) {
  var t = document.querySelector('#board .tile[data-worker="' + id + '"]');
  if (!t || t.hidden) return;
  var tag = t.querySelector(dense ? '.dense__tag' : '.tile__tag'), name = t.querySelector(dense ? '.dense__name' : '.tile__name');
  var box = t.getBoundingClientRect(), r = tag ? tag.getBoundingClientRect() : null;
  out[id] = {name: name.textContent, tag: tag ? tag.textContent : null, label: t.getAttribute('aria-label'),
             whole: !!tag && tag.getClientRects().length > 0 && r.width > 0 && tag.scrollWidth <= tag.clientWidth + 1
                    && r.left >= box.left - 1 && r.right <= box.right + 1 && r.bottom <= box.bottom + 1};
});
return out;"""


def twins(floor):
    # A small floor is one team: full-size tiles.
    lines = roster(floor) if floor > 20 else roster(floor, teams=["Billing"], busy=False)
    for i, (w, name) in enumerate(sorted(TWINS.items())):
        lines += [event("worker", -600, worker=w, name=name, team="Billing", capacity={"voice": 2}),
                  event("activity", -590, worker=w, activity="Available", available=True)]
        if name.startswith("Alexandra"):   # two calls: a ×2 badge beside the name in the dense cell
            lines += [event("call.start", -90, worker=w, call="T1%d" % i, direction="inbound", via="queue", queue="Billing"),
                      event("call.start", -30, worker=w, call="T2%d" % i, direction="inbound", via="transfer")]
    return lines


def shown_tags(browser):
    """The twins' tiles as shown, over every screen of the kiosk."""
    pages = int(browser.js("return document.body.dataset.pages"))
    shown = {}
    for _ in range(pages):
        shown.update(browser.js(TAGS_SHOWN, list(TWINS)))
        browser.js("window.teamsview.kiosk.next()")
    return shown


def assert_told_apart(shown, where):
    assert set(shown) == set(TWINS), (where, shown)
    for w, name in TWINS.items():
        c = shown[w]
        # The tag is the end of the worker id (a character more where the last four of the two are the same),
        # whole; the screen reader hears it too.
        other = next(o for o, n in TWINS.items() if n == name and o != w)
        size = 4 if w[-4:] != other[-4:] else 5
        assert c["tag"] == "· " + w[-size:], (where, w, c)
        assert c["whole"], (where, w, c)
        assert c["label"] == "%s · %s" % (name, w[-size:]), (where, w, c)
    for name in set(TWINS.values()):
        a, b = [shown[w] for w in TWINS if TWINS[w] == name]
        assert (a["name"], a["tag"]) != (b["name"], b["tag"]), (where, a, b)


def assert_twins_told_apart(server, browser, artifacts, path, dense, shot):
    """At 1920, 3840 and 1366 wide, `path` draws dense cells (or full tiles) whose twins are told apart."""
    for width, height in ((1920, 1080), (3840, 2160), (1366, 768)):
        open_kiosk(browser, server.url + path, width, height)
        assert browser.js("return window.teamsview.kiosk.dense()") == dense, width
        browser.screenshot(artifacts / (shot % width))
        if dense:
            assert browser.js(CLIPPED, DANGER + ", .dense__tag") == [], width
        assert_told_apart(shown_tags(browser), ("dense" if dense else "tiles", width))


def test_workers_of_one_name_are_told_apart_by_a_whole_tag(make_server, browser, artifacts):
    # Dense: 280 agents and the twins, in the narrowest cells the kiosk draws.
    assert_twins_told_apart(make_server(twins(280)), browser, artifacts, "/kiosk?rotate=600", True, "kiosk-dense-twins-%d.png")
    # Full-size tiles.
    assert_twins_told_apart(make_server(twins(2)), browser, artifacts, "/kiosk", False, "kiosk-full-twins-%d.png")


def test_a_second_worker_of_a_name_tags_the_first_live(make_server, browser):
    server = make_server(roster(6) + [event("worker", -600, worker="WKX4821", name="Anna Kowalski", team="Billing"),
                                      event("activity", -590, worker="WKX4821", activity="Available", available=True)])
    open_kiosk(browser, server.url + "/kiosk", 1920, 1080)
    assert browser.js(TAGS_SHOWN, ["WKX4821"])["WKX4821"]["tag"] is None
    server.events.append(event("worker", worker="WKY7710", name="Anna Kowalski", team="Billing"))
    shown = wait_for(lambda: (lambda s: s if len(s) == 2 and all(c["tag"] for c in s.values()) else None)(
        browser.js(TAGS_SHOWN, ["WKX4821", "WKY7710"])), message="both tiles tagged")
    assert shown["WKX4821"]["tag"] == "· 4821" and shown["WKY7710"]["tag"] == "· 7710", shown
    assert shown["WKX4821"]["whole"] and shown["WKY7710"]["whole"], shown


# ---------------------------------------------------------------------------------------------
# 5. The summary says which figures are presence ("Doing") and which TaskRouter activities

def test_summary_names_presence_and_taskrouter_activity(make_server, browser, artifacts):
    lines = roster(40) + [event("activity", -100, worker="WK%03d" % i, activity="Busy", available=False) for i in (1, 2, 5)]
    server = make_server(lines)
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160)):
        open_kiosk(browser, server.url + "/kiosk", width, height)
        lines_shown = browser.js("""return Array.from(document.querySelectorAll('#summary .kcell--agents .kcell__sub > *'))
            .map(function (l) { return l.innerText.replace(/\\s+/g, ' ').trim(); })""")
        assert len(lines_shown) == 2, lines_shown
        assert re.match(r"^Doing:? Idle \d+ Busy \d+ Away \d+", lines_shown[0]), lines_shown
        assert re.match(r"^TaskRouter activity:? ", lines_shown[1]) and "Busy 3" in lines_shown[1], lines_shown
        browser.screenshot(artifacts / ("kiosk-summary-keys-%d.png" % width))
