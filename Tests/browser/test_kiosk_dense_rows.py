"""The dense kiosk's rows, read from across the room: a team heading costs no more of the board than its name
needs, and rows are full (a cell two or three columns wide that does not fit the end of a row leaves no hole),
with the agents still in their order and every page whole."""

from conftest import event, roster, wait_for
from test_kiosk_dense import CLIPPED, DANGER, dangerous, long_names, misrouted_on_hold, open_kiosk, under_stated

# The board's columns and, for each team heading on screen that is not a band across the board, its width, whether
# its name shows whole, and whether its name and its flagged count would each fit one column.
HEADS = """var b = document.getElementById('board'), bs = getComputedStyle(b), br = b.getBoundingClientRect();
var cols = parseInt(bs.getPropertyValue('--cols'), 10), gap = parseFloat(bs.columnGap) || 0;
var colW = (b.clientWidth - (cols - 1) * gap) / cols, ctx = document.createElement('canvas').getContext('2d');
function natural(e) {
  var s = getComputedStyle(e);
  ctx.font = s.fontStyle + ' ' + s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
  return ctx.measureText(e.textContent.trim()).width;
}
var out = [];
document.querySelectorAll('#board .kteam__head').forEach(function (h) {
  if (h.hidden || h.getClientRects().length === 0) return;
  var r = h.getBoundingClientRect(), hs = getComputedStyle(h), name = h.querySelector('.kteam__name');
  if (r.width > br.width - 2) return;   // a band across the board
  var pad = parseFloat(hs.paddingLeft) + parseFloat(hs.paddingRight);
  var flag = h.querySelector('.kteam__flag');
  // The flag's natural width: its box as drawn (never shrunk: its words do not wrap), its icon included.
  var flagW = flag ? flag.getBoundingClientRect().width : 0;
  out.push({name: name.textContent, width: r.width, height: r.height, colW: colW,
            fitsOne: natural(name) + pad + 2 <= colW && flagW + pad <= colW,
            whole: name.scrollWidth <= name.clientWidth + 1});
});
var tile = Array.from(document.querySelectorAll('#board .tile')).filter(function (t) { return !t.hidden; })[0];
return {cols: cols, colW: colW, heads: out, rowH: tile ? tile.getBoundingClientRect().height : 0,
        mode: b.className};"""


def test_a_team_heading_takes_one_cell_when_its_name_fits_one(make_server, browser, artifacts):
    server = make_server(dangerous(150))
    for width, height in ((1366, 768), (1920, 1080)):
        open_kiosk(browser, server.url + "/kiosk?rotate=600", width, height)
        assert browser.js("return window.teamsview.kiosk.dense()"), width
        pages = int(browser.js("return document.body.dataset.pages"))
        checked = 0
        for p in range(pages):
            info = browser.js(HEADS)
            for h in info["heads"]:
                # The name shows whole, in a cell no taller than a row of agents...
                assert h["whole"], (width, p + 1, h)
                assert h["height"] <= info["rowH"] + 1, (width, p + 1, h, info["rowH"])
                # ... and no wider than one column when its name and flagged count fit one.
                if h["fitsOne"]:
                    checked += 1
                    assert h["width"] <= h["colW"] + 1, (width, p + 1, h, info["mode"])
            browser.js("window.teamsview.kiosk.next()")
        assert checked, "a heading whose name fits one column at %d" % width
        browser.screenshot(artifacts / ("kiosk-dense-heads-%d.png" % width))


# Every cell on screen in document order (the order the server sorted them in): its team, box and kind.
CELLS = """var b = document.getElementById('board').getBoundingClientRect(), out = [];
document.querySelectorAll('#board .tile, #board .kteam__head').forEach(function (e) {
  if (e.hidden || e.getClientRects().length === 0) return;
  var r = e.getBoundingClientRect();
  out.push({id: e.id || (e.closest('.team').id + (e.classList.contains('kteam__head--cont') ? ':cont' : ':head')),
            team: e.closest('.team').id, head: e.classList.contains('kteam__head'), band: r.width > b.width - 2,
            top: Math.round(r.top), left: Math.round(r.left), right: r.right, bottom: r.bottom});
});
return {right: b.right, bottom: b.bottom, cells: out};"""


def rows_of(cells):
    """The cells grouped into the board's rows, top to bottom, each left to right."""
    rows = {}
    for c in cells:
        rows.setdefault(c["top"], []).append(c)
    return [sorted(rows[t], key=lambda c: c["left"]) for t in sorted(rows)]


