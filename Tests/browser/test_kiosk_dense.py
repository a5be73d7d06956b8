"""The kiosk's dense layout: 150 agents on one 1080p screen, 600 on 4K, type of 20 px and up,
nothing that states danger clipped."""

from conftest import event, roster, wait_for
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


def test_150_agents_fit_one_1080p_screen(make_server, browser, artifacts):
    server = make_server(dangerous(150))
    browser.size(1920, 1080)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    layout(browser)
    browser.screenshot(artifacts / "kiosk-dense-1920.png")
    assert browser.js("return window.teamsview.kiosk.dense()")
    assert browser.js("return document.body.dataset.pages") == "1", browser.js(GEOMETRY)
    visible = browser.js("return Array.from(document.querySelectorAll('#board .tile')).filter(t => !t.hidden && t.getBoundingClientRect().bottom <= innerHeight).length")
    assert visible == 150
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
    browser.size(3840, 2160)
    browser.get(server.url + "/kiosk")
    browser.wait_live()
    layout(browser)
    browser.screenshot(artifacts / "kiosk-dense-3840.png")
    assert browser.js("return window.teamsview.kiosk.dense()")
    assert browser.js("return document.body.dataset.pages") == "1", browser.js(GEOMETRY)
    size, where = smallest_text(browser)
    assert size >= 20, "text of %.1f px (%s)" % (size, where)
    assert browser.js(CLIPPED, DANGER) == []
    browser.screenshot(artifacts / "kiosk-dense-3840.png")


def test_normal_tiles_never_clip_muted_or_flags(make_server, browser, artifacts):
    server = make_server(dangerous(40))
    for width, height in ((1366, 768), (1920, 1080)):
        browser.size(width, height)
        browser.get(server.url + "/kiosk")
        browser.wait_live()
        layout(browser)
        assert browser.js(CLIPPED, DANGER) == [], width
        browser.screenshot(artifacts / ("kiosk-%d.png" % width))
