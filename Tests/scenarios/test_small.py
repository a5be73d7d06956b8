"""The smaller hardening points, against the real binary: team ids, BOM, bidi controls, caching,
repeated tokens and the ingest token file."""

import json
import re
import subprocess

from conftest import event, wait_for


def test_team_ids_do_not_collide(serve):
    server = serve()
    teams = ["Tech Support", "tech-support!", "Поддержка", "Продажи", "支持"]
    status, _ = server.ingest([event("worker", -10, worker="W%d" % i, name="Agent %d" % i, team=team)
                               for i, team in enumerate(teams)])
    assert status == 200
    _, headers, body = server.get("/")
    ids = re.findall(r'<tbody class="team" id="(team-[^"]+)"', body.decode())
    assert len(ids) == len(teams) and len(set(ids)) == len(teams), ids
    assert any(i.startswith("team-tech-support-") for i in ids)


def test_a_byte_order_mark_does_not_cost_the_first_event(serve, tmp_path):
    feed = tmp_path / "events.ndjson"
    lines = [event("worker", -10, worker="BOM1", name="First Line", team="Sales"),
             event("worker", -10, worker="BOM2", name="Second Line", team="Sales")]
    feed.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(e) + "\n" for e in lines).encode())
    server = serve("--events", feed)
    wait_for(lambda: b"BOM1" in server.get("/api/workers")[2], message="the first event of the file")
    # A POSTed body with a BOM, NDJSON and a JSON array alike.
    status, reply = server.post_raw(b"\xef\xbb\xbf" + json.dumps(event("worker", -5, worker="BOM3", name="Posted",
                                                                        team="Sales")).encode() + b"\n")
    assert status == 200 and reply["accepted"] == 1, reply
    status, reply = server.post_raw(b"\xef\xbb\xbf" + json.dumps([event("worker", -5, worker="BOM4", name="Array",
                                                                         team="Sales")]).encode())
    assert status == 200 and reply["accepted"] == 1, reply


def test_bidi_controls_in_names_cannot_reorder_the_page(serve):
    server = serve()
    server.ingest([event("worker", -10, worker="W1", name="Eve \u202eLIVE\u202c Doe", team="Sales\u2067x\u2069")])
    _, _, body = server.get("/")
    page = body.decode()
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        assert control not in page
    assert "Eve LIVE Doe" in page


def test_caching_private_pages_revalidate_and_the_api_is_not_stored(serve):
    server = serve()
    for _ in range(5):  # the page's ETag changes every second: retry across a boundary
        status, headers, _ = server.get("/")
        assert status == 200 and headers["Cache-Control"] == "private, no-cache"
        again = server.get("/", headers={"If-None-Match": headers["ETag"]})
        if again[0] == 304:
            break
    assert again[0] == 304 and again[1]["Cache-Control"] == "private, no-cache"
    assert server.get("/api/workers")[1]["Cache-Control"] == "no-store"
    assert server.get("/status")[1]["Cache-Control"] == "private, no-cache"


def test_repeated_token_is_refused_and_the_token_comes_from_a_file(serve, binary, tmp_path):
    token_file = tmp_path / "ingest.token"
    token_file.write_text("s3cret-token\n")
    server = serve("--ingest-token-file", token_file)
    line = (json.dumps(event("worker", -1, worker="T1", name="Tok", team="Sales")) + "\n").encode()
    assert server.post("/ingest?token=s3cret-token", line)[0] == 200
    status, _, reply = server.post("/ingest?token=s3cret-token&token=other", line)
    assert status == 400 and b"give it once" in reply
    assert server.post("/ingest?token=wrong", line)[0] == 403
    assert "deprecated" not in server.log
    old = serve("--ingest-token", "s3cret-token")
    assert old.post("/ingest", line, {"Authorization": "Bearer s3cret-token"})[0] == 200
    wait_for(lambda: "--ingest-token is deprecated" in old.log, message="the deprecation warning")
    empty = tmp_path / "empty.token"
    empty.write_text("\n")
    refused = subprocess.run([binary, "serve", "--port", "0", "--ingest-token-file", str(empty)],
                             capture_output=True, timeout=30)
    assert refused.returncode != 0 and b"is empty" in refused.stderr
