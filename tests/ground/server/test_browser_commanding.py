"""End to end: the commanding form of the display in headless Chromium (Debian's, through
Playwright), against a real server with commanding on (token, mission key, queue).

The form is driven as an operator would: pick a command, fill its arguments, type the token,
press Send. What the server did is checked on its side (queue files verified by
``OnboardVerifier``, the attempt log). Screenshots go to ``test-artifacts/display/``.
"""

from __future__ import annotations

import json
import re

import pytest

from ground.auth import OnboardVerifier
from ground.dictionary import load_dictionary

from .test_browser_display import CHROMIUM, CHROMIUM_ARGS, FIXED, shot

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cmd_page(command_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        pg.kamo_errors = []
        base = command_server.base
        pg.on("pageerror", lambda exc: pg.kamo_errors.append(str(exc)))
        pg.on(
            "console",
            lambda m: (
                pg.kamo_errors.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        pg.route(re.compile(r"^(?!" + re.escape(base) + r").*"), lambda route: route.abort())
        pg.goto(f"{base}/#/browse/kamo:spacecraft/kamo:commanding?{FIXED}")
        pg.wait_for_function("window.kamoReady === true", timeout=30_000)
        pg.locator(".kamo-cmd-select").wait_for(timeout=15_000)
        yield pg
        context.close()
        browser.close()


def fill(page, command: str, **args) -> None:
    page.locator(".kamo-cmd-select").select_option(command)
    for name, value in args.items():
        field = page.locator(f".kamo-cmd-args tr[data-arg='{name}'] .kamo-cmd-input")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def send(page, expect_request: bool = True) -> tuple[str, str]:
    result = page.locator(".kamo-cmd-result")
    if expect_request:
        with page.expect_response(lambda r: r.url.endswith("/api/commands")):
            page.locator(".kamo-cmd-send").click()
        page.wait_for_function(
            "() => !['none', 'pending'].includes("
            "document.querySelector('.kamo-cmd-result').dataset.outcome)"
        )
    else:
        page.locator(".kamo-cmd-send").click()
    return result.get_attribute("data-outcome"), result.inner_text()


def test_commanding_form_blocks_refuses_and_queues(cmd_page, command_server):
    page, srv = cmd_page, command_server
    d = load_dictionary()
    # every dictionary command is offered; the arguments come with their ranges and units
    offered = page.locator(".kamo-cmd-select option").all_inner_texts()
    assert offered == [c.name for c in d.commands]
    page.locator(".kamo-cmd-state[data-commanding='true']").wait_for(timeout=10_000)
    fill(page, "THRUSTER_FIRE")
    rows = {
        r.get_attribute("data-arg"): r.locator("td").all_inner_texts()
        for r in page.locator(".kamo-cmd-args tbody tr").all()
    }
    assert rows["DURATION"][2:] == ["float32", "0.01..600 s", "s"]
    assert rows["OFFSET"][2:] == ["int16", "-1000..1000 ms", "ms"]
    before = sorted(srv.queue.glob("*.tc"))
    requests = []
    page.on("request", lambda r: requests.append(r) if "/api/commands" in r.url else None)

    # 1. no token: blocked in the page, nothing sent
    fill(page, "HEATER_SET", HEATER_ID=2, STATE="ON")
    outcome, text = send(page, expect_request=False)
    assert outcome == "blocked" and "no bearer token" in text
    assert not requests
    # an obvious error (a fraction for an integer) is blocked too, with the reason
    page.locator(".kamo-cmd-token").fill(srv.token)
    fill(page, "HEATER_SET", HEATER_ID="1.5")
    outcome, text = send(page, expect_request=False)
    assert outcome == "blocked" and "HEATER_ID: '1.5' is not an integer" in text
    assert not requests
    shot(page, "commanding_blocked")

    # 2. a wrong token: the server's 401 and its reason
    wrong = srv.token[:-1] + ("A" if srv.token[-1] != "A" else "B")
    page.locator(".kamo-cmd-token").fill(wrong)
    fill(page, "HEATER_SET", HEATER_ID=2)
    outcome, text = send(page)
    assert outcome == "refused" and text.startswith("401 refused: unauthorized: wrong token")
    shot(page, "commanding_wrong_token")

    # 3. out of range: flagged in the page, sent, refused by the server with the dictionary's reason
    page.locator(".kamo-cmd-token").fill(srv.token)
    fill(page, "HEATER_SET", HEATER_ID=9, STATE="ON")
    note = page.locator(".kamo-cmd-args tr[data-arg='HEATER_ID'] .kamo-cmd-note")
    assert "outside 0..3" in note.inner_text()
    outcome, text = send(page)
    assert outcome == "refused"
    assert "422 refused: argument HEATER_ID=9 is out of range; valid range is 0..3" in text
    shot(page, "commanding_out_of_range")
    assert sorted(srv.queue.glob("*.tc")) == before

    # 4. valid: accepted, and the signed packet is in the queue and verifies onboard
    fill(page, "THRUSTER_FIRE", THRUSTER_ID=3, DURATION=1.5, OFFSET=-20)
    outcome, text = send(page)
    assert outcome == "queued", text
    files = sorted(set(srv.queue.glob("*.tc")) - set(before))
    assert len(files) == 1 and files[0].name.endswith("-THRUSTER_FIRE.tc")
    seq = int(files[0].name.split("-")[0])
    assert f"auth seq {seq}," in text and files[0].name in text
    verifier = OnboardVerifier({1: srv.key}, last_seq=seq - 1, dictionary=d)
    verdict = verifier.verify(files[0].read_bytes())
    assert verdict.accepted, verdict
    assert verdict.auth_seq == seq
    args = d.command("THRUSTER_FIRE").decode_args(verdict.args)
    assert args == {"THRUSTER_ID": 3, "DURATION": 1.5, "OFFSET": -20}
    shot(page, "commanding_queued")

    # the session's history: newest first, the three that reached the server
    history = page.locator(".kamo-cmd-history tbody tr")
    assert history.count() == 3
    outcomes = [history.nth(i).locator("td").nth(3).inner_text() for i in range(3)]
    assert outcomes == ["queued", "refused 422", "refused 401"]
    assert "THRUSTER_ID=3, DURATION=1.5, OFFSET=-20" in history.nth(0).inner_text()

    # the token went only in the Authorization header: not in the URL, storage, or the log
    assert [r.headers.get("authorization") for r in requests] == [
        f"Bearer {wrong}",
        f"Bearer {srv.token}",
        f"Bearer {srv.token}",
    ]
    assert all(srv.token not in r.url and srv.token not in (r.post_data or "") for r in requests)
    assert srv.token not in page.url
    stored = page.evaluate("() => JSON.stringify([localStorage, sessionStorage])")
    assert srv.token not in stored and wrong not in stored
    assert page.locator(".kamo-cmd-token").get_attribute("type") == "password"
    log = (srv.queue / "commands.log").read_text()
    assert srv.token not in log and wrong not in log
    last = [json.loads(line) for line in log.splitlines()][-3:]
    assert [e["outcome"] for e in last] == ["unauthorized", "refused", "queued"]
    assert not page.kamo_errors
