"""What an operator meets starting and running the real binary: start failures that say what is wrong and
exit non-zero, files waited for with --follow, the reasons lines are rejected for, and `serve --help`."""

import datetime
import html
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ROOT, event, open_live, wait_for


def run_to_exit(binary, *args, timeout=30):
    """Runs `teamsview serve ARGS` expecting it to stop by itself; (exit status, standard error)."""
    done = subprocess.run([binary, "serve", "--in-memory", *[str(a) for a in args]], cwd=str(ROOT),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    return done.returncode, done.stderr.decode("utf-8", "replace")


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


def test_an_event_from_a_clock_running_ahead_is_taken_when_it_arrived_and_counted(serve):
    # A producer two minutes ahead, inside --max-clock-skew: its call must not read 0:00 for two minutes,
    # nor its event be "just now" while the feed goes quiet.
    server = serve()
    before = time.time()
    status, reply = server.ingest([event("call.start", 120, worker="W1", call="C1", queue="Sales", via="queue")])
    assert status == 200 and reply["accepted"] == 1, reply
    after = time.time()
    workers = json.loads(server.get("/api/workers")[2])
    since = workers["workers"][0]["calls"][0]["since"]
    started = datetime.datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
    assert before - 1 <= started <= after + 1, (since, before, after)
    stats = json.loads(server.get("/api/status")[2])
    assert stats["eventsAheadOfClock"] == 1, stats
    assert stats["linesRejected"] == 0
    assert server.metric("teamsview_ingest_ahead_of_clock_events_total") == 1
    time.sleep(2.2)
    summary = json.loads(server.get("/api/summary")[2])
    assert summary["lastEventAgeSeconds"] >= 2, summary
    # An event on time is not counted.
    server.ingest([event("call.end", 0, worker="W1", call="C1")])
    assert json.loads(server.get("/api/status")[2])["eventsAheadOfClock"] == 1


def test_an_unset_clock_is_rejected_and_a_year_old_call_does_not_stall_the_reports(serve):
    # No age limit, as when replaying recorded traffic: the year-old call is taken.
    server = serve("--in-memory", "--max-event-age", "0")
    for unset in ("1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z"):
        status, reply = server.ingest([{"type": "call.start", "at": unset, "worker": "W0", "call": "C0",
                                        "queue": "Sales", "via": "queue"}])
        assert reply["rejected"] == 1, reply
        assert "before 2000-01-01" in json.dumps(reply), reply
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "clock_skew"}) == 2
    # A call opened a year ago, then the feed moves on: the reports accrue a week of it at most, and the
    # operator pages, the reports and a stop all still answer.
    server.ingest([event("call.start", -365 * 86400, worker="W1", call="C1", queue="Sales", via="queue"),
                   event("activity", 0, worker="W2", activity="Available")])
    wait_for(lambda: server.metric("teamsview_reports_events_total", timeout=10) >= 2, timeout=20,
             message="the reports to count both events")
    for path in ("/metrics", "/status", "/report", "/incidents"):
        assert server.get(path, timeout=10)[0] == 200, path
    server.process.send_signal(15)
    server.process.wait(15)


