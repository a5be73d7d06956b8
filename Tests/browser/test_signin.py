"""Sign-in and kiosk tokens in Chromium: the form signs in and the live stream runs under the session cookie,
a kiosk token becomes a cookie and leaves the address bar, all under the pages' CSP."""

import subprocess

from conftest import roster, wait_for


def signed_in_server(make_server, binary, tmp_path, extra=()):
    users = tmp_path / "users.json"
    password = tmp_path / "pw"
    password.write_text("a long enough password\n")
    done = subprocess.run([binary, "users", "add", "sam", "--teams", "Sales", "--users", str(users),
                           "--password-file", str(password), "--cost", "4"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return make_server(roster(16), args=["--users", str(users), *extra])


def test_the_sign_in_form_leads_to_a_live_scoped_view(make_server, binary, browser, tmp_path):
    server = signed_in_server(make_server, binary, tmp_path)
    browser.get(server.url + "/?sort=name")
    wait_for(lambda: "/signin" in browser.driver.current_url, message="the sign-in page")
    assert browser.js("return document.title").startswith("Sign in")
    from axe_selenium_python import Axe
    axe = Axe(browser.driver)
    axe.inject()
    violations = [v["id"] for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    assert violations == []
    browser.js("document.querySelector('input[name=user]').value = 'sam';"
               "document.querySelector('input[name=password]').value = 'a long enough password';"
               "document.querySelector('.signin__form').submit()")
    wait_for(lambda: browser.driver.current_url == server.url + "/?sort=name", message="the return to the view")
    browser.wait_live()
    teams = browser.js("return Array.from(document.querySelectorAll('select[name=team] option')).map(o => o.value)")
    assert teams == ["", "Sales"]
    shown = browser.js("return document.querySelector('main').textContent")
    assert "Sales" in shown and not any(t in shown.lower() for t in ("billing", "retention", "tech support"))
    cookie = browser.driver.get_cookie("tv_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert browser.js("return document.cookie") == ""
    assert browser.csp_violations() == []
    assert browser.console_errors() == []


def test_a_kiosk_token_signs_in_a_display_and_leaves_the_address_bar(make_server, binary, browser, tmp_path):
    server = signed_in_server(make_server, binary, tmp_path)
    data = str(server.events.path) + ".reports"
    done = subprocess.run([binary, "tokens", "create", "--kind", "kiosk", "--teams", "Sales", "--data-dir", data],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    token = [line.split("\t", 1)[1] for line in done.stdout.splitlines() if line.startswith("token\t")][0]
    browser.get(server.url + "/kiosk?theme=light&token=" + token)
    wait_for(lambda: browser.driver.current_url == server.url + "/kiosk?theme=light", message="the token to leave the URL")
    browser.wait_live()
    assert token not in browser.driver.current_url
    assert browser.driver.get_cookie("tv_kiosk")["httpOnly"]
    assert browser.csp_violations() == []
