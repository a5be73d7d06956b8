"""Snapshot figures of a release build: a floor of AGENTS agents with two calls each (one held, one muted),
then ROUNDS rounds of hold/resume on every agent's first call, POSTed to `teamsview serve`.

Prints, as JSON: the snapshot's size, the seconds writing it took and ingest waited for its cut, the seconds a
restart takes from the snapshot (kill -9 after it), and the seconds a restart takes replaying the whole log of
the same floor (a server that took no snapshot). Both restarts must show the floor the first server showed
(`recentFlags`, "just cleared" marks dated by the server's clock, left out).

    python3 Benchmarks/snapshot_figures.py .build/release/teamsview 20000 200
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = sys.argv[1]
AGENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 0
BASE = time.time() - 1800


def stamp(s):
    t = BASE + s
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


def lines():
    out = []
    for i in range(AGENTS):
        w = "W%05d" % i
        a = i * 0.0001
        out.append(json.dumps({"type": "worker", "at": stamp(a), "worker": w, "name": "Agent %d" % i,
                               "team": "Team %d" % (i % 40), "skills": ["billing", "spanish"], "capacity": {"voice": 2}}))
        out.append(json.dumps({"type": "activity", "at": stamp(1 + a), "worker": w, "activity": "Available",
                               "available": True}))
        out.append(json.dumps({"type": "call.start", "at": stamp(2 + a), "worker": w, "call": "CA%05da" % i,
                               "from": "+1555%07d" % i, "queue": "Billing"}))
        out.append(json.dumps({"type": "call.start", "at": stamp(3 + a), "worker": w, "call": "CA%05db" % i,
                               "from": "+1556%07d" % i, "queue": "Sales", "via": "transfer"}))
        out.append(json.dumps({"type": "call.hold", "at": stamp(4 + a), "worker": w, "call": "CA%05da" % i}))
        out.append(json.dumps({"type": "call.mute", "at": stamp(5 + a), "worker": w, "call": "CA%05db" % i}))
    for r in range(ROUNDS):
        kind = "call.resume" if r % 2 == 0 else "call.hold"
        for i in range(AGENTS):
            out.append(json.dumps({"type": kind, "at": stamp(10 + r + i * 0.00001), "worker": "W%05d" % i,
                                   "call": "CA%05da" % i}))
    return out


class Server:
    def __init__(self, data, *extra):
        self.p = subprocess.Popen([BIN, "serve", "--port", "0", "--data-dir", data, "--no-reports", *extra],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while True:
            line = self.p.stderr.readline().decode()
            found = re.search(r"serving http://[^ ]+:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                break
            if not line:
                raise SystemExit("the server did not start")
        threading.Thread(target=lambda: [None for _ in self.p.stderr], daemon=True).start()
        while self.get("/readyz")[0] != 200:
            time.sleep(0.02)

    def get(self, path):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def post(self, body):
        request = urllib.request.Request("http://127.0.0.1:%d/ingest" % self.port, data=body, method="POST",
                                         headers={"Content-Type": "application/x-ndjson"})
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status

    def durability(self):
        return json.loads(self.get("/api/status")[1])["durability"]

    def workers(self):
        workers = json.loads(self.get("/api/workers")[1])["workers"]
        for w in workers:
            w.pop("recentFlags", None)
        return workers

    def kill(self):
        self.p.kill()
        self.p.wait()


def main():
    root = tempfile.mkdtemp(prefix="teamsview-snapshot-figures-")
    try:
        body = lines()
        chunks = [("\n".join(body[i:i + 20000]) + "\n").encode() for i in range(0, len(body), 20000)]
        a = Server(root + "/snap", "--snapshot-interval", "2")
        for c in chunks:
            assert a.post(c) == 200
        taken = a.durability()["snapshot"]["taken"]
        while a.durability()["snapshot"]["taken"] <= taken:
            time.sleep(0.1)
        snapshot = a.durability()["snapshot"]
        floor = a.workers()
        a.kill()
        b = Server(root + "/snap")
        from_snapshot = b.durability()["restored"]
        same_snapshot = b.workers() == floor
        b.kill()
        c = Server(root + "/full", "--snapshot-interval", "86400", "--snapshot-log-bytes", str(1 << 40))
        for chunk in chunks:
            assert c.post(chunk) == 200
        c.kill()
        d = Server(root + "/full")
        full = d.durability()["restored"]
        same_full = d.workers() == floor
        d.kill()
        print(json.dumps({
            "agents": AGENTS, "events": len(body), "snapshotBytes": snapshot["lastBytes"],
            "snapshotWriteSeconds": round(snapshot["lastWriteSeconds"], 3),
            "ingestPauseSeconds": round(snapshot["lastPauseSeconds"], 4),
            "restoreFromSnapshotSeconds": round(from_snapshot["seconds"], 3),
            "recordsReplayedAfterSnapshot": from_snapshot["records"],
            "fullReplaySeconds": round(full["seconds"], 3), "fullReplayRecords": full["records"],
            "fullLogBytes": os.path.getsize(root + "/full/ingest.wal"),
            "sameFloorFromSnapshot": same_snapshot, "sameFloorFullReplay": same_full}))
    finally:
        shutil.rmtree(root, ignore_errors=True)


main()