def test_events_from_years_ago_are_rejected_as_too_old_and_counted(serve):
    server = serve("--in-memory")
    old = [{"type": "call.start", "at": "2000-03-01T09:00:00Z", "worker": "W1", "call": "OLD1", "queue": "Sales",
            "via": "queue"},
           {"type": "call.hold", "at": "2000-03-01T09:01:00Z", "worker": "W1", "call": "OLD1"},
           {"type": "activity", "at": "2001-06-01T09:00:00Z", "worker": "W2", "activity": "Break"}]
    status, reply = server.ingest([event("worker", -10, worker="W1", name="Ada", team="Sales"), *old,
                                   event("call.start", -2 * 86400, worker="W1", call="TWO_DAYS", queue="Sales"),
                                   event("call.start", -5, worker="W1", call="NOW", queue="Sales", via="transfer")])
    assert status == 200 and reply["accepted"] == 3 and reply["rejected"] == 3, reply
    assert [e["index"] for e in reply["errors"]] == [1, 2, 3], reply
    # The answer's `line` is the number the log and /api/status give the same line.
    assert [e["line"] for e in reply["errors"]] == [2, 3, 4], reply
    recent = json.loads(server.get("/api/status")[2])["recentRejects"]
    assert sorted(r["lineNumber"] for r in recent if r["source"].startswith("POST /ingest")) == [2, 3, 4], recent
    assert all("behind this server's clock" in e["reason"] and "--max-event-age" in e["reason"] for e in reply["errors"])
    # The floor shows only what is recent enough to be live: no hold of decades, no worker W2 on a break since 2001.
    _, _, body = server.get("/api/workers")
    floor = {w["id"]: w for w in json.loads(body)["workers"]}
    assert sorted(c["id"] for c in floor["W1"]["calls"]) == ["NOW", "TWO_DAYS"], floor["W1"]["calls"]
    assert "W2" not in floor
    status = json.loads(server.get("/api/status")[2])
    assert status["rejectedByCategory"]["too_old"] == 3 and status["rejectedByCategory"]["clock_skew"] == 0
    assert status["recentRejects"][0]["category"] == "too_old"
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "too_old"}) == 3
    assert "too_old 3" in server.get("/status")[2].decode()
    # A tighter limit rejects a line two days old; --max-event-age 0 replays recorded traffic of any age.
    tight = serve("--in-memory", "--max-event-age", "86400")
    assert tight.ingest([event("call.start", -2 * 86400, worker="W1", call="TWO_DAYS", queue="Sales")])[1]["rejected"] == 1
    replay = serve("--in-memory", "--max-event-age", "0")
    assert replay.ingest(old)[1]["accepted"] == 3


def test_a_port_in_use_says_which_and_exits_non_zero(binary):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        code, log = run_to_exit(binary, "--port", port)
    finally:
        holder.close()
    assert code != 0, log
    assert "cannot listen on 127.0.0.1:%d: Address already in use" % port in log, log
    assert "port 0" not in log and "cannotBind" not in log, log


def test_a_missing_event_file_fails_at_start(binary, tmp_path):
    missing = tmp_path / "nowhere.ndjson"
    code, log = run_to_exit(binary, "--port", "0", "--events", missing)
    assert code != 0, log
    assert "cannot read the event file %s: No such file or directory" % missing in log, log
    assert "serving http" not in log
    code, log = run_to_exit(binary, "--port", "0", "--events", tmp_path)
    assert code != 0 and "is a directory" in log, log


def test_a_missing_followed_file_is_waited_for_and_shown(serve, tmp_path):
    later = tmp_path / "later.ndjson"
    server = serve("--events", later, "--follow")
    wait_for(lambda: "waiting for %s to appear" % later in server.log, message="the waiting log line")
    status = json.loads(server.get("/api/status")[2])
    assert status["waitingForFiles"] == [str(later)]
    assert str(later) in server.get("/status")[2].decode()
    later.write_text(json.dumps(event("worker", -5, worker="LATE1", name="Late Comer", team="Sales")) + "\n")
    wait_for(lambda: b"LATE1" in server.get("/api/workers")[2], message="the file's event")
    assert json.loads(server.get("/api/status")[2])["waitingForFiles"] == []
    assert str(later) not in server.get("/status")[2].decode()


def empty_board(page):
    found = re.search(r'<p class="k?empty" id="empty"( hidden)?>(.*?)</p>', page, re.S)
    return (found.group(1) is None, html.unescape(re.sub(r"<[^>]+>", "", found.group(2))).strip()) if found else None


