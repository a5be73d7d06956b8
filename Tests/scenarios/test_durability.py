"""Nothing accepted is lost: the write-ahead log in --data-dir, replay on start, /readyz, a full disk.

Every test runs the real binary on loopback with its own data directory. A "reference" server that never
stops is fed the same accepted batches; the restarted server must answer the same /api/workers.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, open_live, wait_for

FIXTURES = ROOT / "Tests" / "Fixtures"
BASE = time.time() - 3600  # event times: an hour ago, the same for every server


def stamp(seconds):
    t = BASE + seconds
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + (".%03dZ" % int((t % 1) * 1000))


def batch(client, number, size):
    """A batch of native events about this client's own agents (so clients never race on one worker)."""
    lines = []
    for i in range(size):
        n = number * size + i
        worker = "C%d-W%d" % (client, n % 40)
        at = stamp(n * 0.01)
        kind = n % 4
        if kind == 0:
            e = {"type": "worker", "at": at, "worker": worker, "name": "Agent %s" % worker, "team": "Team %d" % client}
        elif kind == 1:
            e = {"type": "call.start", "at": at, "worker": worker, "call": "CA%d-%d" % (client, n),
                 "from": "+1555%07d" % n, "direction": "inbound", "via": "queue"}
        elif kind == 2:
            # The hold and the end go to the worker of the call (so no worker piles up calls past its cap).
            e = {"type": "call.hold", "at": at, "worker": "C%d-W%d" % (client, (n - 1) % 40),
                 "call": "CA%d-%d" % (client, n - 1)}
        else:
            e = {"type": "call.end", "at": at, "worker": "C%d-W%d" % (client, (n - 2) % 40),
                 "call": "CA%d-%d" % (client, n - 2)}
        lines.append(json.dumps(e))
    return ("\n".join(lines) + "\n").encode()


def workers(server):
    status, _, body = server.get("/api/workers")
    assert status == 200
    document = json.loads(body)
    return document["workers"]


def data_dir(tmp_path, name="data"):
    path = tmp_path / name
    path.mkdir()
    return str(path)


def wait_ready(server, timeout=30):
    wait_for(lambda: server.get("/readyz")[0] == 200, timeout=timeout, message="/readyz 200")


def test_kill_9_during_posted_batches_loses_nothing(serve, tmp_path):
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports", "--threads", "8")
    wait_ready(server)
    accepted = {}      # client -> [batch numbers answered 200]
    unanswered = {}    # client -> the batch in flight when the server died
    stop = threading.Event()

    def client(c):
        accepted[c] = []
        number = 0
        while not stop.is_set():
            body = batch(c, number, 200)
            unanswered[c] = number
            try:
                status, _, _ = server.post("/ingest", body, timeout=5)
            except Exception:
                return
            if status != 200:
                return
            accepted[c].append(number)
            del unanswered[c]
            number += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(6)]
    for t in threads:
        t.start()
    wait_for(lambda: sum(len(v) for v in accepted.values()) >= 30, timeout=60, message="30 accepted batches")
    server.process.kill()  # SIGKILL, in the middle of batches
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()
    total = sum(len(v) for v in accepted.values())
    assert total >= 30

    restarted = serve("--data-dir", data, "--no-reports")
    wait_ready(restarted)
    reference = serve("--in-memory", "--no-reports")
    for c, numbers in accepted.items():
        for number in numbers:
            status, _, _ = reference.post("/ingest", batch(c, number, 200))
            assert status == 200
    # A batch without an answer is sent again by its client, to both: duplicates change nothing.
    for c, number in unanswered.items():
        for s in (restarted, reference):
            status, _, _ = s.post("/ingest", batch(c, number, 200))
            assert status == 200
    assert workers(restarted) == workers(reference)
    _, _, status_body = restarted.get("/api/status")
    durability = json.loads(status_body)["durability"]
    assert durability["mode"] == "write-ahead log" and durability["ready"] is True
    assert durability["restored"]["records"] >= total
    # Every accepted event came back: 200 events per accepted batch at least.
    assert durability["restored"]["events"] >= total * 200


