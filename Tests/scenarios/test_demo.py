"""The simulated centre and the log an operator reads: `serve --demo` starts a fresh floor every time (nothing
read from or written to a data directory), and routine floor snapshots stay out of the info log."""

import datetime as dt
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

from conftest import ROOT, event, wait_for


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


def test_a_demo_opens_on_a_few_incidents_not_a_wall_of_them(binary, tmp_path):
    """The ten minutes of history played at start hold a few incidents (a misroute and a wrong-call risk among
    them) and a hold past its alert threshold, on a small floor and a large one alike."""
    for agents in ("40", "200"):
        process, port, _ = start_demo(binary, tmp_path, dict(os.environ), "--demo-agents", agents)
        try:
            def get(path):
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
                    return json.load(r)

            # The history is played (its newest event is about now), then written by the reports (once a second).
            def caught_up():
                summary = get("/api/summary")
                return summary.get("lastEventAgeSeconds") is not None and summary["lastEventAgeSeconds"] < 3 and summary
            summary = wait_for(caught_up, timeout=30, message="the demo's history (%s agents)" % agents)
            history_end = time.time()
            time.sleep(2.5)
            incidents = [i for i in get("/api/incidents")["incidents"]
                         if dt.datetime.fromisoformat(i["start"].replace("Z", "+00:00")).timestamp() < history_end - 2]
            kinds = [i["kind"] for i in incidents]
            assert "misroute" in kinds and "wrong-call-risk" in kinds, (agents, kinds)
            assert len(incidents) <= 5, (agents, len(incidents), kinds)
            # The floor still shows what the view is for: agents on two calls, holds, muted held legs, a long hold.
            assert summary["agentsOnMultipleCalls"] >= 1 and summary["callsHeld"] >= 1, summary
            assert summary["mutedCalls"] >= 1 and summary["longestHoldSeconds"] >= 180, summary
        finally:
            stop(process)


def test_a_demo_refuses_a_data_directory(binary, tmp_path):
    done = subprocess.run([binary, "serve", "--demo", "--port", "0", "--data-dir", str(tmp_path / "d")],
                          cwd=str(tmp_path), capture_output=True, timeout=30)
    assert done.returncode != 0
    assert b"--demo starts a fresh floor" in done.stderr, done.stderr
    assert not (tmp_path / "d").exists()


def test_routine_snapshots_log_at_debug_and_the_last_one_at_info(serve):
    server = serve("--snapshot-interval", "0.5", "--log-level", "info")
    for i in range(4):
        status, _ = server.ingest([event("worker", -10, worker="SN%d" % i, name="Agent %d" % i, team="Sales")])
        assert status == 200
        time.sleep(0.8)
    # Snapshots were taken (the status page counts them), none of them in the info log.
    _, _, body = server.get("/api/status")
    assert json.loads(body)["durability"]["snapshot"]["taken"] >= 2, body
    assert "floor snapshot:" not in server.log
    server.ingest([event("worker", -5, worker="SN9", name="Last", team="Sales")])
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(20)
    time.sleep(0.2)
    assert server.log.count("floor snapshot:") == 1, server.log


def test_the_readme_builds_the_server_the_way_the_demo_script_does():
    script = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    builds = [line.strip() for line in script.splitlines() if line.strip().startswith("swift build")]
    assert builds == ["swift build -c release --product teamsview"], builds
    assert "exec .build/release/teamsview serve --demo" in script
    # "Running it" opens with the same build: the server is the one product the demo (and a deployment) needs.
    running = readme.split("\n## Running it\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert running.splitlines()[0].strip() == builds[0], running
    # "Two commands" says what the demo builds, in the same words.
    two_commands = readme.split("\n## Two commands\n", 1)[1].split("\n## ", 1)[0]
    assert builds[0] in two_commands, two_commands
