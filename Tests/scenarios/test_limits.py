"""Limits that hold under abuse: each refusal has a clear status (or a closed connection where no
HTTP answer is possible yet) and a counter in /metrics."""

import json
import socket
import threading
import time
import urllib.parse

import pytest

from conftest import event, open_live, raise_file_limit, wait_for


class SSE:
    """A raw /live request: status and headers, then the chunked body split into SSE messages."""

    def __init__(self, server, path="/live", headers=None):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" % path
        head += "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        self.sock.sendall((head + "\r\n").encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            chunk = self.sock.recv(65536)
            assert chunk, "closed before the head"
            self.raw += chunk
        head, _, self.raw = self.raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        self.body = b""
        self.ended = False
        self._decode()

    def _decode(self):
        while b"\r\n" in self.raw:
            size_line, _, rest = self.raw.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self.ended = True
                self.raw = b""
                return
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.raw = rest[size + 2:]

    def _pump(self, deadline):
        if self.ended:
            return False
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return False
        if not chunk:
            self.ended = True
            return False
        self.raw += chunk
        self._decode()
        return True

    def next(self, name=None, timeout=10):
        """The next message (named `name` if given) as {event, id, data}; None on timeout or end."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.body:
                block, _, self.body = self.body.partition(b"\n\n")
                message = {"event": "message", "id": None, "data": ""}
                for line in block.decode().split("\n"):
                    field, _, value = line.partition(":")
                    if field in ("event", "id", "data"):
                        message[field] = value[1:] if value.startswith(" ") else value
                if name is None or message["event"] == name:
                    return message
            if time.monotonic() >= deadline or not self._pump(deadline):
                if self.ended or time.monotonic() >= deadline:
                    return None

    def wait_end(self, timeout=10):
        """True once the server has ended the stream (what came before it is read and dropped)."""
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            self._pump(deadline)
            self.body = b""
        return self.ended

    def close(self):
        self.sock.close()


def test_slow_header_sockets_do_not_keep_healthz_from_answering(serve):
    raise_file_limit()
    server = serve("--max-connections", 300, "--max-connections-per-address", 50, "--connection-timeout", 2)
    attackers = []
    # 1,000 sockets from another loopback address, each sending half a head and then nothing.
    for _ in range(1000):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", server.port))
        except BlockingIOError:
            pass
        attackers.append(s)
    time.sleep(0.3)
    for s in attackers:
        try:
            s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        except OSError:
            pass  # refused at accept: the server closed it
    # /healthz from a legitimate address keeps answering while the attack holds its sockets.
    latencies = []
    for _ in range(20):
        started = time.monotonic()
        status, _, body = server.get("/healthz", timeout=2)
        latencies.append(time.monotonic() - started)
        assert status == 200 and body == b"ok\n"
        time.sleep(0.05)
    refused = server.metric("teamsview_http_refused_connections_total")
    assert refused >= 900, refused
    # The 50 admitted ones send nothing more: the inactivity timeout closes them and counts them.
    wait_for(lambda: server.metric("teamsview_http_timeouts_total") >= 50, timeout=8,
             message="the silent connections to time out")
    for s in attackers:
        s.close()
    print("slowloris: 1000 sockets, %d refused at accept, /healthz median %.1f ms, max %.1f ms"
          % (refused, sorted(latencies)[len(latencies) // 2] * 1000, max(latencies) * 1000))


def test_too_many_query_parameters_get_414_and_many_allowed_ones_get_an_answer(serve):
    server = serve("--max-query-parameters", 100)
    query = "&".join("p%d=v%d" % (i, i) for i in range(500))
    status, _, _ = server.get("/api/workers?" + query)
    assert status == 414
    assert server.metric("teamsview_http_too_many_query_parameters_total") == 1
    status, _, _ = server.get("/api/workers?" + "&".join("team=t%d" % i for i in range(100)))
    assert status == 200
    # Under a higher limit, 2,000 parameters (which libmicrohttpd's own parsing could not hold) work.
    roomy = serve("--max-query-parameters", 5000)
    status, _, _ = roomy.get("/healthz?" + "&".join("p%d=v" % i for i in range(2000)))
    assert status == 200


@pytest.mark.parametrize("probe_ms,within", [(200, 1.5), (None, 3.0)])
def test_a_departed_live_client_frees_its_slot_quickly(serve, probe_ms, within):
    # The default --live-probe-ms (1000) frees a slot within 3 s; a shorter probe, sooner.
    server = serve("--max-live-clients", 20, "--heartbeat", 60,
                   *(("--live-probe-ms", probe_ms) if probe_ms else ()))
    clients = [open_live(server) for _ in range(20)]
    assert {status for _, status in clients} == {"HTTP/1.1 200 OK"}
    extra, status = open_live(server)
    extra.close()
    assert status.startswith("HTTP/1.1 503")
    for s, _ in clients:
        s.close()
    departed = time.monotonic()

    def admitted():
        s, status = open_live(server)
        s.close()
        return status == "HTTP/1.1 200 OK"

    wait_for(admitted, timeout=within + 2, interval=0.02, message="a slot to be freed")
    freed = time.monotonic() - departed
    assert freed < within, freed  # a 60 s heartbeat was not waited for
    wait_for(lambda: server.metric("teamsview_http_departed_streams_total") >= 20, timeout=3,
             message="the departures to be counted")
    print("departed slot: 20 clients gone, a new one admitted after %.0f ms" % (freed * 1000))


def test_never_reading_live_clients_keep_memory_bounded(serve):
    raise_file_limit()
    total_cap = 16 << 20
    # Reports off: this measures the stream queues; the reports database's page cache (up to 64 MiB) fills
    # with the flood's 80,000 activity changes and would be counted as stream memory.
    server = serve("--max-live-clients", 200, "--heartbeat", 60, "--live-coalesce-ms", 0,
                   "--live-queue-bytes", 1 << 20, "--live-queue-total-bytes", total_cap, "--no-reports")
    workers = 800
    status, _ = server.ingest([event("worker", -60, worker="W%03d" % i, name="Agent %d" % i,
                                     team="Team %d" % (i % 4)) for i in range(workers)])
    assert status == 200
    stalled = []
    for _ in range(50):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        # A window of the whole floor (the default window is 200 rows): every message carries all 800.
        s.sendall(b"GET /live?per=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        stalled.append(s)  # never read from again
    # Each new stream starts with the whole board: give the server time to render 50 of them.
    wait_for(lambda: server.metric("teamsview_live_clients", timeout=30) == 50, timeout=60,
             message="50 live clients")
    baseline = server.rss_bytes()
    peak = [baseline]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            peak[0] = max(peak[0], server.rss_bytes())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        # Every round changes every row with a long activity name: ~100 KB per message, sent to
        # 50 streams, 100 rounds: about 500 MB if nothing were capped (the first ~4 MB of each
        # stream fill the kernel's socket buffers, outside the process).
        for round_ in range(100):
            label = ("Away %d " % round_) * 40
            status, reply = server.ingest([event("activity", -30 + round_ * 0.1, worker="W%03d" % i,
                                                 activity=label[:250], available=False) for i in range(workers)])
            assert status == 200, reply
            time.sleep(0.05)  # one live message per round rather than a few coalesced ones
    finally:
        sampling.set()
        sampler.join()
    overflows = (server.metric("teamsview_http_stream_overflows_total", {"cap": "stream"})
                 + server.metric("teamsview_http_stream_overflows_total", {"cap": "total"}))
    _, _, text = server.get("/metrics", timeout=30)
    assert overflows >= 10, "\n".join(l for l in text.decode().splitlines() if ("stream" in l or "live_" in l) and not l.startswith("#"))
    assert server.metric("teamsview_http_stream_queued_bytes") <= total_cap
    growth = peak[0] - baseline
    # The queues hold at most the total cap; the rest is messages being built and allocator slack.
    assert growth < total_cap + (48 << 20), growth
    status, _, _ = server.get("/healthz")
    assert status == 200
    for s in stalled:
        s.close()
    print("never-reading flood: 50 clients, RSS %.0f MB -> peak %.0f MB (+%.0f MB), %d streams closed at a cap"
          % (baseline / 2**20, peak[0] / 2**20, growth / 2**20, overflows))


def test_worker_and_calls_per_worker_caps_refuse_and_count(serve):
    server = serve("--max-workers", 5, "--max-calls-per-worker", 2)
    status, reply = server.ingest([event("worker", -60, worker="W%d" % i, name="Agent %d" % i, team="Sales")
                                   for i in range(8)])
    # Refused events are rejections of their lines, with the cap named.
    assert status == 200 and reply["accepted"] == 5 and reply["rejected"] == 3, reply
    assert all("--max-workers" in e["reason"] for e in reply["errors"]), reply
    _, _, body = server.get("/api/workers")
    listed = [w["id"] for w in json.loads(body)["workers"]]
    assert sorted(listed) == ["W0", "W1", "W2", "W3", "W4"]
    assert server.metric("teamsview_registry_refused_events_total", {"cap": "workers"}) == 3
    # Existing workers still change.
    server.ingest([event("call.start", -10 + i, worker="W0", call="CA%d" % i, **{"from": "+1555000000%d" % i},
                         direction="inbound", via="transfer") for i in range(5)])
    _, _, body = server.get("/api/workers/W0")
    assert [c["id"] for c in json.loads(body)["calls"]] == ["CA0", "CA1"]
    assert server.metric("teamsview_registry_refused_events_total", {"cap": "calls-per-worker"}) == 3
    # Once a call ends, a new one fits again.
    server.ingest([event("call.end", -2, worker="W0", call="CA0"),
                   event("call.start", -1, worker="W0", call="CA9", **{"from": "+15550000009"},
                         direction="inbound", via="transfer")])
    _, _, body = server.get("/api/workers/W0")
    assert [c["id"] for c in json.loads(body)["calls"]] == ["CA1", "CA9"]


def agents(count, teams=4):
    return [event("worker", -60, worker="W%03d" % i, name="Agent %d" % i, team="Team %d" % (i % teams))
            for i in range(count)]


def test_a_reconnect_naming_its_own_open_stream_takes_over_its_slot(serve):
    # A 60 s probe: the server cannot have noticed anything; the old streams are open.
    server = serve("--max-live-clients", 3, "--heartbeat", 60, "--live-probe-ms", 60000, "--live-coalesce-ms", 0)
    assert server.ingest(agents(8))[0] == 200
    streams = [SSE(server) for _ in range(3)]
    assert [s.status for s in streams] == [200, 200, 200]
    ids = [s.next("reset")["id"] for s in streams]
    assert len(set(ids)) == 3, ids  # one board, three streams: each id names its stream
    server.ingest([event("activity", -1, worker="W001", activity="Break", available=False)])
    assert streams[0].next("rows") is not None
    # A fourth stream without an id: no room.
    refused = SSE(server)
    assert refused.status == 503 and "retry-after" in refused.headers
    refused.close()
    # Another view cannot use a stolen id to close a stream of this one.
    other = SSE(server, "/live?team=Team%201", {"Last-Event-ID": ids[1]})
    assert other.status == 503
    other.close()
    # The first client comes back with the id it had before the change: its old stream closes, the new one
    # takes its slot and is sent what it missed.
    back = SSE(server, headers={"Last-Event-ID": ids[0]})
    assert back.status == 200
    assert back.next("hello") is not None
    replayed = back.next(timeout=5)
    assert replayed["event"] == "rows", replayed  # the change it missed, not a reset
    assert streams[0].wait_end(5), "the old stream was not closed"
    assert streams[1].next("feed", timeout=0.5) is None and not streams[1].ended
    assert server.metric("teamsview_live_takeovers_total") == 1
    assert server.metric("teamsview_live_clients") == 3
    # The new stream's own id takes it over in turn (the page's ?last= works like the header).
    cursor = replayed["id"]
    again = SSE(server, "/live?last=" + urllib.parse.quote(cursor))
    assert again.status == 200 and back.wait_end(5)
    assert server.metric("teamsview_live_takeovers_total") == 2
    for s in [*streams, back, again]:
        s.close()


def test_a_new_view_past_max_live_views_gets_503_while_known_views_connect(serve):
    server = serve("--max-live-views", 3, "--heartbeat", 60)
    assert server.ingest(agents(8))[0] == 200
    open_views = [SSE(server, "/live?q=Agent%%20%d" % i) for i in range(3)]
    assert [s.status for s in open_views] == [200, 200, 200]
    refused = SSE(server, "/live?q=Agent%205")
    assert refused.status == 503 and refused.headers.get("retry-after")
    assert server.metric("teamsview_live_refused_views_total") == 1
    same = SSE(server, "/live?q=Agent%201")
    assert same.status == 200  # a view that is open takes more clients
    status, _, _ = server.get("/?q=Agent%205")
    assert status == 200  # the page renders; its stream waits for room
    for s in [*open_views, refused, same]:
        s.close()


def test_views_past_the_memory_budget_are_evicted_even_with_clients_and_freed_when_they_leave(serve):
    raise_file_limit()
    budget = 2 << 20
    server = serve("--max-live-clients", 1000, "--max-live-views", 1000, "--live-views-memory-bytes", budget,
                   "--max-connections-per-address", 0,
                   "--heartbeat", 60, "--live-coalesce-ms", 0, "--live-probe-ms", 200, "--live-linger", 1,
                   "--no-reports")
    workers = 1000
    assert server.ingest(agents(workers, teams=20))[0] == 200
    baseline = server.rss_bytes()
    # 300 clients, each on a view of its own: "Agent 1" matches Agent 1, 10-19 and 100-199, "Agent 250" one.
    streams = [SSE(server, "/live?q=" + urllib.parse.quote("Agent %d" % i)) for i in range(1, 301)]
    assert {s.status for s in streams} == {200}
    # Every round changes every agent: each view's replay buffer grows.
    for round_ in range(10):
        status, _ = server.ingest([event("activity", -30 + round_, worker="W%03d" % i,
                                         activity="Away %d" % round_, available=False) for i in range(workers)])
        assert status == 200
        status, _, _ = server.get("/healthz")
        assert status == 200
    wait_for(lambda: server.metric("teamsview_live_views_evicted_total") > 0, message="views to be evicted")
    evicted = server.metric("teamsview_live_views_evicted_total")
    assert server.metric("teamsview_live_views_estimated_bytes") <= budget
    # An evicted client was told so, and its stream ended (the least recently used go first).
    told = 0
    for s in streams[:50]:
        message = s.next("evicted", timeout=0.05)
        if message is not None:
            told += 1
            assert json.loads(message["data"])["retry"] >= 1000
            assert s.wait_end(5)
    assert told > 0
    peak = server.rss_bytes()
    _, _, body = server.get("/api/status")
    live = json.loads(body)["live"]
    assert live["evictedViews"] == evicted and live["estimatedBytes"] <= budget, live
    for s in streams:
        s.close()

    def gone():
        _, _, body = server.get("/api/status")
        live = json.loads(body)["live"]
        # Every view goes; the Teams View's own board of the floor may stay (kept once the feed is quiet, if it fits).
        return live["clients"] == 0 and live["views"] == 0 and live["boards"] <= 1 and live

    live = wait_for(gone, timeout=20, interval=0.2, message="the views to be dropped once their clients left")
    assert live["estimatedBytes"] < 64 << 10, live
    time.sleep(0.5)
    after = server.rss_bytes()
    # Once the last view is gone its memory is handed back: RSS is back near where it started.
    assert after - baseline < (peak - baseline) / 3 + (8 << 20), (baseline, peak, after)
    status, _, _ = server.get("/healthz")
    assert status == 200
    print("views over budget: 300 views, %d evicted, %d clients told; RSS %.0f MB -> %.0f MB, %.0f MB once they left"
          % (evicted, told, baseline / 2**20, peak / 2**20, after / 2**20))


def test_views_and_their_buffers_are_freed_once_their_clients_have_left(serve):
    raise_file_limit()
    # No budget: only leaving frees the views. 40 windows of one board, each buffering every change.
    server = serve("--max-live-clients", 100, "--live-views-memory-bytes", 0, "--heartbeat", 60,
                   "--live-coalesce-ms", 0, "--live-probe-ms", 200, "--live-linger", 1, "--no-reports",
                   "--max-connections-per-address", 0)
    workers = 400
    assert server.ingest(agents(workers))[0] == 200
    baseline = server.rss_bytes()
    streams = [SSE(server, "/live?page=1&per=%d" % (1000 - i)) for i in range(40)]
    assert {s.status for s in streams} == {200}
    for round_ in range(10):
        label = ("Away %d " % round_) * 40
        status, _ = server.ingest([event("activity", -30 + round_ * 0.1, worker="W%03d" % i,
                                         activity=label[:250], available=False) for i in range(workers)])
        assert status == 200
        time.sleep(0.1)
    wait_for(lambda: server.metric("teamsview_live_messages_total") >= 40, timeout=60, message="the changes to be sent")
    held = server.metric("teamsview_live_views_estimated_bytes")
    peak = server.rss_bytes()
    for s in streams:
        s.close()

    def gone():
        _, _, body = server.get("/api/status", timeout=30)
        live = json.loads(body)["live"]
        # Every view goes but the Teams View's own board of the floor, which the server keeps (400 agents: ~12 KB).
        return live["clients"] == 0 and live["views"] == 0 and live["boards"] == 1 and live

    live = wait_for(gone, timeout=90, interval=0.5, message="the views to be dropped once their clients left")
    assert live["estimatedBytes"] < 64 << 10, live
    time.sleep(0.5)
    after = server.rss_bytes()
    # Their boards and buffers were freed, and the memory handed back: most of the growth is gone.
    assert after - baseline < (peak - baseline) / 3 + (8 << 20), (baseline, peak, after)
    print("views freed: 40 windows held an estimated %.0f MB; RSS %.0f MB -> %.0f MB, %.0f MB once they left"
          % (held / 2**20, baseline / 2**20, peak / 2**20, after / 2**20))
