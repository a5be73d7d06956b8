"""Sign-in and access against the real binary: users and sessions, lock-out, team scope, kiosk and API
tokens, refusing the network without sign-in, Host/Origin rules, Twilio signatures, caller masking."""

import base64
import hashlib
import hmac
import http.client
import json
import re
import subprocess
import time
import urllib.parse

import pytest

from conftest import event, wait_for

PASSWORD = "correct horse battery"


def call(server, method, path, headers=None, body=None, host=None):
    """(status, headers as a dict of lists, body) without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    fields = {"Host": host or "127.0.0.1:%d" % server.port, **(headers or {})}
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in fields.items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    headers_out = {}
    for name, value in response.getheaders():
        headers_out.setdefault(name.lower(), []).append(value)
    data = response.read()
    connection.close()
    return response.status, headers_out, data


def add_user(binary, users, name, teams, tmp_path):
    secret = tmp_path / ("pw-" + name)
    secret.write_text(PASSWORD + "\n")
    done = subprocess.run([binary, "users", "add", name, "--teams", teams, "--users", str(users),
                           "--password-file", str(secret), "--cost", "4"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def create_token(binary, data_dir, kind, teams):
    done = subprocess.run([binary, "tokens", "create", "--kind", kind, "--teams", teams, "--label", "test",
                           "--data-dir", str(data_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    fields = dict(line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)
    return fields["id"], fields["token"]


def sign_in(server, name, password=PASSWORD, origin=None):
    status, _, page = call(server, "GET", "/signin")
    assert status == 200
    token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"token": token, "return": "/", "user": name, "password": password}).encode()
    return call(server, "POST", "/signin", {"Content-Type": "application/x-www-form-urlencoded",
                                             "Origin": origin or "http://127.0.0.1:%d" % server.port}, form)


def session_cookie(headers):
    for value in headers.get("set-cookie", []):
        if value.startswith("tv_session="):
            return value
    return None


def floor(server, token=None):
    """Two teams: A1 in Team A, B1 in Team B, each on a call."""
    lines = [
        event("worker", -60, worker="A1", name="Alice Able", team="Team A", activity="Available"),
        event("worker", -60, worker="B1", name="Bob Baker", team="Team B", activity="Available"),
        event("call.start", -30, worker="A1", call="CAA1", direction="inbound", **{"from": "+15550001111"}),
        event("call.start", -30, worker="B1", call="CAB1", direction="inbound", **{"from": "+15550002222"}),
    ]
    body = "".join(json.dumps(e) + "\n" for e in lines).encode()
    headers = {"Content-Type": "application/x-ndjson"}
    if token:
        headers["Authorization"] = "Bearer " + token
    status, _, reply = call(server, "POST", "/ingest", headers, body)
    reply = json.loads(reply)
    assert status == 200 and reply["rejected"] == 0, reply


@pytest.fixture
def secured(serve, binary, tmp_path):
    users = tmp_path / "users.json"
    add_user(binary, users, "ana", "Team A", tmp_path)
    add_user(binary, users, "boss", "*", tmp_path)
    data = tmp_path / "data"

    def start(*extra):
        server = serve("--users", users, "--data-dir", data, "--lockout-failures", 3, *extra)
        floor(server)
        return server
    return start, data


def test_sign_in_sets_a_strict_http_only_cookie_and_opens_the_pages(secured):
    start, data = secured
    server = start()
    status, headers, _ = call(server, "GET", "/?team=Team%20A")
    assert status == 303 and headers["location"][0].startswith("/signin?return=")
    assert call(server, "GET", "/api/workers")[0] == 401
    assert call(server, "GET", "/healthz")[0] == 200
    status, headers, _ = sign_in(server, "ana")
    assert status == 303 and headers["location"] == ["/"]
    cookie = session_cookie(headers)
    assert cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; under TLS it carries Secure
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert len(session_id) >= 43
    status, _, page = call(server, "GET", "/", {"Cookie": cookie.split(";")[0]})
    assert status == 200 and b"Alice Able" in page and b'href="/signout"' in page
    # Signing out ends the session.
    _, _, form = call(server, "GET", "/signout", {"Cookie": cookie.split(";")[0]})
    token = re.search(rb'name="token" value="([^"]+)"', form).group(1).decode()
    status, headers, _ = call(server, "POST", "/signout", {
        "Cookie": cookie.split(";")[0], "Origin": "http://127.0.0.1:%d" % server.port,
        "Content-Type": "application/x-www-form-urlencoded"}, ("token=" + token).encode())
    assert status == 303 and "Max-Age=0" in session_cookie(headers)
    assert call(server, "GET", "/api/workers", {"Cookie": cookie.split(";")[0]})[0] == 401
    audit = [json.loads(line) for line in (data / "audit.log").read_text().splitlines()]
    assert [a["event"] for a in audit if a["event"] in ("signin.ok", "signout")] == ["signin.ok", "signout"]


def test_failed_sign_ins_lock_the_user_out_and_are_counted(secured):
    start, data = secured
    server = start()
    assert sign_in(server, "ana", "wrong password")[0] == 401
    assert sign_in(server, "nobody", "wrong password")[0] == 401
    assert sign_in(server, "ana", "wrong again")[0] == 401
    assert sign_in(server, "ana", "and again")[0] == 401
    # Locked: even the right password is refused, without a cookie.
    status, headers, page = sign_in(server, "ana")
    assert status == 429 and session_cookie(headers) is None and b"Too many failed sign-ins" in page
    # Another user from the same address is not locked yet.
    assert sign_in(server, "boss")[0] == 303
    assert server.metric("teamsview_signin_attempts_total", {"outcome": "failed"}) == 4
    assert server.metric("teamsview_signin_attempts_total", {"outcome": "locked"}) == 1
    assert server.metric("teamsview_signin_lockouts_total", {"by": "user"}) == 1
    events = [json.loads(line)["event"] for line in (data / "audit.log").read_text().splitlines()]
    assert events.count("signin.failed") == 4 and "signin.locked" in events


def test_a_supervisor_of_team_a_never_sees_team_b(secured):
    start, _ = secured
    server = start()
    cookie = session_cookie(sign_in(server, "ana")[1]).split(";")[0]
    h = {"Cookie": cookie}
    boss = session_cookie(sign_in(server, "boss")[1]).split(";")[0]
    # The whole floor's page was just served for the same target: none of it is reused for her.
    for path in ["/", "/?team=Team%20B", "/kiosk"]:
        assert b"Bob Baker" in call(server, "GET", path, {"Cookie": boss})[2], path
    for path in ["/", "/?team=Team%20B", "/api/workers", "/api/workers?team=Team%20B", "/api/summary",
                 "/kiosk", "/api/incidents", "/api/incidents?team=Team%20B"]:
        status, _, body = call(server, "GET", path, h)
        assert status == 200, path
        # The page says the team asked for was left out (naming it as asked); nothing else names it.
        body = re.sub(rb'<div class="banner banner--filter" id="filter-notice".*?</div>', b"", body, flags=re.S)
        assert b"Bob Baker" not in body and b"Team B" not in body and b"B1" not in body, path
    # Nor how many agents the floor has beyond her team: the count is of Team A, on the page, the kiosk and the stream.
    for path in ["/", "/kiosk"]:
        body = call(server, "GET", path, h)[2]
        assert b"1 of 1 agents" in body and b"of 2 agents" not in body, path
    workers = json.loads(call(server, "GET", "/api/workers", h)[2])["workers"]
    assert [w["id"] for w in workers] == ["A1"]
    assert call(server, "GET", "/api/workers/B1", h)[0] == 404
    assert call(server, "GET", "/api/workers/A1", h)[0] == 200
    summary = json.loads(call(server, "GET", "/api/summary", h)[2])
    assert summary["agents"] == 1
    # The live stream's first message carries the scoped view only.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/live", headers={"Cookie": cookie, "Accept": "text/event-stream"})
    response = connection.getresponse()
    assert response.status == 200
    first = response.fp.read1(65536)
    deadline = time.monotonic() + 5
    while b"Alice" not in first and time.monotonic() < deadline:
        first += response.fp.read1(65536)
    assert b"Alice Able" in first and b"Bob Baker" not in first
    assert b"1 of 1 agents" in first and b"of 2 agents" not in first
    connection.close()
    # The whole floor's operator pages are for those who see every team.
    assert call(server, "GET", "/status", h)[0] == 403
    # Reports: once the writer has put both agents in, ana's report still names only hers.
    wait_for(lambda: b"Bob Baker" in call(server, "GET", "/report?by=agent", {"Cookie": boss})[2],
             timeout=15, message="both agents in the report")
    for path in ["/report?by=agent", "/report?by=team", "/api/report?by=agent", "/report.csv?by=agent"]:
        status, _, body = call(server, "GET", path, h)
        assert status == 200 and b"Bob Baker" not in body and b"B1" not in body and b"Team B" not in body, path
    assert b"Alice Able" in call(server, "GET", "/report?by=agent", h)[2]
    assert call(server, "GET", "/report/agent/B1", h)[0] == 404
    assert call(server, "GET", "/report/agent/A1", h)[0] == 200


def test_kiosk_token_becomes_a_cookie_until_revoked(secured, binary):
    start, data = secured
    token_id, token = create_token(binary, data, "kiosk", "Team A")
    server = start()
    status, headers, _ = call(server, "GET", "/kiosk?theme=light&token=" + token)
    assert status == 303 and headers["location"] == ["/kiosk?theme=light"]
    cookie = [c for c in headers["set-cookie"] if c.startswith("tv_kiosk=")][0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie
    h = {"Cookie": cookie.split(";")[0]}
    status, _, page = call(server, "GET", "/kiosk?theme=light", h)
    assert status == 200 and b"Alice" in page and b"Bob" not in page
    # Read-only and kiosk-only.
    assert call(server, "GET", "/", h)[0] == 403
    assert call(server, "GET", "/api/workers", h)[0] == 403
    assert call(server, "GET", "/kiosk?token=not-a-token")[0] == 401
    done = subprocess.run([binary, "tokens", "revoke", token_id, "--data-dir", str(data)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: call(server, "GET", "/kiosk", h)[0] == 303, timeout=5, message="the revocation to be seen")
    assert call(server, "GET", "/kiosk?token=" + token)[0] == 401
    events = [json.loads(line)["event"] for line in (data / "audit.log").read_text().splitlines()]
    assert "token.created" in events and "token.revoked" in events


def test_api_token_by_bearer(secured, binary):
    start, data = secured
    _, token = create_token(binary, data, "api", "Team B")
    server = start()
    status, _, body = call(server, "GET", "/api/workers", {"Authorization": "Bearer " + token})
    assert status == 200 and [w["id"] for w in json.loads(body)["workers"]] == ["B1"]
    assert call(server, "GET", "/api/workers", {"Authorization": "Bearer nope"})[0] == 401
    assert call(server, "GET", "/", {"Authorization": "Bearer " + token})[0] == 403
    # /metrics: open on loopback; the scoped token does not widen it elsewhere.
    assert call(server, "GET", "/metrics")[0] == 200


def test_the_network_needs_sign_in_unless_said_loudly(binary, serve):
    done = subprocess.run([binary, "serve", "--host", "0.0.0.0", "--port", "0", "--in-memory"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "refusing to serve 0.0.0.0 without sign-in" in done.stderr
    # A refusal to start, not a mistyped option: no usage text (least of all the root command's).
    assert "Usage:" not in done.stderr, done.stderr
    server = serve("--host", "0.0.0.0", "--insecure-no-auth", "--in-memory")
    assert "NO SIGN-IN" in server.log
    status, _, page = call(server, "GET", "/status")
    assert status == 200 and b"--insecure-no-auth" in page


def test_callers_are_masked_by_default_beyond_loopback(serve):
    server = serve("--host", "0.0.0.0", "--insecure-no-auth", "--in-memory")
    floor(server)
    body = call(server, "GET", "/api/workers/A1")[2]
    assert b"+15550001111" not in body and b"1111" in body
    server = serve("--host", "0.0.0.0", "--insecure-no-auth", "--in-memory", "--no-mask-callers")
    floor(server)
    assert b"+15550001111" in call(server, "GET", "/api/workers/A1")[2]
    server = serve("--in-memory")
    floor(server)
    assert b"+15550001111" in call(server, "GET", "/api/workers/A1")[2]


def test_host_and_origin_are_checked(serve, secured):
    server = serve("--in-memory")
    # DNS rebinding: a name that is not this server's.
    assert call(server, "GET", "/api/workers", host="evil.example:%d" % server.port)[0] == 421
    line = json.dumps(event("worker", -5, worker="R1", name="Rebound", team="Sales")).encode() + b"\n"
    assert call(server, "POST", "/ingest", {"Content-Type": "text/plain"}, line, host="evil.example")[0] == 421
    # A page of another site posting text/plain: refused by Origin.
    status, _, _ = call(server, "POST", "/ingest", {"Content-Type": "text/plain", "Origin": "http://evil.example"}, line)
    assert status == 403
    assert server.metric("teamsview_access_refused_total", {"reason": "host"}) == 2
    # Forms: a cross-site sign-in is refused.
    start, _ = secured
    signed = start()
    assert sign_in(signed, "ana", origin="http://evil.example")[0] == 403
    assert sign_in(signed, "ana")[0] == 303


def test_a_proxy_on_loopback_earns_no_ingest_exemption(serve):
    line = json.dumps(event("worker", -5, worker="P1", name="Proxied", team="Sales")).encode() + b"\n"
    server = serve("--in-memory", "--trusted-proxy", "127.0.0.1")
    assert call(server, "POST", "/ingest", {"Content-Type": "text/plain"}, line)[0] == 403
    server = serve("--in-memory")
    assert call(server, "POST", "/ingest", {"Content-Type": "text/plain"}, line)[0] == 200


def test_auth_proxy_header_only_from_trusted_proxies(serve, binary, tmp_path):
    users = tmp_path / "users.json"
    add_user(binary, users, "ana", "Team A", tmp_path)
    secret = tmp_path / "ingest"
    secret.write_text("producer-token\n")
    server = serve("--users", users, "--in-memory", "--auth-proxy-header", "X-Remote-User", "--trusted-proxy", "127.0.0.1",
                   "--ingest-token-file", secret)
    floor(server, token="producer-token")
    status, _, body = call(server, "GET", "/api/workers", {"X-Remote-User": "ana"})
    assert status == 200 and [w["id"] for w in json.loads(body)["workers"]] == ["A1"]
    assert call(server, "GET", "/api/workers", {"X-Remote-User": "mallory"})[0] == 401
    other = serve("--users", users, "--in-memory", "--auth-proxy-header", "X-Remote-User", "--trusted-proxy", "10.0.0.0/8")
    assert call(other, "GET", "/api/workers", {"X-Remote-User": "ana"})[0] == 401


def twilio_signature(token, url, params):
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_twilio_signatures_are_checked(serve, tmp_path):
    secret = tmp_path / "twilio"
    secret.write_text("twilio-auth-token\n")
    ingest = tmp_path / "ingest"
    ingest.write_text("producer-token\n")
    server = serve("--in-memory", "--twilio-auth-token-file", secret, "--ingest-token-file", ingest,
                   "--public-url", "https://floor.example.com")
    params = {"EventType": "worker.activity.update", "WorkerSid": "WK1", "WorkerName": "Tess",
              "WorkerActivityName": "Available", "Timestamp": str(int(time.time()) - 5)}
    body = urllib.parse.urlencode(params).encode()
    path = "/ingest?token=producer-token"
    good = twilio_signature("twilio-auth-token", "https://floor.example.com" + path, params)
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, reply = call(server, "POST", path, {**h, "X-Twilio-Signature": good}, body, host="floor.example.com")
    assert status in (200, 422), reply  # accepted by the signature; what the decoder makes of the form is its business
    assert b"Signature" not in reply
    status, _, reply = call(server, "POST", path, {**h, "X-Twilio-Signature": "AAAA" + good[4:]}, body, host="floor.example.com")
    assert status == 403 and b"X-Twilio-Signature" in reply
    status, _, reply = call(server, "POST", path, h, body, host="floor.example.com")
    assert status == 403
    assert server.metric("teamsview_access_refused_total", {"reason": "twilio-signature"}) == 2
    # With --public-url, a Host other than its own is not answered.
    assert call(server, "GET", "/healthz", host="other.example")[0] == 421


def test_cookies_are_secure_under_tls(serve, binary, tmp_path):
    from test_tls import make_certificate
    import ssl
    cert, key = make_certificate(tmp_path, "signin")
    users = tmp_path / "users.json"
    add_user(binary, users, "ana", "*", tmp_path)
    server = serve("--users", users, "--in-memory", "--tls-cert", cert, "--tls-key", key, tls_ca=str(cert))
    context = ssl.create_default_context(cafile=str(cert))

    def tls_call(method, path, headers=None, body=None):
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=context)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        result = response.status, response.getheader("Set-Cookie"), response.read()
        connection.close()
        return result

    _, _, page = tls_call("GET", "/signin")
    token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"token": token, "user": "ana", "password": PASSWORD}).encode()
    status, cookie, _ = tls_call("POST", "/signin", {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Origin": "https://127.0.0.1:%d" % server.port}, form)
    assert status == 303 and cookie.startswith("tv_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
