"""Filters the Teams View does not understand are said, not silently dropped: the page names the parameter and
the values it takes, and the JSON API answers 400 with the same reason."""

import html
import json
import re

from conftest import event
from test_access import call, secured, session_cookie, sign_in  # noqa: F401 (secured is a fixture)


def floor(server):
    server.ingest([event("worker", -30, worker="W1", name="Ada Held", team="Sales"),
                   event("worker", -30, worker="W2", name="Bob Idle", team="Sales"),
                   event("call.start", -20, worker="W1", call="C1", caller="+15550001"),
                   event("call.hold", -10, worker="W1", call="C1")])


BAD = [("call=hold", "call", "hold", "held"), ("presence=onhold", "presence", "onhold", "on-hold"),
       ("multi=yes", "multi", "yes", "1"), ("sort=longest", "sort", "longest", "hold-time"),
       ("group=flat", "group", "flat", "none")]


def test_an_unknown_filter_value_is_named_on_the_page(serve):
    server = serve()
    floor(server)
    for query, name, value, good in BAD:
        status, _, body = server.get("/?" + query)
        page = html.unescape(body.decode())
        assert status == 200
        notice = re.search(r'<div class="banner banner--filter" id="filter-notice" role="alert">(.*?)</div>', page, re.S)
        assert notice, query
        text = re.sub(r"<[^>]+>", "", notice.group(1))
        assert "%s=%s is not understood" % (name, value) in text and good in text, text
        # The accepted value reads without a notice.
        assert 'id="filter-notice"' not in server.get("/?%s=%s" % (name, good))[2].decode(), good
    # Page caches and ETags tell a misspelt view from the plain one.
    plain = server.get("/")[1].get("ETag")
    assert server.get("/?call=hold")[1].get("ETag") != plain


def test_the_json_api_answers_400_with_the_reason(serve):
    server = serve()
    floor(server)
    for path in ("/api/workers", "/api/summary"):
        for query, name, value, good in BAD:
            status, headers, body = server.get(path + "?" + query)
            assert status == 400, (path, query)
            answer = json.loads(body)
            assert "%s=%s is not understood" % (name, value) in answer["error"]
            # The API returns nothing rather than "the agents below", which a page would show.
            assert answer["error"].endswith("; nothing is returned."), answer["error"]
            assert answer["invalid"][0]["parameter"] == name and answer["invalid"][0]["value"] == value
            assert good in answer["invalid"][0]["accepted"]
        status, _, body = server.get(path + "?call=held")
        assert status == 200, body
    held = json.loads(server.get("/api/workers?call=held")[2])
    assert [w["id"] for w in held["workers"]] == ["W1"], held


def refusal(query):
    """How a notice names a value not followed: a number where a number is taken is out of range, else not understood."""
    value = query.split("=", 1)[1]
    try:
        float(value)
        return "%s is out of range" % query
    except ValueError:
        return "%s is not understood" % query


