"""Real-browser tests: headless Chromium (Selenium) against the real teamsview binary.

The server runs as a separate process on a free loopback port, reading an NDJSON file it
follows (``--events FILE --follow``), so a test feeds it by appending lines. Screenshots and
other artefacts go to ``artifacts/`` at the repository root (git-ignored).

Environment: ``TEAMSVIEW_BIN`` (default ``.build/debug/teamsview``), ``CHROME_BIN``
(default ``/usr/bin/chromium``), ``CHROMEDRIVER`` (default ``/usr/bin/chromedriver``).
"""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"


# ---------------------------------------------------------------------------------------------
# Events


def stamp(offset_seconds=0.0):
    """An RFC 3339 UTC timestamp, `offset_seconds` from now."""
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event(kind, offset=0.0, **fields):
    e = {"type": kind, "at": stamp(offset)}
    e.update(fields)
    return e


FIRST = ["Ada", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kofi", "Lena",
         "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tala", "Uma", "Viktor", "Wen", "Ximena"]
LAST = ["Okafor", "Silva", "Wei", "Levi", "Obi", "Haddad", "Petrov", "Sato", "Moreno", "Berg", "Mensah", "Vogel"]
# Last names of the next rounds of the roster (agents 288 on, then 576 on), of other initials: every agent of a
# roster has a name of its own (workers of one name are told apart by a tag on the kiosk, tested on their own).
MORE_LAST = [["Adams", "Costa", "Dahl", "Evans", "Fisher", "Garcia", "Ito", "Jensen", "Kaur", "Nowak", "Ruiz", "Tanaka"],
             ["Ueda", "Yang", "Zorn", "Abe", "Cruz", "Diaz", "Egan", "Fox", "Gil", "Ibsen", "Juhl", "Roy"]]
TEAMS = ["Billing", "Retention", "Sales", "Tech Support"]


def roster(agents=12, teams=TEAMS, busy=True):
    """Workers spread over teams; with `busy`, some on calls, one held and muted on a second call."""
    lines = []
    for i in range(agents):
        wid = "WK%03d" % i
        round_ = i // (len(FIRST) * len(LAST))
        last = LAST if round_ == 0 else MORE_LAST[(round_ - 1) % len(MORE_LAST)]
        name = "%s %s" % (FIRST[i % len(FIRST)], last[(i // len(FIRST) + i) % len(last)])
        team = teams[i % len(teams)]
        lines.append(event("worker", -600, worker=wid, name=name, team=team, skills=[team.lower()],
                           capacity={"voice": 2, "chat": 2}))
        lines.append(event("activity", -590, worker=wid, activity="Available", available=True))
        if busy and i % 3 == 0:
            lines.append(event("call.start", -120 - i, worker=wid, call="CA%03d" % i, **{"from": "+1555000%04d" % i},
                               queue=team, direction="inbound", via="queue"))
    if busy and agents > 4:
        # WK004 holds CA004 (muted) while on a transfer.
        lines.append(event("call.start", -100, worker="WK004", call="CA904", **{"from": "+15559990004"},
                           queue="Billing", direction="inbound", via="queue"))
        lines.append(event("call.hold", -40, worker="WK004", call="CA904"))
        lines.append(event("call.mute", -40, worker="WK004", call="CA904"))
        lines.append(event("call.start", -39, worker="WK004", call="CA905", **{"from": "+15559990005"},
                           direction="inbound", via="transfer"))
    return lines


class EventFile:
    """The NDJSON file the server follows."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.write_text("")

    def append(self, *events):
        with self.path.open("a", encoding="utf-8") as f:
            for e in events:
                f.write((e if isinstance(e, str) else json.dumps(e)) + "\n")
            f.flush()
            os.fsync(f.fileno())


# ---------------------------------------------------------------------------------------------
# Server


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=20.0, interval=0.05, message="condition"):
    """Polls until `predicate()` is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the page may be mid-update; try again
            last_error = e
        time.sleep(interval)
    pytest.fail("timed out after %.0f s waiting for %s%s" % (timeout, message,
                                                             " (last error: %r)" % last_error if last_error else ""))


class Server:
    def __init__(self, binary, events, args=(), port=None, log=None):
        self.binary = binary
        self.events = events
        self.args = list(args)
        self.port = port or free_port()
        self.log_path = log
        self.process = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=30):
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--events", str(self.events.path), "--follow", "--assets", str(ROOT), "--log-level", "warning",
               "--data-dir", str(self.events.path) + ".reports",
               # The fixtures are recorded days (2026-03-10...): replayed with no limit on their events' age.
               "--max-event-age", "0"] + self.args
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(cmd, stdout=log, stderr=log, cwd=str(ROOT))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited with %s: %s" % (self.process.returncode, " ".join(cmd)))
            try:
                # Ready once the floor is restored from the data directory (503 until then).
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError("server did not answer /readyz within %d s" % timeout)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return r.read().decode("utf-8")


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("TEAMSVIEW_BIN") or str(ROOT / ".build/debug/teamsview")
    if not os.access(path, os.X_OK):
        pytest.fail("teamsview binary not found at %s: run `swift build` or set TEAMSVIEW_BIN" % path)
    return path


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def make_server(binary, tmp_path, artifacts):
    """Starts servers for a test: make_server(events=[...], args=[...]) -> Server; stopped afterwards."""
    started = []

    def make(events=(), args=(), port=None):
        feed = EventFile(tmp_path / ("events-%d.ndjson" % len(started)))
        feed.append(*events)
        server = Server(binary, feed, args=args, port=port, log=artifacts / "server.log")
        server.start()
        started.append(server)
        return server

    yield make
    for s in started:
        s.stop()


# ---------------------------------------------------------------------------------------------
# Browser

# Recorded before any page script runs (CDP injection is not subject to the page's CSP).
CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


class Browser:
    def __init__(self, driver):
        self.driver = driver

    def size(self, width, height):
        self.driver.set_window_size(width, height)
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def get(self, url):
        self.driver.get(url)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def console_errors(self):
        entries = self.driver.get_log("browser")
        return [e for e in entries if e.get("level") == "SEVERE"]

    def csp_violations(self):
        return self.js("return window.__csp || []")

    def live_state(self):
        return self.js("return document.body.getAttribute('data-live-state')")

    def wait_live(self, timeout=20):
        wait_for(lambda: self.live_state() == "live", timeout, message="the live stream to connect")

    def text(self, css):
        return self.js("var e = document.querySelector(arguments[0]); return e ? e.textContent : null", css)

    def screenshot(self, path):
        self.driver.save_screenshot(str(path))


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1920,1080",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--disable-gpu"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    b = Browser(driver)
    b.size(1920, 1080)
    yield b
    driver.quit()
