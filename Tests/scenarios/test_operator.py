"""What an operator meets running the real binary: the reasons lines are rejected for."""

import json

from conftest import event, wait_for


def test_an_event_ahead_of_the_clock_is_counted_as_clock_skew(serve):
    server = serve("--max-clock-skew", "60")
    server.ingest([event("worker", -10, worker="W1", name="Ada", team="Sales"),
                   event("activity", 3600, worker="W1", activity="Break")])
    status = wait_for(lambda: (lambda s: s if s["linesRejected"] == 1 else None)(json.loads(server.get("/api/status")[2])),
                      message="the rejection")
    assert status["rejectedByCategory"]["clock_skew"] == 1
    assert status["rejectedByCategory"]["schema"] == 0
    assert status["recentRejects"][0]["category"] == "clock_skew"
    assert "ahead of this server's clock" in status["recentRejects"][0]["reason"]
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "clock_skew"}) == 1
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "schema"}) == 0
    wait_for(lambda: "category=clock_skew" in server.log, message="the reject log line")
