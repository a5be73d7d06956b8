"""A team's heading and its agents read as one group on the kiosk (a heading starts a row; a long team name takes the
two lines its cell has), every call of a compact cell shows where it has room (the flagged call first), and a
call state shows the same icon and word in every cell of a page."""

from conftest import TEAMS, event, roster, wait_for
from test_kiosk_dense import open_kiosk

SIZES = ((390, 844), (1366, 768), (1920, 1080), (3840, 2160))

# Per visible heading: whether it starts a row of the board, and the teams of the cells on its row and on the
# rows between it and the next heading (by position on screen).
GROUPS = """
var board = document.getElementById('board'), left = board.getBoundingClientRect().left, out = [];
var cells = Array.from(board.querySelectorAll('.kteam__head, .tile')).filter(function (e) {
  return !e.hidden && e.getClientRects().length; });
cells.forEach(function (e) {
  var r = e.getBoundingClientRect();
  var team = e.closest('.team').id;
  out.push({head: e.classList.contains('kteam__head'), team: team, top: Math.round(r.top), left: Math.round(r.left - left),
            name: e.classList.contains('kteam__head') ? e.querySelector('.kteam__name').textContent : e.getAttribute('aria-label')});
});
return out;"""

NAME_CUT = """
return Array.from(document.querySelectorAll('#board .kteam__head:not([hidden]) .kteam__name')).map(function (n) {
  var lh = parseFloat(getComputedStyle(n).lineHeight) || 1;
  return {name: n.textContent, cut: n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1,
          lines: Math.round(n.getBoundingClientRect().height / lh), head: n.parentNode.getBoundingClientRect().width};
});"""


def small_floor(long_name=False):
    lines = []
    people = [("WK1", "Ada Lovelace", "Sales"), ("WK2", "Grace Hopper", "Support"), ("WK3", "Katherine Johnson", "Support")]
    if long_name:
        people.append(("WK4", "Dorothy Vaughan", "A very long team name of the night"))
    for w, name, team in people:
        lines.append(event("worker", -600, worker=w, name=name, team=team, capacity={"voice": 2}))
        lines.append(event("activity", -590, worker=w, activity="Available", available=True))
    lines.append(event("call.start", -80, worker="WK1", call="CA1", direction="inbound", via="queue", queue="Sales"))
    lines.append(event("call.start", -40, worker="WK3", call="CA3", direction="inbound", via="queue", queue="Support"))
    return lines


def test_a_team_heading_starts_the_row_of_its_agents(make_server, browser, artifacts):
    server = make_server(small_floor(long_name=True))
    for width, height in SIZES:
        open_kiosk(browser, server.url + "/kiosk", width, height)
        browser.screenshot(artifacts / ("kiosk-groups-%d.png" % width))
        cells = browser.js(GROUPS)
        assert len([c for c in cells if not c["head"]]) == 4, (width, cells)
        for c in cells:
            if c["head"]:
                # A heading begins its row: nothing of another team beside it, before or after.
                assert c["left"] <= 1, (width, c, cells)
                row = [o for o in cells if abs(o["top"] - c["top"]) <= 1]
                assert all(o["team"] == c["team"] for o in row), (width, c, row)
        # Every agent's row holds its own team's heading or comes after it with no other team's in between.
        current = None
        for c in sorted(cells, key=lambda o: (o["top"], o["left"])):
            if c["head"]:
                current = c["team"]
            else:
                assert c["team"] == current, (width, c, cells)
        # A long team name takes its cell's second line before it is cut (where the cell is not too narrow for it).
        if width >= 1366:
            names = browser.js(NAME_CUT)
            long = [n for n in names if n["name"].startswith("A very long")]
            assert long and not long[0]["cut"], (width, names)