def test_the_empty_board_says_it_waits_for_a_followed_file_not_that_filters_match_nothing(serve, tmp_path):
    later = tmp_path / "later <b>.ndjson"
    server = serve("--events", later, "--follow")
    wait_for(lambda: "to appear" in server.log, message="the waiting log line")
    said = "Waiting for events: %s does not exist yet." % later
    for path in ("/", "/kiosk", "/kiosk?team=Sales"):
        shown, text = empty_board(server.get(path)[2].decode())
        assert shown and text.startswith(said), (path, text)
        assert "match these filters" not in text, (path, text)
        # Said once: the stale banner, hidden, does not say "Waiting for the first event." besides.
        page = server.get(path)[2].decode()
        assert re.search(r'id="stale-banner" role="alert" hidden>', page), path
        assert page.count("Waiting for") == 1, (path, page.count("Waiting for"))
    # The path is escaped like everything else.
    assert "later <b>" not in server.get("/")[2].decode()
    # The file comes: the board shows its agent.
    later.write_text(json.dumps(event("worker", -5, worker="LATE1", name="Late Comer", team="Sales")) + "\n")
    wait_for(lambda: b"LATE1" in server.get("/api/workers")[2], message="the file's event")
    for path in ("/", "/kiosk?team=Sales"):
        page = server.get(path)[2].decode()
        assert "Late Comer" in page and not empty_board(page)[0], path
    # Filters that let nobody through say so now that someone is on the floor.
    assert empty_board(server.get("/?q=zzz")[2].decode()) == (True, "No agents match these filters. Show all agents")


def test_serve_help_lists_the_basic_options_first(binary):
    text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    basic = [text.index(o) for o in ("--host", "--port", "--events", "--follow", "--demo ")]
    later = [text.index(o) for o in ("--data-dir", "--users", "--max-line-bytes", "--tls-cert")]
    assert max(basic) < min(later), text[:2000]


def test_events_refused_at_the_worker_cap_are_rejections_with_their_reason(serve):
    server = serve("--max-workers", "2")
    status, reply = server.ingest([event("worker", -10, worker="W%d" % i, name="Agent %d" % i, team="Sales")
                                   for i in range(3)])
    assert status == 200, reply
    assert reply["accepted"] == 2 and reply["rejected"] == 1, reply
    assert reply["events"] == 2, reply
    assert reply["errors"][0]["index"] == 2 and "--max-workers" in reply["errors"][0]["reason"], reply
    assert 'worker "W2"' in reply["errors"][0]["reason"], reply
    status = json.loads(server.get("/api/status")[2])
    assert status["refusedAtCap"] == {"workers": 1, "callsPerWorker": 0}, status
    assert status["eventsApplied"] == 2, status
    assert status["rejectedByCategory"]["registry_cap"] == 1
    assert status["recentRejects"][0]["category"] == "registry_cap"
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "registry_cap"}) == 1
    assert server.metric("teamsview_registry_refused_events_total", {"cap": "workers"}) == 1
    assert [w["id"] for w in json.loads(server.get("/api/workers")[2])["workers"]] == ["W0", "W1"]


def test_a_post_says_an_empty_body_and_how_many_errors_it_left_out(serve):
    server = serve()
    status, reply = server.post_raw(b"")
    assert status == 400 and "empty body" in reply["error"], reply
    status, reply = server.post_raw(b"\n  \n")
    assert status == 400 and "only blank lines" in reply["error"], reply
    status, reply = server.post_raw(b"not json\n" * 105)
    assert status == 422 and reply["rejected"] == 105, reply
    assert len(reply["errors"]) == 100 and reply["errorsNotListed"] == 5, {k: reply[k] for k in reply if k != "errors"}
    status, reply = server.post_raw(b"not json\n" * 3)
    assert "errorsNotListed" not in reply and "error" not in reply, reply


