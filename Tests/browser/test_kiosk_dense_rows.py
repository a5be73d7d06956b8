"""The dense kiosk's rows, read from across the room: a team heading costs no more of the board than its name
needs, and its count of flagged agents shows whole."""

from test_kiosk_dense import dangerous, open_kiosk

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
