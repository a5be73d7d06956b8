"""The Agents tile says what each figure counts: presence on one line, TaskRouter activities on another, and a
worker no activity was reported for yet is counted as such, not as Away."""

import html
import json
import re

from conftest import event


def tile(server):
    body = html.unescape(server.get("/")[2].decode())
    found = re.search(r'<div class="tile tile--agents">(.*?)</div>', body, re.S)
    assert found
    return found.group(1)


def test_a_worker_with_no_activity_yet_is_not_away(serve):
    server = serve()
    server.ingest([event("worker", -30, worker="W1", name="Ada Break", team="Sales"),
                   event("activity", -20, worker="W1", activity="Break", available=False),
                   event("worker", -30, worker="W2", name="Bob New", team="Sales"),
                   event("worker", -30, worker="W3", name="Cy Ready", team="Sales"),
                   event("activity", -20, worker="W3", activity="Available", available=True)])
    summary = json.loads(server.get("/api/summary")[2])
    assert summary["agentsAway"] == 1 and summary["agentsIdle"] == 1, summary
    assert summary["agentsNoActivity"] == 1, summary
    assert '<a class="pres--unknown" href="/?presence=unknown">No activity yet 1</a>' in tile(server)
    assert 'Away 1</a>' in tile(server)
    # The placeholder activity of a worker no one reported on is not listed as an activity.
    assert "Unknown" not in tile(server)
    workers = json.loads(server.get("/api/workers?presence=unknown")[2])["workers"]
    assert [w["id"] for w in workers] == ["W2"] and workers[0]["presence"] == "unknown"
    # The row says it too.
    row = re.search(r'<tr[^>]*id="w-W2".*?</tr>', server.get("/")[2].decode(), re.S).group(0)
    assert "No activity yet" in row and "Unknown" not in row
    # And the kiosk's tile: no placeholder activity, and no timer counting from nothing.
    kiosk = server.get("/kiosk")[2].decode()
    tile_html = re.search(r'<article[^>]*data-worker="W2".*?</article>', kiosk, re.S).group(0)
    assert "No activity yet" in tile_html and "Unknown" not in tile_html, tile_html
    assert 'class="tile__acttime"></span>' in tile_html, tile_html


def test_an_activity_named_busy_is_not_taken_for_the_busy_presence(serve):
    server = serve()
    server.ingest([event("worker", -30, worker="W1", name="Ada Busy", team="Sales"),
                   event("activity", -20, worker="W1", activity="Busy", available=False),
                   event("worker", -30, worker="W2", name="Bob Call", team="Sales"),
                   event("activity", -20, worker="W2", activity="Available", available=True),
                   event("call.start", -10, worker="W2", call="C1", caller="+15550001")])
    text = re.sub(r"<[^>]+>", "|", tile(server))
    parts = [p for p in text.split("|") if p.strip()]
    # Each line is named: the presence line, then TaskRouter's activities.
    assert parts.index("Doing") < parts.index("Busy 1") < parts.index("TaskRouter activity") < parts.index("Busy 1", parts.index("TaskRouter activity")), parts


def test_the_misroutes_tile_counts_agents_and_says_so(serve):
    server = serve()
    lines = []
    # Ada: two queue calls reach her while she is on a call; Ben: one. Two agents, three misrouted calls.
    for worker, extra in (("W1", 2), ("W2", 1)):
        lines += [event("worker", -60, worker=worker, name="Agent " + worker, team="Sales", capacity={"voice": 4}),
                  event("activity", -60, worker=worker, activity="Available", available=True),
                  event("call.start", -50, worker=worker, call=worker + "-first", queue="Sales", via="queue")]
        lines += [event("call.start", -40 + i, worker=worker, call="%s-q%d" % (worker, i), queue="Sales", via="queue")
                  for i in range(extra)]
    server.ingest(lines)
    body = html.unescape(server.get("/")[2].decode())
    found = re.search(r'tile--misroute[^>]*>.*?<span class="tile__value">(\d+)</span><span class="tile__sub">([^<]*)</span>',
                      body, re.S)
    assert found, body[:2000]
    assert found.group(1) == "2" and found.group(2) == "agents given a queue call while busy"
    assert json.loads(server.get("/api/summary")[2])["misroutes"] == 2
