"""Any screen: phone layout without horizontal scroll, nothing that states danger clipped, rows
that stay put under live updates, dark theme; screenshots at four widths into artifacts/."""

from conftest import event, roster, wait_for

CLIPPED = """
var out = [];
document.querySelectorAll(arguments[0]).forEach(function (e) {
  if (e.offsetParent === null) return;
  if (e.scrollWidth > e.clientWidth + 1) out.push(e.className + ': ' + e.textContent.trim().slice(0, 40));
});
return out;
"""

DANGER = ".badge, .flag, .cleared, .card__timer, .card__calltime, .agent__name, .state, .tile__value, .topbar, .brand"


def dangerous_floor(agents=40):
    lines = roster(agents)
    # Unmuted on a held call while on another: wrong-call risk; a misroute; a long hold.
    lines.append(event("call.start", -200, worker="WK001", call="D1", direction="outbound", via="outbound"))
    lines.append(event("call.hold", -150, worker="WK001", call="D1"))
    lines.append(event("call.start", -140, worker="WK001", call="D2", direction="inbound", via="queue", queue="Sales"))
    lines.append(event("call.start", -30, worker="WK002", call="D3", direction="outbound", via="outbound"))
    lines.append(event("call.start", -10, worker="WK002", call="D4", direction="inbound", via="queue",
                       queue="Retention (consumer)"))
    lines.append(event("call.start", -900, worker="WK005", call="D5", direction="inbound", via="queue", queue="Billing"))
    lines.append(event("call.hold", -600, worker="WK005", call="D5"))
    lines.append(event("call.mute", -600, worker="WK005", call="D5"))
    return lines


def test_phone_has_no_horizontal_scroll_and_a_menu(make_server, browser, artifacts):
    server = make_server(events=dangerous_floor())
    browser.size(390, 844)
    browser.get(server.url + "/")
    wait_for(lambda: browser.js("return document.querySelectorAll('tr.row').length") == 40, message="rows")
    assert browser.js("return document.documentElement.scrollWidth") <= 390
    assert browser.js(CLIPPED, DANGER) == []
    # One card per agent: a row is as wide as the page, not a table line.
    width = browser.js("return document.querySelector('tr.row').getBoundingClientRect().width")
    assert width <= 390 and width > 300
    # The navigation is behind a menu button.
    assert not browser.js("return document.getElementById('topnav').offsetParent")
    browser.js("document.getElementById('menu-toggle').click()")
    assert browser.js("return !!document.getElementById('topnav').offsetParent")
    browser.js("document.getElementById('menu-toggle').click()")
    browser.screenshot(artifacts / "teams-390.png")


def test_nothing_dangerous_is_clipped_at_any_width(make_server, browser, artifacts):
    server = make_server(events=dangerous_floor())
    for width, height in [(1366, 768), (1920, 1080), (3840, 2160)]:
        browser.size(width, height)
        browser.get(server.url + "/")
        wait_for(lambda: browser.js("return document.querySelectorAll('tr.row').length") == 40, message="rows")
        assert browser.js("return document.documentElement.scrollWidth") <= width
        assert browser.js(CLIPPED, DANGER) == [], width
        browser.screenshot(artifacts / ("teams-%d.png" % width))
    browser.size(1366, 768)
    browser.get(server.url + "/?theme=dark&attention=1")
    wait_for(lambda: browser.js("return document.querySelectorAll('tr.row').length") == 40, message="rows")
    bg = browser.js("return getComputedStyle(document.body).backgroundColor")
    assert bg != "rgb(243, 245, 248)", bg
    browser.screenshot(artifacts / "teams-dark-1366.png")


def test_a_tracked_row_stays_put_when_updates_arrive_while_scrolled(make_server, browser):
    server = make_server(events=roster(120))
    browser.size(1366, 768)
    browser.get(server.url + "/")
    browser.wait_live()
    browser.js("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    tracked = browser.js("""var el = document.elementFromPoint(innerWidth / 2, innerHeight / 3).closest('[data-worker]');
                             return el.id""")
    before = browser.js("return document.getElementById(arguments[0]).getBoundingClientRect().top", tracked)
    version = browser.text("#version")
    # Every agent of the first team takes a second call: rows above grow.
    lines = []
    for i in range(0, 120, 4):
        lines.append(event("call.start", 0, worker="WK%03d" % i, call="X%03d" % i, direction="inbound", via="transfer"))
    server.events.append(*lines)
    wait_for(lambda: browser.text("#version") != version and
             browser.js("return document.querySelectorAll('.card').length") > 60, timeout=10, message="the update")
    after = browser.js("return document.getElementById(arguments[0]).getBoundingClientRect().top", tracked)
    assert abs(after - before) < 2, (before, after)
