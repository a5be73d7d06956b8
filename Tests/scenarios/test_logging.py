"""Log formats and the access log: `--log-format json|logfmt` give one parseable line per message, and
`--access-log` one line per request, with no token from a query string in any of them."""

import json
import re
import time

from conftest import event, open_live, wait_for

SECRET = "s3cret-kiosk-7f1c"
INGEST_SECRET = "s3cret-ingest-22d9"


def access_lines(records):
    return [r for r in records if r.get("label") == "teamsview.access"]


def find(records, method, path, status):
    return [r for r in access_lines(records)
            if r.get("method") == method and r.get("path") == path and r.get("status") == status]


def test_json_lines_and_access_log(serve):
    server = serve("--log-format", "json", "--access-log", "--live-probe-ms", "50")
    assert server.get("/kiosk?token=%s&rotate=10" % SECRET)[0] == 200
    assert server.get("/no/such/page?x=1")[0] == 404
    status, _, _ = server.post("/ingest?token=" + INGEST_SECRET,
                               (json.dumps(event("worker", -5, worker="W1", name="Ann", team="Sales", activity="Available")) + "\n").encode())
    assert status == 200
    # The sign-in page's way back may carry a whole target, token included.
    assert server.get("/signin?return=%2Fkiosk%3Ftoken%3D" + SECRET)[0] in (200, 303, 404)
    live, head = open_live(server)
    assert " 200 " in head + " "
    time.sleep(0.2)
    live.close()
    # The stream's line comes when it ends: once the server noticed the client left.
    wait_for(lambda: '"path":"/live"' in server.log, message="the access line of the ended /live stream")
    server.stop()

    records = []
    for line in server.log_lines:
        record = json.loads(line)  # every line is one JSON object
        assert isinstance(record, dict)
        assert list(record)[:4] == ["time", "level", "label", "msg"], line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"]), line
        records.append(record)
    assert any(r["label"] == "teamsview" and r["msg"].startswith("serving http://") for r in records)

    kiosk = find(records, "GET", "/kiosk", 200)
    assert len(kiosk) == 1, access_lines(records)
    assert kiosk[0]["query"] == "token=REDACTED&rotate=10"
    assert kiosk[0]["level"] == "info" and kiosk[0]["peer"] == "127.0.0.1" and kiosk[0]["outcome"] == "completed"
    assert isinstance(kiosk[0]["bytes"], int) and kiosk[0]["bytes"] > 0
    assert isinstance(kiosk[0]["duration_ms"], (int, float)) and kiosk[0]["duration_ms"] >= 0
    assert len(find(records, "GET", "/no/such/page", 404)) == 1
    ingest = find(records, "POST", "/ingest", 200)
    assert len(ingest) == 1 and ingest[0]["query"] == "token=REDACTED"
    live_lines = find(records, "GET", "/live", 200)
    assert len(live_lines) == 1 and live_lines[0]["duration_ms"] >= 200 and live_lines[0]["bytes"] > 0
    # The client closed it: not a stream the server ended.
    assert live_lines[0]["outcome"] == "client_gone"
    # Counts are numbers, not strings, for a shipper to sum.
    listening = [r for r in records if r["msg"] == "HTTP server listening"]
    assert listening and isinstance(listening[0]["port"], int) and isinstance(listening[0]["tls"], bool), listening
    stopped = [r for r in records if r["msg"] == "HTTP server stopped"]
    assert stopped and isinstance(stopped[0]["took_ms"], float) and isinstance(stopped[0]["unfinished"], int), stopped

    assert SECRET not in server.log and INGEST_SECRET not in server.log


def parse_logfmt(line):
    """key=value pairs; a quoted value may hold spaces, `=` and escapes (\\" \\\\ \\n \\t \\r \\u00XX)."""
    pairs, i, n = {}, 0, len(line)
    while i < n:
        j = line.index("=", i)
        key = line[i:j]
        assert key and " " not in key and '"' not in key, line
        i = j + 1
        if i < n and line[i] == '"':
            i += 1
            value = []
            while line[i] != '"':
                if line[i] == "\\":
                    escaped = line[i + 1]
                    if escaped == "u":
                        value.append(chr(int(line[i + 2:i + 6], 16)))
                        i += 6
                        continue
                    value.append({"n": "\n", "t": "\t", "r": "\r"}.get(escaped, escaped))
                    i += 2
                else:
                    value.append(line[i])
                    i += 1
            i += 1
            pairs[key] = "".join(value)
        else:
            j = line.find(" ", i)
            j = n if j < 0 else j
            value = line[i:j]
            assert '"' not in value and "=" not in value, line
            pairs[key] = value
            i = j
        assert i == n or line[i] == " ", line
        i += 1
    return pairs


def test_logfmt_lines(serve):
    server = serve("--log-format", "logfmt", "--access-log")
    assert server.get("/kiosk?token=%s&theme=a%%20b" % SECRET)[0] == 200
    server.stop()
    records = []
    for line in server.log_lines:
        assert line.endswith("\n") and "\n" not in line[:-1]
        records.append(parse_logfmt(line[:-1]))
    assert all(list(r)[:4] == ["time", "level", "label", "msg"] for r in records)
    assert any(r["msg"] == "HTTP server listening" and r["label"] == "teamsview.http" for r in records)
    kiosk = [r for r in access_lines(records) if r.get("path") == "/kiosk"]
    assert len(kiosk) == 1 and kiosk[0]["status"] == "200" and kiosk[0]["msg"] == "GET /kiosk 200"
    assert kiosk[0]["query"] == "token=REDACTED&theme=a%20b"
    assert SECRET not in server.log


def test_text_by_default_and_no_access_log(serve):
    server = serve()
    assert server.get("/kiosk?token=" + SECRET)[0] == 200
    server.stop()
    assert "teamsview.access" not in server.log
    # swift-log's text lines, as before: `<time> <level> <label>: … message`.
    assert any(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info teamsview: \[teamsview\] serving http://", line)
               for line in server.log_lines), server.log
