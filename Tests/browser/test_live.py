"""The supervisor page in a real browser: live patches, timers, stale feed, lost server, pause."""

import json
import threading
import time
import urllib.request

import pytest

from conftest import event, roster, wait_for

ROW_CALLS = "#w-WK001 td.calls"


def test_page_loads_clean_and_goes_live(make_server, browser):
    server = make_server(roster(12))
    browser.get(server.url + "/")
    browser.wait_live()
    assert browser.text("#conn .conn__text") == "Live"
    assert browser.js("return document.getElementById('pause').hidden") is False
    assert browser.console_errors() == []
    assert browser.csp_violations() == []


def test_an_event_changes_the_row_within_a_second_without_reload(make_server, browser):
    server = make_server(roster(12))
    browser.get(server.url + "/")
    browser.wait_live()
    browser.js("window.__sameDocument = 'yes'; window.scrollTo(0, 200);")
    scroll_before = browser.js("return window.scrollY")
    assert "No calls" in browser.text(ROW_CALLS)

    server.events.append(event("call.start", worker="WK001", call="CALIVE1", **{"from": "+15551112222"},
                               queue="Retention", direction="inbound", via="queue"))
    appended = time.monotonic()
    wait_for(lambda: "+15551112222" in (browser.text(ROW_CALLS) or ""), timeout=10, interval=0.02,
             message="the new call in WK001's row")
    elapsed = time.monotonic() - appended
    # The server picks the line up by polling the file (200 ms), then pushes within the coalescing window.
    assert elapsed < 1.0, "the row changed %.2f s after the event" % elapsed
    assert browser.js("return window.__sameDocument") == "yes", "the page reloaded"
    assert abs(browser.js("return window.scrollY") - scroll_before) < 2, "the page scrolled"
    # The summary and team header follow.
    wait_for(lambda: "1 on a call" not in browser.text('[id^="team-retention-"] .team__stats'), timeout=5,
             message="the Retention header to count the new call")
    assert browser.console_errors() == []


def test_new_agents_go_in_their_team_in_order_and_removed_ones_go(make_server, browser):
    server = make_server(roster(8))
    browser.get(server.url + "/")
    browser.wait_live()
    server.events.append(event("worker", worker="WKNEW", name="Aaron Aardvark", team="Billing"),
                         event("worker", worker="WKZ", name="Zoe Zulu", team="Zeta Team"))
    wait_for(lambda: browser.js("return !!document.getElementById('w-WKNEW') && !!document.querySelector('[id^=\"team-zeta-team-\"]')"),
             timeout=10, message="the new agents")
    order = browser.js("return Array.from(document.querySelectorAll('[id^=\"team-billing-\"] tr.row .agent__name')).map(e => e.textContent)")
    assert order[0] == "Aaron Aardvark" and order == sorted(order, key=str.lower), order
    teams = browser.js("return Array.from(document.querySelectorAll('#agents > tbody.team')).map(e => e.id)")
    # Team ids are the slug and a hash of the exact name (names with one slug stay apart).
    assert teams[-1].startswith("team-zeta-team-") and len(teams[-1]) == len("team-zeta-team-") + 8, teams
    assert browser.text("#count").startswith("10 of 10")
    server.events.append(event("worker.remove", worker="WKZ"))
    wait_for(lambda: browser.js("return !document.querySelector('[id^=\"team-zeta-team-\"]')"), timeout=10,
             message="the emptied team to go")
    assert browser.text("#count").startswith("9 of 9")


def test_a_held_calls_hold_timer_ticks(make_server, browser):
    server = make_server(roster(8))
    browser.get(server.url + "/")
    browser.wait_live()
    # A held card leads with its hold time.
    timer = "#w-WK004 .card--held .card__timer time"
    first = wait_for(lambda: browser.text(timer), timeout=10, message="the hold timer")
    wait_for(lambda: browser.text(timer) != first, timeout=5, interval=0.1, message="the hold timer to tick")
    # It counts from the hold start (~40 s ago), on the server's clock.
    seconds = browser.js("var t = document.querySelector(arguments[0]); return (window.teamsview.serverNow() - Number(t.dataset.since)) / 1000", timer)
    assert 35 <= seconds <= 120


