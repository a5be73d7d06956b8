"""Abuse scenarios against the real teamsview binary on loopback (no browser).

Each test starts `teamsview serve --port 0 ARGS`, reads the port it logs, and attacks it the way a
careless or hostile client would: slow heads, streams that never read, departed clients, floods
of parameters, workers and calls. Waits are short because the server's are configurable.

Environment: ``TEAMSVIEW_BIN`` (default ``.build/debug/teamsview``).
"""

import json
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def raise_file_limit(wanted=8192):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


class Server:
    """One `teamsview serve` process; its log is kept for assertions."""

    def __init__(self, binary, args, tls_ca=None, wait_ready=True):
        # A data directory of its own unless the test names one: no server replays another's log.
        self.scratch = None
        if "--data-dir" not in args and "--in-memory" not in args:
            self.scratch = tempfile.mkdtemp(prefix="teamsview-scenario-")
            args = [*args, "--data-dir", self.scratch]
        self.process = subprocess.Popen([binary, "serve", "--port", "0", *args], cwd=str(ROOT),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log_lines = []
        self.tls_ca = tls_ca
        ready = threading.Event()
        self.port = None
        self.scheme = "http"

        def pump():
            for raw in self.process.stderr:
                line = raw.decode("utf-8", "replace")
                self.log_lines.append(line)
                found = re.search(r"serving (https?)://[^ ]+:(\d+)/", line)
                if found:
                    self.scheme, self.port = found.group(1), int(found.group(2))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(30) or self.port is None:
            self.stop()
            raise AssertionError("the server did not start:\n" + self.log)
        if wait_ready:
            # The floor is restored from the data directory first: /readyz (and POST /ingest) answer 503 until then.
            deadline = time.monotonic() + 60
            while self.get("/readyz")[0] != 200:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("the server did not become ready:\n" + self.log)
                time.sleep(0.05)

    @property
    def log(self):
        return "".join(self.log_lines)

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def context(self):
        if self.scheme != "https":
            return None
        return ssl.create_default_context(cafile=self.tls_ca)

    def get(self, path, headers=None, timeout=5):
        """(status, headers, body) of a GET; error statuses are returned, not raised."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.context()) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def post(self, path, body, headers=None, timeout=10):
        headers = {"Content-Type": "application/x-ndjson", **(headers or {})}
        request = urllib.request.Request(self.url + path, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.context()) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def post_raw(self, body):
        """POST /ingest with these exact bytes; (status, JSON reply)."""
        status, _, reply = self.post("/ingest", body, {"Content-Type": "application/x-ndjson"})
        return status, json.loads(reply)

    def ingest(self, events):
        body = "".join(json.dumps(e) + "\n" for e in events).encode()
        status, _, reply = self.post("/ingest", body, {"Content-Type": "application/x-ndjson"})
        return status, json.loads(reply)

    def metric(self, name, labels=None, timeout=5):
        """The value of one sample in /metrics (0 when absent)."""
        _, _, body = self.get("/metrics", timeout=timeout)
        for line in body.decode().splitlines():
            if line.startswith("#"):
                continue
            key, _, value = line.rpartition(" ")
            sample = key.split("{")[0]
            if sample != name:
                continue
            if labels and not all('%s="%s"' % kv in key for kv in labels.items()):
                continue
            return float(value)
        return 0.0

    def rss_bytes(self):
        with open("/proc/%d/status" % self.process.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


@pytest.fixture
def binary():
    path = os.environ.get("TEAMSVIEW_BIN", str(ROOT / ".build" / "debug" / "teamsview"))
    if not os.path.exists(path):
        pytest.fail("no teamsview binary at %s: run swift build first" % path)
    return path


@pytest.fixture
def serve(binary):
    servers = []

    def start(*args, tls_ca=None, wait_ready=True):
        server = Server(binary, [str(a) for a in args], tls_ca=tls_ca, wait_ready=wait_ready)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def stamp(offset=0.0):
    t = time.time() + offset
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + (".%03dZ" % int((t % 1) * 1000))


def event(kind, offset=0.0, **fields):
    e = {"type": kind, "at": stamp(offset)}
    e.update(fields)
    return e


def wait_for(predicate, timeout=10.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + message)


def open_live(server, source="127.0.0.1", headers=""):
    """A raw /live request; returns (socket, status line)."""
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", server.port))
    s.sendall(("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n%s\r\n" % headers).encode())
    head = s.recv(4096)
    return s, head.split(b"\r\n", 1)[0].decode()