def notice_text(page):
    """The text of the page's "not understood" notice (the page's and the kiosk's), or None."""
    notice = re.search(r'id="filter-notice" role="alert">(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", "", notice.group(1)) if notice else None


def test_page_per_and_theme_values_that_are_not_followed_are_named(serve):
    server = serve()
    floor(server)
    for query, said in [("page=0", "page 1 is shown"), ("per=abc", "200 rows a page are shown"),
                        ("per=0", "200 rows a page are shown"), ("per=5000", "1000 rows a page are shown"),
                        ("theme=blue", "follow the browser")]:
        status, _, body = server.get("/?" + query)
        text = notice_text(html.unescape(body.decode()))
        assert status == 200 and text, query
        assert refusal(query) in text and said in text, text
    # per=0 falls back to the default window, not to one row.
    assert 'data-live="/live?page=1&amp;per=200"' in server.get("/?per=0")[2].decode()
    for query in ("page=2", "per=50", "theme=dark", "theme="):
        assert notice_text(server.get("/?" + query)[2].decode()) is None, query
    # The notice keeps the view's cache apart from the plain one.
    assert server.get("/?theme=blue")[1].get("ETag") != server.get("/")[1].get("ETag")


def test_the_workers_api_answers_400_for_a_window_it_cannot_follow(serve):
    server = serve()
    floor(server)
    for query in ("page=0", "per=abc", "per=0", "per=5000", "page=x&per=10"):
        status, _, body = server.get("/api/workers?" + query)
        answer = json.loads(body)
        assert status == 400 and refusal(query.split("&")[0]) in answer["error"], (query, answer)
        assert answer["invalid"][0]["parameter"] in ("page", "per") and answer["invalid"][0]["accepted"] == []
        # It says what the API does, not what the page would.
        assert "no rows are returned" in answer["error"] and "is shown" not in answer["error"], (query, answer)
    assert server.get("/api/workers?page=1&per=1")[0] == 200
    # The summary has no window: it does not read page or per.
    assert server.get("/api/summary?per=abc")[0] == 200


def test_a_kiosk_asked_for_no_tiles_shows_its_default_window(serve):
    server = serve()
    floor(server)
    page = server.get("/kiosk?per=0")[2].decode()
    assert 'per=1000"' in page and "per=1\"" not in page, re.findall(r'data-live="[^"]*"', page)
    # The notice counts what the kiosk shows: tiles, not rows.
    text = notice_text(html.unescape(page))
    assert text and "1000 tiles a page are shown" in text and "rows" not in text, text


def test_a_kiosk_window_past_the_end_shows_the_last_one_and_says_so(serve):
    server = serve()
    floor(server)
    page = html.unescape(server.get("/kiosk?page=999")[2].decode())
    text = notice_text(page)
    assert text and "page=999 is out of range" in text and "page 1, the last, is shown" in text, text
    assert 'data-window="1" data-windows="1"' in page and 'id="w-W1"' in page and 'id="w-W2"' in page
    # Two windows of one tile each: page 5 is the second.
    page = html.unescape(server.get("/kiosk?per=1&page=5")[2].decode())
    assert 'data-window="2" data-windows="2"' in page and "page 2, the last, is shown" in notice_text(page)
    assert notice_text(server.get("/kiosk?per=1&page=2")[2].decode()) is None


def test_a_scoped_supervisor_is_told_a_team_outside_their_scope_was_left_out(secured):
    start, _ = secured
    server = start()
    cookie = {"Cookie": session_cookie(sign_in(server, "ana")[1]).split(";")[0]}
    text = notice_text(html.unescape(call(server, "GET", "/?team=Team%20B", cookie)[2].decode()))
    assert text and "team=Team B is not among the teams you may see (Team A)" in text, text
    assert "left out" in text
    # Asking for their own team says nothing; the team outside is never shown either way.
    assert notice_text(call(server, "GET", "/?team=Team%20A", cookie)[2].decode()) is None
    body = call(server, "GET", "/?team=Team%20A&team=Team%20B", cookie)[2].decode()
    assert "Bob Baker" not in body and "team=Team B is not among" in html.unescape(body)
    # Whoever sees every team is not told anything.
    boss = {"Cookie": session_cookie(sign_in(server, "boss")[1]).split(";")[0]}
    assert notice_text(call(server, "GET", "/?team=Team%20B", boss)[2].decode()) is None


def test_the_kiosk_names_a_filter_value_it_does_not_follow(serve):
    server = serve()
    floor(server)
    status, _, body = server.get("/kiosk?call=hold")
    page = html.unescape(body.decode())
    assert status == 200
    assert 'id="filter-notice"' in page
    assert "call=hold is not understood" in page
    status, _, body = server.get("/kiosk?call=held")
    assert status == 200 and 'id="filter-notice"' not in body.decode()


def test_kiosk_rotate_and_reload_values_that_are_not_followed_are_named(serve):
    server = serve()
    floor(server)
    for query, said in [("rotate=1", "each screen stays 5 seconds"), ("rotate=5000", "each screen stays 600 seconds"),
                        ("rotate=soon", "each screen stays 20 seconds"), ("reload=10", "does not reload itself"),
                        ("reload=12x", "does not reload itself"), ("reload=-1h", "does not reload itself")]:
        text = notice_text(html.unescape(server.get("/kiosk?" + query)[2].decode()))
        assert text and refusal(query) in text and said in text, (query, text)
    # What the notice says is what the kiosk does.
    assert 'data-rotate="5"' in server.get("/kiosk?rotate=1")[2].decode()
    assert 'data-rotate="600"' in server.get("/kiosk?rotate=5000")[2].decode()
    assert 'data-rotate="20"' in server.get("/kiosk?rotate=soon")[2].decode()
    for query in ("rotate=5", "rotate=600", "rotate=7.5", "reload=12h", "reload=90s", "reload=3600", "reload=1.5m", "reload="):
        assert notice_text(server.get("/kiosk?" + query)[2].decode()) is None, query
    # The Teams View reloads itself too (live.js): it names a reload it will not do, and no rotate (it has none).
    text = notice_text(html.unescape(server.get("/?reload=30s")[2].decode()))
    assert text and "reload=30s is not understood" in text, text
    assert notice_text(server.get("/?reload=30m")[2].decode()) is None
    assert notice_text(server.get("/?rotate=1")[2].decode()) is None


def test_the_incidents_list_names_a_window_it_cannot_follow(serve):
    server = serve()
    floor(server)
    for query, said in [("per=-5", "100 rows a page are shown"), ("per=5000", "1000 rows a page are shown"),
                        ("page=0", "page 1 is shown")]:
        status, _, body = server.get("/incidents?" + query)
        text = notice_text(html.unescape(body.decode()))
        assert status == 200 and text and refusal(query) in text and said in text, (query, text)
    assert notice_text(server.get("/incidents?per=50&page=2")[2].decode()) is None