def test_a_silent_feed_shows_the_stale_banner_and_an_event_clears_it(make_server, browser):
    server = make_server(roster(6), args=["--stale-after", "3"])
    browser.get(server.url + "/")
    browser.wait_live()
    # Keep the feed alive until the page is live, then stop.
    server.events.append(event("heartbeat"))
    wait_for(lambda: browser.js("var b = document.getElementById('stale-banner'); return !b.hidden && b.dataset.kind === 'feed'"),
             timeout=20, message="the stale-feed banner")
    text = browser.text("#stale-banner")
    assert "feed silent since" in text.lower() and "as of then" in text.lower(), text
    assert browser.live_state() == "live", "the connection itself is fine"
    # ... but its mark is not a green "Live" while the feed is silent.
    wait_for(lambda: browser.text("#conn .conn__text") == "Connected · feed silent", timeout=5, message="the mark saying the feed is silent")
    assert "is-stale" in browser.js("return document.getElementById('conn').className")
    assert "is-live" not in browser.js("return document.getElementById('conn').className")
    server.events.append(event("heartbeat"))  # heartbeat events count as life
    wait_for(lambda: browser.js("return document.getElementById('stale-banner').hidden"), timeout=10,
             message="the banner to clear after a heartbeat event")
    wait_for(lambda: browser.text("#conn .conn__text") == "Live", timeout=5, message="the mark green again")


class FeedMessages:
    """Reads a /live stream of the server on a thread, noting when each `feed` message arrives (monotonic)."""

    def __init__(self, server):
        self.times = []
        self.response = urllib.request.urlopen(server.url + "/live", timeout=60)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        try:
            for raw in self.response:
                if raw.startswith(b"event: feed"):
                    self.times.append(time.monotonic())
        except Exception:  # closed at the end of the test
            pass

    def close(self):
        self.response.close()


