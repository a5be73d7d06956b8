"""Event text that tries to break out of the markup, in a real browser: every field a producer controls, with a
quote or an angle bracket followed by a combining mark (one grapheme: a Character-by-Character escaper leaves the
quote as it is and the rest becomes attributes of the page)."""

import urllib.parse

from conftest import event, wait_for

# `"` + U+0301 ends a double-quoted attribute; what follows would be attributes of the attacker's choosing.
BREAKOUT = 'x"\u0301 onmouseover=window.__pwned=1 data-pwned="'
TAG = '<\u0301img src=x onerror=window.__pwned=1>'
APOSTROPHE = "y'\u0301 onfocus=window.__pwned=1 data-pwned='"

# Every element's attributes: none may be an event handler or the marker the payloads add.
INJECTED = """
var bad = [];
document.querySelectorAll('*').forEach(function (el) {
  for (var i = 0; i < el.attributes.length; i++) {
    var name = el.attributes[i].name;
    if (name.indexOf('on') === 0 || name.indexOf('pwned') >= 0 || name === 'src' && el.tagName === 'IMG')
      bad.push(el.tagName + ' ' + name);
  }
});
return bad.concat(window.__pwned ? ['ran'] : []);
"""


def hostile_floor():
    worker = dict(worker="WK" + "1", name="Ada " + BREAKOUT, team="Sales " + BREAKOUT, skills=["billing" + TAG, APOSTROPHE],
                  capacity={"voice": 2, "chat" + BREAKOUT: 1})
    return [
        event("worker", -300, **worker),
        event("activity", -300, worker="WK1", activity="Break " + BREAKOUT, available=False),
        event("call.start", -120, worker="WK1", call="CA1" + BREAKOUT, queue="Support " + BREAKOUT,
              direction="inbound", via="queue", **{"from": "+1555 " + BREAKOUT + TAG}),
        event("call.start", -60, worker="WK1", call="CA2", queue="Sales " + APOSTROPHE, direction="inbound", via="queue",
              **{"from": APOSTROPHE}),
        event("task.start", -30, worker="WK1", task="TA1", channel="chat" + BREAKOUT, queue=TAG,
              **{"from": "chat " + BREAKOUT}),
    ]


def test_event_text_never_adds_attributes_or_elements_to_any_page(make_server, browser):
    server = make_server(hostile_floor())
    wait_for(lambda: "WK1" in server.get("/api/workers"), message="the hostile worker")
    # Its text is shown as text.
    page = server.get("/")
    assert "onmouseover=window.__pwned=1" in page.replace("&quot;", '"') and "&quot;\u0301" in page, "the text is on the page, escaped"
    for path in ("/", "/kiosk", "/?q=" + urllib.parse.quote("Ada"), "/?team=" + urllib.parse.quote("Sales " + BREAKOUT),
                 "/report/agent/WK1", "/report", "/incidents"):
        browser.get(server.url + path)
        wait_for(lambda: browser.js("return document.readyState") == "complete", message=path)
        assert browser.js(INJECTED) == [], path
    # Patched in live (a row rendered for the stream, not the page).
    browser.get(server.url + "/")
    browser.wait_live()
    server.events.append(event("call.hold", 0, worker="WK1", call="CA1" + BREAKOUT))
    wait_for(lambda: browser.js("return !!document.querySelector('.card--held')"), timeout=10, message="the live hold")
    assert browser.js(INJECTED) == []