def check_page(browser, where):
    """On the page on screen: cells in their order, rows full, nothing past the foot; returns the agents shown."""
    board = browser.js(CELLS)
    cells = board["cells"]
    assert cells, where
    # Read left to right and top to bottom, the cells are in the server's order: none moved to fill a hole.
    reading = [c["id"] for row in rows_of(cells) for c in row]
    assert reading == [c["id"] for c in cells], (where, reading, [c["id"] for c in cells])
    rows = rows_of(cells)
    for i, row in enumerate(rows):
        assert all(c["bottom"] <= board["bottom"] + 1 for c in row), (where, "cut off at the foot", row)
        last, following = row[-1], rows[i + 1][0] if i + 1 < len(rows) else None
        if last["band"] or following is None or following["team"] != last["team"] or following["head"]:
            continue   # a team's last row (or the page's) may end short
        assert last["right"] >= board["right"] - 2, (where, "a hole at the end of a row", [c["id"] for c in row],
                                                     board["right"] - last["right"])
    assert under_stated(browser) == [], where
    assert browser.js(CLIPPED, DANGER) == [], where
    return [c["id"] for c in cells if not c["head"]]


def check_every_page(browser, url, width, height, agents, shot):
    open_kiosk(browser, url, width, height)
    assert browser.js("return window.teamsview.kiosk.dense()"), width
    pages = int(browser.js("return document.body.dataset.pages"))
    seen = []
    for p in range(pages):
        seen += check_page(browser, (width, p + 1))
        if p == 0:
            browser.screenshot(shot)
        browser.js("window.teamsview.kiosk.next()")
    # Every agent on one page, and only one.
    assert len(seen) == len(set(seen)) == agents, (width, len(seen), len(set(seen)))


def test_a_cell_three_columns_wide_leaves_no_hole_at_the_end_of_a_row(make_server, browser, artifacts):
    # Ravi Chen (a misroute on top of a held call, both over an hour) takes three columns, and at 1366 px wide the
    # row before him has two left.
    server = make_server(misrouted_on_hold(40))
    for width, height in ((1366, 768), (1920, 1080), (3840, 2160)):
        check_every_page(browser, server.url + "/kiosk?rotate=600", width, height, 40,
                         artifacts / ("kiosk-dense-span3-%d.png" % width))
        assert browser.js("return document.querySelectorAll('.dense--span3').length") >= 1, width


def test_dense_rows_are_full_on_every_page_of_a_full_floor(make_server, browser, artifacts):
    # Cells two columns wide (long names, two calls) and three (a misroute beside an hour's hold) on a full floor.
    lines = dangerous(150) + [dict(e, worker="WK002") for e in misrouted_on_hold(0)]
    server = make_server(lines)
    for width, height in ((1366, 768), (1920, 1080), (390, 844)):
        check_every_page(browser, server.url + "/kiosk?rotate=600", width, height, 150,
                         artifacts / ("kiosk-dense-rows-%d.png" % width))
    server = make_server(long_names(150))
    check_every_page(browser, server.url + "/kiosk?rotate=600", 1366, 768, 150, artifacts / "kiosk-dense-rows-long-1366.png")
    server = make_server(dangerous(600))
    check_every_page(browser, server.url + "/kiosk?rotate=600", 3840, 2160, 600, artifacts / "kiosk-dense-rows-3840.png")


# Every team heading's flagged count on screen, and whether it shows whole (inside its heading and its figures' box).
FLAGS = """var out = [];
document.querySelectorAll('#board .kteam__head').forEach(function (h) {
  var flag = h.querySelector('.kteam__flag');
  if (h.hidden || !flag || flag.getClientRects().length === 0) return;
  var r = flag.getBoundingClientRect(), head = h.getBoundingClientRect(), stats = h.querySelector('.kteam__stats').getBoundingClientRect();
  out.push({head: h.querySelector('.kteam__name').textContent, flag: flag.textContent, cont: h.classList.contains('kteam__head--cont'),
            whole: r.right <= Math.min(head.right, stats.right) + 1 && r.bottom <= Math.min(head.bottom, stats.bottom) + 1});
});
return out;"""


def test_a_team_headings_flagged_count_is_whole_on_every_page(make_server, browser, artifacts):
    # On a phone a team runs over many pages: its heading, repeated "(continued)" on each, keeps its count of flagged
    # agents whole (the name gives way first).
    server = make_server(dangerous(150))
    for width, height in ((390, 844), (1366, 768)):
        open_kiosk(browser, server.url + "/kiosk?rotate=600", width, height)
        pages = int(browser.js("return document.body.dataset.pages"))
        continued = 0
        for p in range(pages):
            flags = browser.js(FLAGS)
            assert [f for f in flags if not f["whole"]] == [], (width, p + 1, flags)
            continued += sum(f["cont"] for f in flags)
            if p == 1:
                browser.screenshot(artifacts / ("kiosk-dense-continued-%d.png" % width))
            browser.js("window.teamsview.kiosk.next()")
        assert continued or width != 390, "a continued heading with a flagged count at %d" % width
