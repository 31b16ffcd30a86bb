"""End to end: the Open MCT display in headless Chromium (Debian's, through Playwright).

The real server runs on a free loopback port with an archive made from the recorded pass
(``data/pass.bin``); the browser reaches nothing but that server. Screenshots of the main
views go to ``test-artifacts/display/``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from ground.dictionary import load_dictionary
from ground.server.app import OPENMCT_DIST

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "display"
# the recorded pass: 2026-01-01T00:00:00Z .. 00:09:59.5Z
FIXED = "tc.mode=fixed&tc.startBound=1767225590000&tc.endBound=1767226210000&tc.timeSystem=utc"
REALTIME = "tc.mode=local&tc.startDelta=600000&tc.endDelta=30000&tc.timeSystem=utc"

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright (Python) is not installed"
)
if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is missing: `make web` installs Debian's chromium", allow_module_level=True
    )
if not OPENMCT_DIST.is_dir():
    pytest.skip(
        "Open MCT is missing: `make web` runs npm ci in ground/web", allow_module_level=True
    )

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, browser_server):
    """One page for the module: views are opened by changing the URL hash, as a user's
    clicks do, so Open MCT loads once."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.kamo_errors = []
    pg.kamo_requests = []
    base = browser_server.base
    pg.on("pageerror", lambda exc: pg.kamo_errors.append(str(exc)))
    pg.on(
        "console",
        lambda m: pg.kamo_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    pg.on("request", lambda r: pg.kamo_requests.append(r.url))
    # nothing but the display server: any other address fails the test
    pg.route(re.compile(r"^(?!" + re.escape(base) + r").*"), lambda route: route.abort())
    pg.kamo_base = base
    yield pg
    context.close()
    assert not [u for u in pg.kamo_requests if not u.startswith(base) and not u.startswith("data:")]


def open_view(page, path: str, query: str = FIXED, reload: bool = False) -> None:
    target = f"#/browse/{path}?{query}"
    if page.url.startswith(page.kamo_base) and not reload:
        page.evaluate("hash => { window.location.hash = hash; }", target)
    else:  # a full load (Open MCT keeps a table's fixed-mode collection across a hash change)
        page.goto(f"{page.kamo_base}/?load={time.monotonic_ns()}{target}")
    page.wait_for_function("window.kamoReady === true", timeout=30_000)


def wait_subscribed(page, key: str, count: int) -> None:
    """Until the page's realtime feed is connected and ``key`` has a subscriber."""
    page.wait_for_function(
        "([key, n]) => window.kamoRealtime && window.kamoRealtime.connected"
        " && window.kamoFeed.listeners.has(key) && window.kamoFeed.listeners.get(key).size >= n",
        arg=[key, count],
        timeout=15_000,
    )


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def tree_item(page, name: str):
    return page.locator(".c-tree__item", has=page.locator(f".c-tree__item__name:text-is('{name}')"))


def expand(page, name: str) -> None:
    tree_item(page, name).locator(".c-disclosure-triangle").first.click()


def test_tree_lists_the_dictionary(page):
    open_view(page, "kamo:spacecraft")
    d = load_dictionary()
    expand(page, "KAMO spacecraft")
    for name in ["Alarms", "Space weather", "Station contacts", "Commanding"] + [
        f"{p.name} (APID {p.apid})" for p in d.packets
    ]:
        tree_item(page, name).first.wait_for(timeout=15_000)
    for p in d.packets:
        expand(page, f"{p.name} (APID {p.apid})")
    names = set(page.locator(".c-tree__item__name").all_inner_texts())
    wanted = {f.name for p in d.packets for f in p.user_fields} | {
        x.name for p in d.packets for x in p.derived
    }
    assert wanted <= names, wanted - names
    shot(page, "tree")
    assert not page.kamo_errors


def test_plot_shows_the_archived_values(page):
    with page.expect_response(lambda r: "/api/history/BATT_V" in r.url) as resp:
        open_view(page, "kamo:spacecraft/kamo:packet.HK/kamo:BATT_V", FIXED + "&view=plot-single")
    body = resp.value.json()
    assert body["count"] == 600
    page.locator(".gl-plot canvas").first.wait_for(timeout=15_000)
    # the y axis spans the archived values: 28.0 V .. 34.79 V
    page.wait_for_function(
        "document.querySelectorAll('.gl-plot-y-tick-label').length > 3", timeout=15_000
    )
    ticks = [float(t) for t in page.locator(".gl-plot-y-tick-label").all_inner_texts() if t.strip()]
    assert min(ticks) <= 28.5 and max(ticks) >= 34.5
    assert max(ticks) < 40 and min(ticks) > 20
    shot(page, "plot_batt_v")
    assert not page.kamo_errors


def test_table_colours_out_of_limit_values(page):
    open_view(page, "kamo:spacecraft/kamo:packet.HK/kamo:BATT_V", FIXED + "&view=table")
    red = page.locator("td.is-limit--red", has_text="34.79")
    red.first.wait_for(timeout=20_000)
    assert red.count() >= 1
    shot(page, "table_batt_v")


def test_out_of_limits_value_shows_as_an_alarm(page):
    open_view(page, "kamo:spacecraft/kamo:alarms")
    row = page.locator(".kamo-active tr[data-parameter='BATT_V']")
    row.wait_for(timeout=15_000)
    assert "kamo-level-red" in row.get_attribute("class")
    assert row.locator(".kamo-value").inner_text() == "34.79 V"
    assert page.locator(".kamo-active tbody tr").count() == 1  # nothing else is out of limits
    page.locator(".kamo-recent tr", has_text="BATT_V").first.wait_for(timeout=10_000)
    shot(page, "alarms")
    assert not page.kamo_errors


def test_spaceweather_panel_shows_levels_and_stale_flags(page, browser_server):
    import httpx

    report = httpx.get(browser_server.base + "/api/spaceweather").json()
    open_view(page, "kamo:spacecraft/kamo:spaceweather")
    badges = page.locator(".kamo-scale")
    badges.first.wait_for(timeout=15_000)
    shown = {
        b.get_attribute("data-scale"): b.locator(".kamo-scale-name").inner_text()
        for b in badges.all()
    }
    assert shown == {
        "G": f"G{report['kp']['g_scale']}",
        "S": f"S{report['protons']['s_scale']}",
        "R": f"R{report['xray']['r_scale']}",
    }
    assert page.locator("[data-stale='true']").count() == 1  # the mag product is a day old
    assert page.locator(".kamo-products tr.kamo-stale", has_text="mag").count() == 1
    shot(page, "spaceweather")


def test_contacts_timeline(page):
    open_view(page, "kamo:spacecraft/kamo:contacts")
    page.locator(".kamo-pass").first.wait_for(timeout=30_000)
    assert page.locator(".kamo-lane").count() >= 2
    shot(page, "contacts")


def test_commanding_view_says_when_the_server_has_commanding_off(page):
    open_view(page, "kamo:spacecraft/kamo:commanding")
    page.locator(".kamo-cmd-state[data-commanding='false']", has_text="commanding is off").wait_for(
        timeout=15_000
    )
    # the form is there all the same (the server refuses with 403); see test_browser_commanding
    assert page.locator(".kamo-cmd-select option").count() == len(load_dictionary().commands)
    assert not page.kamo_errors


def test_realtime_value_appears_when_a_packet_is_appended(page, browser_server):
    open_view(page, "kamo:spacecraft/kamo:packet.HK/kamo:BATT_V", REALTIME + "&view=table", True)
    wait_subscribed(page, "BATT_V", 1)
    t = float(int(time.time()))  # whole seconds, as the recorded archive's time encoding needs
    browser_server.append_hk(31.234, unix_time=t, seq=700)
    try:
        page.locator(".c-telemetry-table__body td[title='31.234']").first.wait_for(timeout=15_000)
    finally:
        shot(page, "realtime_table")
    shot(page, "realtime_table")
    # and an alarm raised live: the alarm list updates from the stream
    open_view(page, "kamo:spacecraft/kamo:alarms", REALTIME)
    # the last archived BATT_V (31.234 V) is nominal: nothing is out of limits
    page.locator(".kamo-summary", has_text="all limited parameters nominal").wait_for(
        timeout=15_000
    )
    wait_subscribed(page, "BATT_V", 1)
    browser_server.append_hk(24.5, unix_time=t + 1, seq=701)  # under yellow low (26 V)
    row = page.locator(".kamo-active tr[data-parameter='BATT_V'].kamo-level-yellow")
    row.wait_for(timeout=15_000)
    assert row.locator(".kamo-value").inner_text() == "24.5 V"
    shot(page, "realtime_alarm")
    assert not page.kamo_errors