def test_a_post_says_in_its_status_and_a_header_when_lines_were_rejected(serve):
    server = serve("--in-memory", "--cors-origin", "https://flex.twilio.com")
    good = (json.dumps(event("heartbeat")) + "\n").encode()
    bad = b'not json\n{"type":"call.explode","at":"2026-11-25T09:00:00Z"}\n'
    # Every line taken: 200, as ever, and the header says none was rejected.
    status, headers, body = server.post("/ingest", good * 2)
    assert status == 200 and headers["Teamsview-Rejected"] == "0", headers
    assert json.loads(body)["accepted"] == 2
    # Some lines rejected: still 200 (the others are in), and the header counts the rejected ones.
    status, headers, body = server.post("/ingest", good + bad + good)
    reply = json.loads(body)
    assert status == 200 and headers["Teamsview-Rejected"] == "2", (status, headers)
    assert reply["accepted"] == 2 and reply["rejected"] == 2 and [e["line"] for e in reply["errors"]] == [2, 3], reply
    # Every line rejected: 422, with the same JSON, whether lines or an array.
    status, headers, body = server.post("/ingest", bad)
    reply = json.loads(body)
    assert status == 422 and headers["Teamsview-Rejected"] == "2", (status, headers)
    assert reply["accepted"] == 0 and reply["rejected"] == 2 and "error" not in reply, reply
    assert [e["line"] for e in reply["errors"]] == [1, 2] and "not JSON" in reply["errors"][0]["reason"], reply
    status, headers, body = server.post("/ingest", b'[{"type":"call.explode","at":"2026-11-25T09:00:00Z"}]',
                                        {"Content-Type": "application/json"})
    assert status == 422 and headers["Teamsview-Rejected"] == "1" and json.loads(body)["rejected"] == 1, (status, body)
    # No event line at all is still a bad request.
    status, headers, body = server.post("/ingest", b"\n\n")
    assert status == 400 and "only blank lines" in json.loads(body)["error"], body
    # A browser on an allowed origin may read the header too.
    status, headers, _ = server.post("/ingest", good + bad, {"Origin": "https://flex.twilio.com"})
    assert status == 200 and headers["Teamsview-Rejected"] == "2", headers
    assert "Teamsview-Rejected" in headers.get("Access-Control-Expose-Headers", ""), headers
    # Posts refused whole are counted by why: two with every line rejected, one without an event line.
    assert server.metric("teamsview_ingest_refused_posts_total", {"reason": "all-rejected"}) == 2
    assert server.metric("teamsview_ingest_refused_posts_total", {"reason": "unreadable"}) == 1
    assert server.metric("teamsview_ingest_rejected_lines_total", {"reason": "json"}) == 3
    # The OpenAPI description says as much.
    ingest = json.loads(server.get("/api/openapi.json")[2])["paths"]["/ingest"]["post"]["responses"]
    assert {"200", "422", "400"} <= set(ingest) and "Teamsview-Rejected" in ingest["200"]["headers"], ingest


def test_option_errors_say_the_accepted_form(binary):
    code, log = run_to_exit(binary, "--port", "-1")
    assert code != 0 and "--port" in log and "0 to 65535" in log and "-1" in log, log
    code, log = run_to_exit(binary, "--port", "70000")
    assert code != 0 and "0 to 65535" in log and "70000" in log, log
    code, log = run_to_exit(binary, "--hold-thresholds", "180,60")
    assert code != 0 and "warn,alert" in log and "180,60" in log and "alert below warn" in log, log
    code, log = run_to_exit(binary, "--hold-thresholds", "abc")
    assert code != 0 and "warn,alert" in log and "abc" in log, log


