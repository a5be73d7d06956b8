"""Limits that hold under abuse: each refusal has a clear status (or a closed connection where no
HTTP answer is possible yet) and a counter in /metrics."""

import json
import socket
import threading
import time

from conftest import event, open_live, raise_file_limit, wait_for


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


def test_a_departed_live_client_frees_its_slot_quickly(serve):
    server = serve("--max-live-clients", 20, "--heartbeat", 60, "--live-probe-ms", 200)
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

    wait_for(admitted, timeout=3, interval=0.02, message="a slot to be freed")
    freed = time.monotonic() - departed
    assert freed < 1.5, freed  # a 60 s heartbeat was not waited for
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
    assert status == 200 and reply["accepted"] == 8
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