def test_a_simulated_busy_floor_comes_back_identical(binary, serve, tmp_path):
    """The simulator's floor (holds, mutes, transfers, misroutes, wrong-call risks) posted, kill -9, restart:
    the same /api/workers. --flag-linger 0: "just cleared" marks are dated by the server's clock, not by events."""
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7200))
    stream = subprocess.run([binary, "simulate", "--agents", "150", "--rate", "3", "--seconds", "900", "--start", start],
                            capture_output=True, check=True).stdout.splitlines(keepends=True)
    assert len(stream) > 3000
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports", "--flag-linger", "0")
    for i in range(0, len(stream), 500):
        assert server.post("/ingest", b"".join(stream[i:i + 500]))[0] == 200
    before = workers(server)
    assert any(c["flags"] for w in before for c in w["calls"]) or any(c["state"] == "held" for w in before for c in w["calls"])
    server.process.kill()
    server.process.wait()
    restarted = serve("--data-dir", data, "--no-reports", "--flag-linger", "0")
    assert workers(restarted) == before


def test_twilio_correlation_survives_a_restart(serve, tmp_path):
    """A reservation accepted before kill -9 (still in the reorder window) and its conference's hold
    callback after the restart: the hold lands on the agent's call only if the task -> worker map came back."""
    data = data_dir(tmp_path)
    # The fixtures are recorded traffic of a past day: replayed with no limit on their events' age.
    server = serve("--data-dir", data, "--no-reports", "--max-event-age", "0")
    wait_ready(server)
    status, _, _ = server.post("/ingest", (FIXTURES / "eventstreams.ndjson").read_bytes())
    assert status == 200
    server.process.kill()
    server.process.wait()

    restarted = serve("--data-dir", data, "--no-reports", "--max-event-age", "0")
    wait_ready(restarted)
    wait_for(lambda: any(w["calls"] for w in workers(restarted)), timeout=10, message="the accepted call")
    status, _, reply = restarted.post("/ingest", (FIXTURES / "conference-hold.form").read_bytes(),
                                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, reply
    call = wait_for(lambda: [c for w in workers(restarted) for c in w["calls"] if c.get("state") == "held"
                             or c.get("phase") == "held"], timeout=10, message="the call on hold")
    assert call


def test_sigterm_then_restart_keeps_the_floor(serve, tmp_path):
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports")
    wait_ready(server)
    for number in range(5):
        assert server.post("/ingest", batch(0, number, 100))[0] == 200
    before = workers(server)
    server.stop()  # SIGTERM
    assert server.process.returncode == 0
    restarted = serve("--data-dir", data, "--no-reports")
    wait_ready(restarted)
    assert workers(restarted) == before


def test_a_file_read_before_the_restart_is_not_applied_twice(serve, tmp_path):
    data = data_dir(tmp_path)
    events = tmp_path / "events.ndjson"
    events.write_bytes(batch(1, 0, 300))
    server = serve("--data-dir", data, "--no-reports", "--events", events, "--follow")
    wait_ready(server)
    wait_for(lambda: json.loads(server.get("/api/status")[2])["linesRead"] == 300, message="300 lines read")
    server.process.kill()
    server.process.wait()
    with open(events, "ab") as f:
        f.write(batch(1, 1, 300))

    restarted = serve("--data-dir", data, "--no-reports", "--events", events, "--follow")
    wait_ready(restarted)
    # 300 replayed from the log, then only the 300 appended since are read from the file.
    wait_for(lambda: json.loads(restarted.get("/api/status")[2])["linesRead"] == 600, message="600 lines")
    time.sleep(0.5)
    status = json.loads(restarted.get("/api/status")[2])
    assert status["linesRead"] == 600
    assert "going on from byte" in restarted.log
    reference = serve("--in-memory", "--no-reports", "--events", events)
    wait_for(lambda: json.loads(reference.get("/api/status")[2])["linesRead"] == 600, message="reference read")
    assert workers(restarted) == workers(reference)


def test_a_torn_log_tail_is_cut_and_the_rest_kept(serve, tmp_path):
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports")
    wait_ready(server)
    for number in range(3):
        assert server.post("/ingest", batch(2, number, 50))[0] == 200
    before = workers(server)
    server.process.kill()
    server.process.wait()
    log = Path(data) / "ingest.wal"
    whole = log.stat().st_size
    # A record whose write was cut short by the crash: its header promises more than is there.
    with open(log, "ab") as f:
        f.write(b"\x00\x10\x00\x00\xde\xad\xbe\xef" + b"\x01" * 100)

    restarted = serve("--data-dir", data, "--no-reports")
    wait_ready(restarted)
    assert workers(restarted) == before
    durability = json.loads(restarted.get("/api/status")[2])["durability"]
    assert durability["restored"]["tornBytes"] == 108
    assert log.stat().st_size == whole
    assert "cut 108 bytes" in restarted.log
    assert restarted.metric("teamsview_restore_torn_bytes") == 108
    # The log goes on after the cut.
    assert restarted.post("/ingest", batch(2, 3, 50))[0] == 200
    after = workers(restarted)
    restarted.process.kill()
    restarted.process.wait()
    again = serve("--data-dir", data, "--no-reports")
    wait_ready(again)
    assert workers(again) == after


def test_an_unknown_log_version_is_refused_clearly(binary, tmp_path):
    data = data_dir(tmp_path)
    (Path(data) / "ingest.wal").write_bytes(b"TEAMSWAL" + (9).to_bytes(4, "little") + b"\x00" * 4)
    result = subprocess.run([binary, "serve", "--port", "0", "--data-dir", data, "--no-reports"],
                            capture_output=True, timeout=30)
    assert result.returncode != 0
    message = result.stderr.decode()
    assert "format version 9" in message and "reads versions 1 and 2" in message


def test_in_memory_says_so_and_keeps_no_log(serve, tmp_path):
    server = serve("--in-memory", "--no-reports")
    wait_ready(server)
    durability = json.loads(server.get("/api/status")[2])["durability"]
    assert durability["mode"] == "in memory"
    _, _, page = server.get("/status")
    assert b"the floor is lost on a restart" in page


def test_readyz_is_503_while_restoring(serve, tmp_path):
    """A log big enough that the replay takes a moment: /readyz (and POST /ingest) answer 503 until it is
    done, while /healthz and the pages answer at once."""
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports", "--threads", "4")
    wait_ready(server)
    for number in range(20):
        assert server.post("/ingest", batch(3, number, 1000))[0] == 200
    server.process.kill()
    server.process.wait()
    restarted = serve("--data-dir", data, "--no-reports", wait_ready=False)
    assert restarted.get("/readyz")[0] == 503
    assert restarted.get("/healthz")[0] == 200
    status, headers, _ = restarted.post("/ingest", batch(3, 999, 10))
    assert status == 503 and headers.get("Retry-After") == "1"
    wait_ready(restarted, timeout=120)
    assert restarted.metric("teamsview_ready") == 1
    assert restarted.metric("teamsview_restore_events") == 20_000
    assert restarted.metric("teamsview_ingest_refused_not_ready_total") == 1
    assert restarted.post("/ingest", batch(3, 999, 10))[0] == 200


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_answers_503_to_ingest_and_pages_still_load(serve, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        server = serve("--data-dir", str(mount / "data"), "--no-reports")
        wait_ready(server)
        assert server.post("/ingest", batch(4, 0, 50))[0] == 200
        # Fill the disk.
        filler = mount / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\x00" * 4096)
            except OSError:
                pass
        refused = []
        for number in range(1, 4):
            status, _, body = server.post("/ingest", batch(4, number, 50))
            if status == 503:
                refused.append(number)
                assert b"cannot keep the events on disk" in body
        assert refused
        assert server.metric("teamsview_ingest_refused_not_written_total") == len(refused)
        assert server.metric("teamsview_journal_write_errors_total") >= 1
        for path in ("/", "/api/workers", "/status", "/healthz"):
            assert server.get(path)[0] == 200
        # Room again: ingest takes events again, the refused batches sent again, and all are kept.
        filler.unlink()
        for number in refused:
            assert server.post("/ingest", batch(4, number, 50))[0] == 200
        assert server.post("/ingest", batch(4, 10, 50))[0] == 200
        before = workers(server)
        server.process.kill()
        server.process.wait()
        restarted = serve("--data-dir", str(mount / "data"), "--no-reports")
        wait_ready(restarted)
        assert workers(restarted) == before
        restarted.stop()
    finally:
        subprocess.run(["umount", "-l", str(mount)])


def test_two_replicas_fed_the_same_file_agree(serve, tmp_path):
    """Point 8: replicas each fed the same ordered stream reach the same floor."""
    events = tmp_path / "stream.ndjson"
    events.write_bytes(b"".join(batch(5, n, 200) for n in range(15)) + (FIXTURES / "eventstreams.ndjson").read_bytes())
    # The fixture is a recorded past day: no limit on event age.
    a = serve("--data-dir", data_dir(tmp_path, "a"), "--no-reports", "--events", events, "--max-event-age", "0")
    b = serve("--data-dir", data_dir(tmp_path, "b"), "--no-reports", "--events", events, "--max-event-age", "0")
    for s in (a, b):
        wait_for(lambda s=s: json.loads(s.get("/api/status")[2])["linesRead"] == 3002, message="all lines")
    wait_for(lambda: workers(a) == workers(b), timeout=10, message="the same floor")
    assert len(workers(a)) == 21  # the fixture's agent and 20 of the generator's


def test_a_data_directory_is_created_with_its_parents(serve, tmp_path):
    nested = tmp_path / "var" / "lib" / "teamsview"
    server = serve("--data-dir", nested, "--no-reports")
    assert server.post("/ingest", batch(6, 0, 10))[0] == 200
    assert (nested / "ingest.wal").stat().st_size > 16


def durability(server):
    return json.loads(server.get("/api/status")[2])["durability"]


def wait_snapshots(server, at_least, timeout=30):
    wait_for(lambda: durability(server)["snapshot"]["taken"] >= at_least, timeout=timeout,
             message="%d snapshots" % at_least)


def test_a_snapshot_keeps_the_log_short_and_kill_9_comes_back_the_same(serve, tmp_path):
    """Batches, a snapshot, more batches, kill -9: the restart loads the snapshot, replays only the records
    after it, and shows the floor of a server that never stopped; the log holds only what came after."""
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports", "--snapshot-interval", "1")
    for number in range(5):
        assert server.post("/ingest", batch(7, number, 200))[0] == 200
    wait_snapshots(server, 1)
    for number in range(5, 10):
        assert server.post("/ingest", batch(7, number, 200))[0] == 200
    before = workers(server)
    server.process.kill()
    server.process.wait()
    # The log holds at most the five batches after the snapshot (and their record headers), not the first five.
    after = sum(len(batch(7, n, 200)) for n in range(5, 10))
    assert (Path(data) / "state.snapshot").exists()
    assert (Path(data) / "ingest.wal").stat().st_size < after + 1000

    restarted = serve("--data-dir", data, "--no-reports", "--snapshot-interval", "1")
    reference = serve("--in-memory", "--no-reports")
    for number in range(10):
        assert reference.post("/ingest", batch(7, number, 200))[0] == 200
    assert workers(restarted) == workers(reference) == before
    restored = durability(restarted)["restored"]
    assert restored["fromSnapshot"] is True and restored["snapshotBytes"] > 0
    assert restored["records"] < 10 and restored["events"] < 2000
    assert restarted.metric("teamsview_restore_from_snapshot") == 1


def test_sigterm_writes_a_snapshot_and_the_restart_replays_nothing(serve, tmp_path):
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports")
    for number in range(5):
        assert server.post("/ingest", batch(8, number, 100))[0] == 200
    before = workers(server)
    server.stop()  # SIGTERM: the default interval (60 s) has not come, the stop takes the snapshot
    assert server.process.returncode == 0
    assert (Path(data) / "state.snapshot").exists()
    assert (Path(data) / "ingest.wal").stat().st_size == 16
    restarted = serve("--data-dir", data, "--no-reports")
    assert workers(restarted) == before
    restored = durability(restarted)["restored"]
    assert restored["fromSnapshot"] is True and restored["records"] == 0
    assert restarted.metric("teamsview_snapshots_total") == 0


def test_a_damaged_snapshot_refuses_to_start_with_what_to_do(binary, serve, tmp_path):
    data = data_dir(tmp_path)
    server = serve("--data-dir", data, "--no-reports")
    assert server.post("/ingest", batch(9, 0, 100))[0] == 200
    server.stop()
    snapshot = Path(data) / "state.snapshot"
    damaged = bytearray(snapshot.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    snapshot.write_bytes(bytes(damaged))
    result = subprocess.run([binary, "serve", "--port", "0", "--data-dir", data, "--no-reports"],
                            capture_output=True, timeout=30)
    assert result.returncode != 0
    message = result.stderr.decode()
    assert str(snapshot) + " is damaged" in message and "move it aside" in message
    # An unknown format version is named too.
    damaged = bytearray(snapshot.read_bytes())
    damaged[8:12] = (7).to_bytes(4, "little")
    snapshot.write_bytes(bytes(damaged))
    result = subprocess.run([binary, "serve", "--port", "0", "--data-dir", data, "--no-reports"],
                            capture_output=True, timeout=30)
    assert result.returncode != 0 and "format version 7" in result.stderr.decode()


def test_a_followed_file_is_not_applied_twice_after_a_snapshot(serve, tmp_path):
    data = data_dir(tmp_path)
    events = tmp_path / "events.ndjson"
    events.write_bytes(batch(10, 0, 300))
    server = serve("--data-dir", data, "--no-reports", "--events", events, "--follow", "--snapshot-interval", "1")
    wait_for(lambda: json.loads(server.get("/api/status")[2])["linesRead"] == 300, message="300 lines read")
    taken = durability(server)["snapshot"]["taken"]
    wait_snapshots(server, taken + 1)
    server.process.kill()
    server.process.wait()
    with open(events, "ab") as f:
        f.write(batch(10, 1, 300))

    restarted = serve("--data-dir", data, "--no-reports", "--events", events, "--follow")
    # The snapshot knows the file (device, inode) and how far it was read: only the 300 appended are read.
    wait_for(lambda: json.loads(restarted.get("/api/status")[2])["linesRead"] == 600, message="600 lines")
    time.sleep(0.5)
    assert json.loads(restarted.get("/api/status")[2])["linesRead"] == 600
    assert "going on from byte" in restarted.log
    assert durability(restarted)["restored"]["fromSnapshot"] is True
    reference = serve("--in-memory", "--no-reports", "--events", events)
    wait_for(lambda: json.loads(reference.get("/api/status")[2])["linesRead"] == 600, message="reference read")
    assert workers(restarted) == workers(reference)


def big_body(client, megabytes=5):
    """About `megabytes` MB of native activity lines about this client's agents, ending with a worker event
    `DONE<client>` that shows whether the whole body was applied."""
    lines = []
    size = 0
    n = 0
    while size < megabytes * 1_000_000:
        line = json.dumps({"type": "activity", "at": stamp(n * 0.001), "worker": "S%d-W%d" % (client, n % 200),
                           "activity": "Available" if n % 2 else "Break", "available": n % 2 == 1})
        lines.append(line)
        size += len(line) + 1
        n += 1
    lines.append(json.dumps({"type": "worker", "at": stamp(n * 0.001), "worker": "DONE%d" % client,
                             "name": "Body %d applied" % client, "team": "Shutdown"}))
    return ("\n".join(lines) + "\n").encode()


def post_in_two_parts(port, body, first, sent, go, outcome, slow=False):
    """POSTs `body` to /ingest on a raw socket: `first` bytes, then (once `go` is set) the rest at once, or
    512 bytes every 0.1 s when `slow`. `outcome` gets ("answer", status line), ("closed", how) or ("silent", ...)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = ("POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    how = "eof"
    try:
        s.sendall(head + body[:first])
        sent.release()
        go.wait()
        if slow:
            for start in range(first, len(body), 512):
                s.sendall(body[start:start + 512])
                time.sleep(0.1)
        else:
            s.sendall(body[first:])
    except (BrokenPipeError, ConnectionResetError):
        how = "closed while sending"
    reply = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    except ConnectionResetError:
        how = "reset"
    except socket.timeout:
        outcome.append(("silent", reply[:80]))
        s.close()
        return
    s.close()
    if reply.startswith(b"HTTP/1.1 "):
        outcome.append(("answer", reply.split(b"\r\n", 1)[0].decode(), reply))
    else:
        outcome.append(("closed", how))


def test_sigterm_with_large_posts_in_flight_answers_them_and_exits_in_time(serve, tmp_path):
    data = data_dir(tmp_path)
    # Requests in flight get a second; handlers running then finish (two 5 MB bodies applied, up to about 2.5 s
    # for a debug build on a busy machine), answers get half a second to go out, the reports a second more.
    server = serve("--data-dir", data, "--shutdown-timeout", "1")
    wait_ready(server)
    live, status_line = open_live(server)
    assert " 200 " in status_line
    bodies = [big_body(client) for client in range(4)]
    slow_bodies = [big_body(10 + client, megabytes=1) for client in range(2)]
    sent = threading.Semaphore(0)
    go = threading.Event()
    fast = [[] for _ in bodies]
    slow = [[] for _ in slow_bodies]
    threads = [threading.Thread(target=post_in_two_parts, args=(server.port, body, len(body) - 1_000_000, sent, go, out))
               for body, out in zip(bodies, fast)]
    threads += [threading.Thread(target=post_in_two_parts, args=(server.port, body, 100_000, sent, go, out, True))
                for body, out in zip(slow_bodies, slow)]
    for t in threads:
        t.start()
    for _ in threads:
        assert sent.acquire(timeout=20)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    go.set()
    # Once stopping, the server takes no new connection (refused), or answers a request begun now with 503.
    wait_for(lambda: "stopping" in server.log, timeout=5, message="the stop to begin")
    time.sleep(0.3)
    try:
        late = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        late.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = late.recv(4096)
        late.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.1 503"), answer[:200]
    except (ConnectionRefusedError, ConnectionResetError):
        pass
    server.process.wait(15)
    took = time.monotonic() - started
    assert server.process.returncode == 0, server.log
    assert took <= 6.0, "the stop took %.1f s:\n%s" % (took, server.log)
    for t in threads:
        t.join(20)
    # Every body sent in full got an HTTP answer: 200 (applied) or 503 with Retry-After and Connection: close.
    for out in fast:
        assert out and out[0][0] == "answer", (out, server.log)
        status = out[0][1]
        assert status.startswith("HTTP/1.1 200") or status.startswith("HTTP/1.1 503"), status
        if "503" in status:
            assert b"Retry-After:" in out[0][2] and b"Connection: close" in out[0][2]
    # A body still trickling in got an answer or its connection closed; none was left hanging.
    for out in slow:
        assert out and out[0][0] in ("answer", "closed"), out
    # The live stream was ended.
    live.settimeout(5)
    rest = b""
    while True:
        chunk = live.recv(65536)
        if not chunk:
            break
        rest += chunk
    live.close()
    # What was answered 200 is still there after the restart.
    restarted = serve("--data-dir", data)
    wait_ready(restarted)
    ids = {w["id"] for w in workers(restarted)}
    for client, out in enumerate(fast):
        if out[0][1].startswith("HTTP/1.1 200"):
            assert "DONE%d" % client in ids, (client, sorted(i for i in ids if i.startswith("DONE")))


def test_the_reports_database_log_is_emptied_at_a_stop_and_stays_bounded_across_restarts(serve, tmp_path):
    # 2,000 agents on calls: a restart rewrites every agent's last hour of figures (megabytes of SQLite log).
    data = data_dir(tmp_path)
    wal = os.path.join(data, "reports.sqlite-wal")
    lines = []
    for i in range(2000):
        worker = "R-W%d" % i
        lines.append({"type": "worker", "at": stamp(i * 0.01), "worker": worker, "name": "Agent %d" % i, "team": "Team %d" % (i % 8)})
        lines.append({"type": "activity", "at": stamp(i * 0.01), "worker": worker, "activity": "Available", "available": True})
        lines.append({"type": "call.start", "at": stamp(600 + i * 0.01), "worker": worker, "call": "RC%d" % i,
                      "queue": "Sales", "via": "queue"})
        lines.append({"type": "call.hold", "at": stamp(900 + i * 0.01), "worker": worker, "call": "RC%d" % i})
    body = ("\n".join(json.dumps(e) for e in lines) + "\n").encode()
    server = serve("--data-dir", data)
    wait_ready(server)
    assert server.post("/ingest", body)[0] == 200
    wait_for(lambda: server.metric("teamsview_reports_events_total", timeout=10) >= len(lines) - 2000, timeout=60,
             message="the reports to count the events")
    for restart in range(3):
        # The niced writer caught up (a loaded machine may leave it behind the second a stop gives it).
        def caught_up():
            before = server.metric("teamsview_reports_flushes_total")
            time.sleep(1.5)
            return server.metric("teamsview_reports_queued_events") == 0 and \
                server.metric("teamsview_reports_flushes_total") == before
        wait_for(caught_up, timeout=60, message="the reports' writer to catch up")
        server.stop()  # SIGTERM: the reports write their backlog, then empty the database's log into it
        assert server.process.returncode == 0
        assert not os.path.exists(wal) or os.path.getsize(wal) == 0, "log left at the stop: %d bytes" % os.path.getsize(wal)
        server = serve("--data-dir", data)
        wait_ready(server, timeout=60)
        # The reports restore on their writer's thread, after the port opened: wait for them before the next stop.
        wait_for(lambda: server.metric("teamsview_reports_restoring") == 0, timeout=60,
                 message="the reports to restore what the database held")
        _, _, status_page = server.get("/status")
        assert b"restored 2000 agents" in status_page, status_page
        # The start's rewrite of every agent is emptied into the database too, and the log file cut back after.
        assert not os.path.exists(wal) or os.path.getsize(wal) <= 16 << 20, "restart %d: %d bytes" % (restart, os.path.getsize(wal))
    # The figures came through the restarts: the last agent's day, with its hold (the niced writer may still be
    # taking the log's replay on a loaded machine).
    wait_for(lambda: server.get("/report/agent/R-W1999")[0] == 200, timeout=60, message="the last agent's day")
    status, _, page = server.get("/report/agent/R-W1999")
    assert status == 200 and b"Agent 1999" in page, status


def test_a_reports_database_that_cannot_be_restored_leaves_the_floor_serving_and_says_so(serve, tmp_path):
    # The reports restore on their own thread after the port opened: a database they cannot read stops the reports
    # (figures written without its checkpoints would be wrong), not the server, and every reports page says so.
    import sqlite3
    data = data_dir(tmp_path)
    server = serve("--data-dir", data)
    wait_ready(server)
    first = [{"type": "call.start", "at": stamp(0), "worker": "F-W1", "call": "FC1", "queue": "Sales", "via": "queue"}]
    assert server.post("/ingest", ("\n".join(json.dumps(e) for e in first) + "\n").encode())[0] == 200
    wait_for(lambda: server.metric("teamsview_reports_events_total") >= 1, message="the reports to count the call")
    server.stop()
    database = sqlite3.connect(os.path.join(data, "reports.sqlite"))
    database.execute("DROP TABLE events")
    database.commit()
    database.close()
    server = serve("--data-dir", data)
    wait_ready(server)
    wait_for(lambda: server.metric("teamsview_reports_restoring") == 0, message="the restore to end")
    later = [{"type": "call.hold", "at": stamp(1), "worker": "F-W1", "call": "FC1"},
             {"type": "call.start", "at": stamp(2), "worker": "F-W2", "call": "FC2", "queue": "Sales", "via": "queue"}]
    assert server.post("/ingest", ("\n".join(json.dumps(e) for e in later) + "\n").encode())[0] == 200
    wait_for(lambda: server.metric("teamsview_reports_dropped_events_total") == 2, message="the events to be dropped, counted")
    assert server.metric("teamsview_reports_events_total") == 0
    # The floor is served, with what was posted after the restart.
    assert {w["id"] for w in workers(server)} == {"F-W1", "F-W2"}
    for path in ("/report", "/incidents", "/report/agent/F-W1"):
        status, _, page = server.get(path)
        assert status == 200 and b'id="reports-notice"' in page and b"could not be read" in page, (path, status)
    _, _, status_page = server.get("/status")
    assert b"FAILED to read the database at start" in status_page
    assert "restoring from the database failed" in server.log


def test_a_second_server_on_the_same_data_directory_is_refused(binary, serve, tmp_path):
    # Two servers on one directory: the second would append to a write-ahead log the first compacts away, and events
    # it acknowledged would be lost. It is refused at start, naming the directory and the process holding it.
    data = data_dir(tmp_path)
    first = serve("--data-dir", data)
    wait_ready(first)
    result = subprocess.run([binary, "serve", "--port", "0", "--data-dir", data], capture_output=True, timeout=30)
    assert result.returncode != 0
    message = result.stderr.decode()
    assert "is in use by another teamsview" in message and "process %d" % first.process.pid in message, message
    # The first goes on serving and keeping events.
    line = {"type": "call.start", "at": stamp(0), "worker": "L-W1", "call": "LC1", "queue": "Sales", "via": "queue"}
    assert first.post("/ingest", (json.dumps(line) + "\n").encode())[0] == 200
    first.stop()
    # Once it has stopped, the directory is free again, with what it kept.
    again = serve("--data-dir", data)
    wait_ready(again)
    assert "L-W1" in {w["id"] for w in workers(again)}
