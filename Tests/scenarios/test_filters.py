"""Filters the Teams View does not understand are said, not silently dropped: the page names the parameter and
the values it takes, and the JSON API answers 400 with the same reason."""

import html
import json
import re

from conftest import event


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
            assert answer["invalid"][0]["parameter"] == name and answer["invalid"][0]["value"] == value
            assert good in answer["invalid"][0]["accepted"]
        status, _, body = server.get(path + "?call=held")
        assert status == 200, body
    held = json.loads(server.get("/api/workers?call=held")[2])
    assert [w["id"] for w in held["workers"]] == ["W1"], held