def test_users_add_refuses_to_replace_a_user_unless_asked(binary, tmp_path):
    users = tmp_path / "users.json"
    secret = tmp_path / "pw"
    secret.write_text("correct horse battery\n")

    def add(name, teams, *extra):
        return subprocess.run([binary, "users", "add", name, "--teams", teams, "--users", str(users),
                               "--password-file", str(secret), "--cost", "4", *extra],
                              capture_output=True, text=True, timeout=30)

    assert add("ana", "Team A").returncode == 0
    before = users.read_bytes()
    again = add("ana", "*")
    assert again.returncode == 1, (again.returncode, again.stdout)
    assert "ana is already in" in again.stderr and "--replace" in again.stderr, again.stderr
    assert "Usage" not in again.stderr, again.stderr
    assert users.read_bytes() == before
    replaced = add("ana", "*", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "replaced" in replaced.stdout
    listed = subprocess.run([binary, "users", "list", "--users", str(users)], capture_output=True, text=True).stdout
    assert listed.strip() == "ana\tteams: *", listed


def test_ndjson_labelled_a_form_is_read_as_ndjson(serve):
    # What `curl -d @file` and urllib send: NDJSON with Content-Type application/x-www-form-urlencoded.
    server = serve("--in-memory")
    body = "".join(json.dumps(e) + "\n" for e in [
        event("worker", -10, worker="W1", name="Ada", team="Sales"),
        event("activity", -5, worker="W1", activity="Available")]).encode()
    status, _, reply = server.post("/ingest", body, {"Content-Type": "application/x-www-form-urlencoded"})
    reply = json.loads(reply)
    assert status == 200 and reply["accepted"] == 2 and reply["rejected"] == 0, reply
    assert [w["name"] for w in json.loads(server.get("/api/workers")[2])["workers"]] == ["Ada"]


def test_users_commands_say_what_is_wrong_without_the_usage_text(binary, tmp_path):
    users = tmp_path / "users.json"

    def users_cmd(*args, password="longenough1"):
        secret = tmp_path / "pw"
        secret.write_text(password + "\n")
        done = subprocess.run([binary, "users", *args, "--users", str(users), "--password-file", str(secret),
                               "--cost", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        return done.returncode, done.stdout.decode() + done.stderr.decode()

    code, out = users_cmd("add", "alice", "--teams", "Sales", password="short")
    assert code == 1 and "at least 8 characters" in out and "Usage" not in out, out
    assert users_cmd("add", "alice", "--teams", "Sales")[0] == 0
    code, out = users_cmd("add", "ALICE", "--teams", "Sales")
    assert code == 1 and "only in case" in out and "Usage" not in out, out
    code, out = users_cmd("add", "bob", "--teams", "*,Sales")
    assert code != 0 and "not both" in out, out
    done = subprocess.run([binary, "users", "remove", "nobody", "--users", str(users)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out = done.stderr.decode()
    assert done.returncode == 1 and "no user nobody" in out and "Usage" not in out, out


def test_an_agent_never_seen_is_a_plain_404_for_curl_and_a_page_for_a_browser(serve):
    server = serve("--in-memory")
    server.ingest([event("worker", -10, worker="KNOWN1", name="Ada Okafor", team="Sales")])
    wait_for(lambda: server.get("/report/agent/KNOWN1")[0] == 200, timeout=20, message="the reports to know KNOWN1")
    # What curl sends: the reason as one line of plain text with the 404.
    status, headers, body = server.get("/report/agent/UNKNOWN", headers={"Accept": "*/*"})
    assert status == 404
    assert headers["Content-Type"].startswith("text/plain"), headers
    text = body.decode()
    assert text.count("\n") == 1 and text.endswith("\n") and "no such agent" in text, text
    assert "<" not in text
    # No Accept at all reads the same.
    status, headers, _ = server.get("/report/agent/UNKNOWN")
    assert status == 404 and headers["Content-Type"].startswith("text/plain"), headers
    # A browser gets the site's refusal page with the same reason and a way back to the report.
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    status, headers, body = server.get("/report/agent/UNKNOWN", headers=browser)
    page = body.decode()
    assert status == 404 and headers["Content-Type"].startswith("text/html"), headers
    assert "<h1>Not found" in page and text.strip() in page and 'href="/report"' in page
    # A known agent's day is still its page, whoever asks.
    status, headers, body = server.get("/report/agent/KNOWN1", headers={"Accept": "*/*"})
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Ada Okafor" in body


def test_an_unknown_path_is_a_404_page_for_a_browser_and_plain_text_for_curl(serve):
    server = serve("--in-memory")
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    status, headers, body = server.get("/nope", headers=browser)
    page = body.decode()
    assert status == 404 and headers["Content-Type"].startswith("text/html"), headers
    assert "<h1>Not found" in page and "no page at /nope" in page and 'href="/"' in page, page
    # The path, from the client, is escaped on the page.
    status, headers, body = server.get("/%3Cscript%3Ealert(1)%3C/script%3E", headers=browser)
    page = body.decode()
    assert status == 404 and headers["Content-Type"].startswith("text/html"), headers
    assert "no page at /&lt;script&gt;alert(1)&lt;/script&gt;" in page, page
    assert "<script>alert" not in page
    # What curl sends, or no Accept at all: the reason as one line of plain text.
    for accept in ({"Accept": "*/*"}, {}):
        status, headers, body = server.get("/nope", headers=accept)
        assert status == 404 and headers["Content-Type"].startswith("text/plain"), headers
        assert body == b"no page at /nope\n", body
    # Under /api/ the answer is the API's JSON refusal, whoever asks.
    status, headers, body = server.get("/api/nope", headers=browser)
    assert status == 404 and headers["Content-Type"].startswith("application/json"), headers
    assert json.loads(body) == {"error": "no such endpoint: /api/nope"}
    # A known path asked with a method it does not answer is still 405 with the methods it does.
    request = urllib.request.Request(server.url + "/", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("DELETE / was answered")
    except urllib.error.HTTPError as refused:
        assert refused.code == 405 and refused.headers["Allow"] == "GET, HEAD", dict(refused.headers)
    # Each refusal is counted by status class on /metrics, for an alert on a rise of 4xx or any 5xx.
    assert server.metric("teamsview_http_responses_total", {"code": "4xx"}) == 6
    assert server.metric("teamsview_http_responses_total", {"code": "5xx"}) == 0
    assert server.metric("teamsview_http_responses_total", {"code": "2xx"}) >= 1


def test_metrics_carry_the_process_figures_every_prometheus_client_exports(serve, binary):
    server = serve("--in-memory", "--no-reports")
    rss = server.rss_bytes()
    resident = server.metric("process_resident_memory_bytes")
    # The same resident set as the kernel's, within what a scrape allocates.
    assert rss > 0 and abs(resident - rss) < 0.25 * rss, (resident, rss)
    assert server.metric("process_virtual_memory_bytes") > resident
    descriptors = len(os.listdir("/proc/%d/fd" % server.process.pid))
    assert abs(server.metric("process_open_fds") - descriptors) <= 3, descriptors
    assert server.metric("process_max_fds") >= server.metric("process_open_fds")
    assert abs(server.metric("process_start_time_seconds") - time.time()) < 60
    cpu = server.metric("process_cpu_seconds_total")
    assert cpu > 0
    # The heap's own figures: what the process holds is part of its resident set, beside the code and the freed
    # memory the allocator keeps.
    heap = server.metric("teamsview_heap_in_use_bytes")
    assert 0 < heap < resident, (heap, resident)
    assert server.metric("teamsview_heap_free_bytes") >= 0
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    assert version and server.metric("teamsview_build_info", {"version": version}) == 1


def test_a_burst_of_events_then_quiet_hands_the_freed_heap_back(serve):
    server = serve("--in-memory", "--no-reports")
    before = server.metric("teamsview_heap_trims_total")
    # 120,000 events in 12 bodies: 2,000 agents, each on a call it holds and resumes in turn.
    sid = lambda prefix, i: "%s%032x" % (prefix, i * 2654435761 % (1 << 127))
    for chunk in range(12):
        lines = []
        for n in range(10_000):
            i = chunk * 10_000 + n
            worker, call = sid("WK", i % 2_000), sid("CA", i % 2_000)
            at = "2026-11-25T09:%02d:%02dZ" % (i // 60_000, (i // 1_000) % 60)
            kind = "call.start" if i < 2_000 else ("call.hold" if (i // 2_000) % 2 else "call.resume")
            lines.append(json.dumps({"type": kind, "at": at, "worker": worker, "call": call}))
        status, reply = server.post_raw(("\n".join(lines) + "\n").encode())
        assert status == 200 and reply["rejected"] == 0, reply
    # Two quiet looks, two seconds apart, then the trim.
    deadline = time.time() + 15
    while time.time() < deadline and server.metric("teamsview_heap_trims_total") <= before:
        time.sleep(0.5)
    assert server.metric("teamsview_heap_trims_total") > before
    # Quiet since: no trim more.
    trims = server.metric("teamsview_heap_trims_total")
    time.sleep(5)
    assert server.metric("teamsview_heap_trims_total") == trims


DURATIONS = "teamsview_http_request_duration_seconds"


def request_durations(server):
    """The request-duration histogram of one scrape of /metrics: {route: {"buckets": [(le, n)], "sum", "count"}},
    and the metric's TYPE."""
    _, _, body = server.get("/metrics")
    series, kind = {}, None
    for line in body.decode().splitlines():
        if line.startswith("# TYPE %s " % DURATIONS):
            kind = line.split()[-1]
        if line.startswith("#") or not line.startswith(DURATIONS):
            continue
        key, _, value = line.rpartition(" ")
        sample, _, labels = key.partition("{")
        labels = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        figures = series.setdefault(labels["route"], {"buckets": [], "sum": None, "count": None})
        if sample == DURATIONS + "_bucket":
            figures["buckets"].append((float(labels["le"]), float(value)))
        elif sample == DURATIONS + "_sum":
            figures["sum"] = float(value)
        elif sample == DURATIONS + "_count":
            figures["count"] = float(value)
    return series, kind


def test_metrics_time_requests_by_route_in_a_histogram_that_leaves_live_streams_out(serve):
    server = serve("--in-memory", "--max-live-clients", "1")
    for _ in range(3):
        assert server.get("/")[0] == 200
    for _ in range(2):
        assert server.get("/kiosk")[0] == 200
    assert server.get("/api/workers")[0] == 200 and server.get("/api/summary")[0] == 200
    assert server.get("/report")[0] == 200 and server.get("/api/incidents")[0] == 200
    assert server.ingest([event("heartbeat")])[0] == 200
    assert server.get("/static/teamsview.css")[0] == 200 and server.get("/favicon.ico")[0] == 200
    # An unknown path, and the probes, are "other": the label never takes a path a client made up.
    assert server.get("/no/such/page")[0] == 404 and server.get("/healthz")[0] == 200
    # A live stream is not timed, however long it stays; a /live request answered at once (refused past
    # --max-live-clients) is.
    stream, status = open_live(server)
    assert " 200 " in status, status
    refused, status = open_live(server)
    assert " 503 " in status, status
    refused.close()
    stream.close()
    wait_for(lambda: server.metric("teamsview_live_clients") == 0, message="the stream to end")
    # "other" also counts the /readyz polls that waited for the server to start.
    expected = {"page": 3, "kiosk": 2, "api": 2, "reports": 2, "ingest": 1, "static": 2, "other": (3, 100), "live": 1}

    def counted(figures, n):
        low, high = n if isinstance(n, tuple) else (n, n)
        return figures and low <= figures["count"] <= high

    def settled():
        series, _ = request_durations(server)
        return series if all(counted(series.get(route), n) for route, n in expected.items()) else None
    series = wait_for(settled, timeout=10, message="every request counted in its route")
    _, kind = request_durations(server)
    assert kind == "histogram"
    # A fixed set of routes, each present from the start, and the scrapes themselves under "metrics".
    assert set(series) == set(expected) | {"metrics"}, series
    assert series["metrics"]["count"] >= 1
    bounds = [le for le, _ in series["page"]["buckets"]]
    assert bounds[0] <= 0.0005 and bounds[-1] == float("inf") and bounds == sorted(bounds), bounds
    for route, figures in series.items():
        counts = [n for _, n in figures["buckets"]]
        assert [le for le, _ in figures["buckets"]] == bounds, route
        assert counts == sorted(counts) and counts[-1] == figures["count"], (route, figures)
        # The time they took: some, and no more than a few seconds each on a debug build.
        assert (figures["sum"] > 0) == (figures["count"] > 0), (route, figures)
        assert figures["sum"] <= 5 * figures["count"], (route, figures)


def test_a_wrong_call_risk_on_a_quiet_floor_becomes_an_incident_without_another_event(serve):
    # Reports in memory; after these events nothing more arrives.
    server = serve("--in-memory")
    server.ingest([event("worker", -2, worker="W1", name="Grace Hopper", team="Sales"),
                   event("activity", -2, worker="W1", activity="Available", available=True),
                   event("call.start", -1, worker="W1", call="CA1", queue="Sales", via="queue"),
                   event("call.unmute", -1, worker="W1", call="CA1"),
                   event("call.start", -1, worker="W1", call="CA2", via="transfer")])

    def risks():
        body = json.loads(server.get("/api/incidents")[2])
        return [i for i in body["incidents"] if i["kind"] == "wrong-call-risk"]
    # Past the 3 s grace by the wall clock, at the reports' next flush (every second), not at the next accrual of
    # the whole floor (every 10 s, the first just after the start): within 8 s of the post, with room for a busy machine.
    wait_for(lambda: risks(), timeout=8, interval=0.25, message="the wrong-call-risk incident within 8 s")
    incident = risks()[0]
    assert incident["worker"] == "W1" and incident.get("end") is None, incident