def post(server, *events):
    body = "".join(json.dumps(e) + "\n" for e in events).encode("utf-8")
    request = urllib.request.Request(server.url + "/ingest", data=body, method="POST",
                                     headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 200


BANNER_FEED = "var b = document.getElementById('stale-banner'); return !b.hidden && b.dataset.kind === 'feed'"


@pytest.mark.parametrize("resumed_by", ["heartbeat", "call"])
def test_an_event_after_silence_clears_the_stale_banner_with_the_update_it_brings(make_server, browser, resumed_by):
    # Silent after 12 s: the server looks at the feed's state every 3 s, and sends it every 5 s besides.
    server = make_server(roster(6), args=["--stale-after", "12", "--heartbeat", "5"])
    browser.get(server.url + "/")
    browser.wait_live()
    server.events.append(event("heartbeat"))
    wait_for(lambda: browser.js(BANNER_FEED), timeout=40, message="the stale-feed banner")
    # Just after the server's periodic feed message, so the next one is seconds away: the event's own update
    # must clear the banner.
    feed = FeedMessages(server)
    try:
        seen = len(feed.times)
        wait_for(lambda: len(feed.times) > seen, timeout=10, interval=0.01, message="a periodic feed message")
        if resumed_by == "heartbeat":
            post(server, event("heartbeat"))  # changes no row: no rows message
        else:
            post(server, event("call.start", worker="WK001", call="CARESUME", **{"from": "+15551113333"},
                               queue="Retention", direction="inbound", via="queue"))
        posted = time.monotonic()
        wait_for(lambda: browser.js("return document.getElementById('stale-banner').hidden"), timeout=5, interval=0.02,
                 message="the banner to clear")
        took = time.monotonic() - posted
        assert took <= 1.5, "the stale banner stayed %.1f s after an event arrived" % took
        assert browser.text("#conn .conn__text") == "Live"
        if resumed_by == "call":
            assert "CARESUME" in browser.js("return document.getElementById('w-WK001').innerHTML")
    finally:
        feed.close()


def test_a_replayed_old_file_says_its_events_are_old(make_server, browser):
    days = 3 * 86400
    old = [event("worker", -days - 60, worker="OLD%d" % i, name="Old Agent %d" % i, team="Sales") for i in range(4)]
    old += [event("call.start", -days, worker="OLD0", call="COLD0", **{"from": "+15550000000"}, queue="Sales",
                  direction="inbound", via="queue")]
    server = make_server(old, args=["--stale-after", "5"])
    browser.get(server.url + "/")
    browser.wait_live()
    # Lines keep arriving (the feed is not silent) but every event in them is days old.
    for i in range(3):
        server.events.append(event("activity", -days - 30 + i, worker="OLD1", activity="Break %d" % i))
        time.sleep(0.5)
    wait_for(lambda: browser.js("var b = document.getElementById('stale-banner'); return !b.hidden && b.dataset.kind === 'feed'"),
             timeout=10, message="the old-events banner")
    text = browser.text("#stale-banner")
    assert text.startswith("Old events: the newest is from ") and "3 d 0 h ago" in text, text
    assert browser.text("#conn .conn__text") == "Connected · old events"
    assert browser.js("return getComputedStyle(document.getElementById('stale-banner')).display") != "none"
    # The page as served says the same before any script runs.
    assert "Old events: the newest is from" in server.get("/")


def test_killing_the_server_shows_disconnected_and_it_recovers_by_itself(make_server, browser):
    server = make_server(roster(8))
    browser.get(server.url + "/")
    browser.wait_live()
    server.kill()
    wait_for(lambda: browser.live_state() == "down", timeout=30, message="the page to notice the server is gone")
    assert "Disconnected" in browser.text("#conn .conn__text")
    wait_for(lambda: browser.js("var b = document.getElementById('stale-banner'); return !b.hidden && b.dataset.kind === 'down'"),
             timeout=5, message="the lost-connection banner")
    assert "lost the connection" in browser.text("#stale-banner").lower()

    server.start()
    wait_for(lambda: browser.live_state() == "live", timeout=60, interval=0.2, message="the page to reconnect")
    wait_for(lambda: browser.js("return document.getElementById('stale-banner').hidden"), timeout=10,
             message="the banner to clear")
    # And it is really live again.
    server.events.append(event("call.start", worker="WK002", call="CAAFTER", **{"from": "+15553334444"},
                               direction="inbound", via="queue"))
    wait_for(lambda: "+15553334444" in (browser.text("#w-WK002 td.calls") or ""), timeout=10,
             message="an event after the restart")
    errors = [e for e in browser.console_errors() if "/live" not in e.get("message", "")]
    assert errors == [], "only the stream's own connection errors are expected"


def test_pause_stops_live_changes_and_resume_catches_up(make_server, browser):
    server = make_server(roster(8))
    browser.get(server.url + "/")
    browser.wait_live()
    browser.driver.find_element("id", "pause").click()
    assert browser.live_state() == "paused"
    assert browser.js("return document.getElementById('pause').getAttribute('aria-pressed')") == "true"
    server.events.append(event("call.start", worker="WK002", call="CAPAUSE", **{"from": "+15557778888"},
                               direction="inbound", via="queue"))
    time.sleep(1.5)  # a negative check needs some time; the positive one below polls
    assert "+15557778888" not in browser.text("#w-WK002 td.calls")
    browser.driver.find_element("id", "pause").click()
    wait_for(lambda: "+15557778888" in (browser.text("#w-WK002 td.calls") or ""), timeout=10,
             message="the change made while paused")
    assert browser.live_state() == "live"


def test_filters_in_the_query_string_apply_to_the_stream(make_server, browser):
    server = make_server(roster(8))
    browser.get(server.url + "/?team=Sales")
    browser.wait_live()
    server.events.append(event("worker", worker="WKB", name="Bea Billing", team="Billing"),
                         event("worker", worker="WKS", name="Sam Sales", team="Sales"))
    wait_for(lambda: browser.js("return !!document.getElementById('w-WKS')"), timeout=10, message="the Sales newcomer")
    assert browser.js("return document.getElementById('w-WKB')") is None
    assert browser.js("return document.querySelectorAll('#agents > tbody.team').length") == 1


def test_an_evicted_view_tells_the_page_which_comes_back_later_and_resyncs(make_server, browser):
    # A budget so small that a view opened elsewhere evicts the page's (the most recent view stays).
    server = make_server(roster(8), args=["--live-views-memory-bytes", "1"])
    browser.get(server.url + "/")
    browser.wait_live()
    other = urllib.request.urlopen(server.url + "/live?q=zz", timeout=30)
    try:
        wait_for(lambda: browser.live_state() == "down", timeout=10, message="the page to hear its view was evicted")
        asked = time.monotonic()
        # The server asked for 10 s or more: not the 1 s of a first lost connection.
        wait_for(lambda: browser.live_state() != "down", timeout=30, interval=0.2, message="the page to reconnect")
        assert time.monotonic() - asked >= 9
        browser.wait_live()
        server.events.append(event("call.start", worker="WK002", call="CAEVICT", **{"from": "+15553330000"},
                                   direction="inbound", via="queue"))
        wait_for(lambda: "+15553330000" in (browser.text("#w-WK002 td.calls") or ""), timeout=10,
                 message="an event after the page came back")
    finally:
        other.close()
    errors = [e for e in browser.console_errors() if "/live" not in e.get("message", "")]
    assert errors == []


# Visible text that says the page waits for events (the banner, the empty board), in document order.
WAITING_TEXTS = """
return Array.from(document.querySelectorAll('#stale-banner, #empty'))
  .filter(function (e) { return !e.hidden && e.offsetParent !== null && /Waiting/.test(e.textContent); })
  .map(function (e) { return e.textContent.trim(); });
"""


# Whether the first element matching a selector is displayed.
SHOWN = "var e = document.querySelector('%s'); return !!e && !e.hidden && getComputedStyle(e).display !== 'none';"


def test_a_followed_file_that_does_not_exist_is_said_once_and_the_connection_is_not_green(binary, tmp_path, artifacts,
                                                                                        browser):
    from conftest import EventFile, Server
    feed = EventFile(tmp_path / "later.ndjson")
    feed.path.unlink()
    server = Server(binary, feed, log=artifacts / "server.log").start()
    try:
        for path in ("/kiosk", "/"):
            browser.get(server.url + path)
            browser.wait_live()
            wait_for(lambda: browser.text("#conn .conn__text") == "Connected · no events yet", timeout=10,
                     message="the connection saying no events yet (%s)" % path)
            assert "is-live" not in browser.js("return document.getElementById('conn').className"), path
            said = browser.js(WAITING_TEXTS)
            assert said == ["Waiting for events: %s does not exist yet." % feed.path], (path, said)
        # The empty Teams View says why right under the table's head: no legend, no "no rows" pager before it.
        assert browser.js(SHOWN % "#legend") is False and browser.js(SHOWN % ".pager") is False
        assert browser.js("return document.querySelector('#agents').nextElementSibling.id") == "empty"
        # The file comes with a line: the page is live, and the legend is back under the agent.
        feed.append(event("worker", -1, worker="LATE1", name="Late Comer", team="Sales"))
        wait_for(lambda: browser.text("#conn .conn__text") == "Live", timeout=10, message="Live once a line came")
        assert "is-live" in browser.js("return document.getElementById('conn').className")
        wait_for(lambda: browser.js(SHOWN % "#legend") is True, timeout=10, message="the legend once an agent came")
        assert browser.js(SHOWN % "#empty") is False
        assert browser.console_errors() == []
    finally:
        server.stop()
