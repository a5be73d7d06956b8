"""The simulated centre: `serve --demo` starts a fresh floor every time (nothing read from or written to a data
directory)."""

import json
import os
import re
import signal
import subprocess
import threading
import urllib.request

from conftest import wait_for


def start_demo(binary, cwd, env, *args):
    """`teamsview serve --demo --port 0 ARGS` run in `cwd`; (process, port, log lines)."""
    process = subprocess.Popen([binary, "serve", "--demo", "--port", "0", *args], cwd=str(cwd), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines, found = [], threading.Event()

    def pump():
        for raw in process.stderr:
            lines.append(raw.decode("utf-8", "replace"))
            if re.search(r"serving http://[^ ]+:\d+/", lines[-1]):
                found.set()
        found.set()

    threading.Thread(target=pump, daemon=True).start()
    assert found.wait(30), "".join(lines)
    port = int(re.search(r"serving http://[^ ]+:(\d+)/", "".join(lines)).group(1))
    return process, port, lines


def workers(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/api/workers" % port, timeout=5) as r:
        return json.load(r)["workers"]


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(20)


def test_every_demo_starts_a_fresh_floor_and_keeps_nothing_on_disk(binary, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "STATE_DIRECTORY": str(state)}
    for run in range(2):
        process, port, lines = start_demo(binary, tmp_path, env, "--demo-agents", "6")
        try:
            floor = wait_for(lambda: (lambda w: w if len(w) == 6 and any(x["calls"] for x in w) else None)(workers(port)),
                             timeout=30, message="the simulated floor (run %d)" % run)
            # No agent carries a call the simulation does not know: none over its capacity.
            for w in floor:
                assert len(w["calls"]) <= w["capacity"]["voice"]["total"], (run, w)
        finally:
            stop(process)
        assert not (tmp_path / "teamsview-data").exists(), "the demo wrote ./teamsview-data"
        assert list(state.iterdir()) == [], "the demo wrote $STATE_DIRECTORY"
        assert "fresh simulated floor" in "".join(lines)


def test_a_demo_refuses_a_data_directory(binary, tmp_path):
    done = subprocess.run([binary, "serve", "--demo", "--port", "0", "--data-dir", str(tmp_path / "d")],
                          cwd=str(tmp_path), capture_output=True, timeout=30)
    assert done.returncode != 0
    assert b"--demo starts a fresh floor" in done.stderr, done.stderr
    assert not (tmp_path / "d").exists()
