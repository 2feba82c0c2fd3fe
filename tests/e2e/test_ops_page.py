"""The operations page in Chromium: an owner signs in on /ops (the admin app), sees each process's health
and the panels, and a number changes as goals are entered; a wrong password is said so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis
from tests.integration.live_support import League, build_league, start_product
from tests.waiting import eventually

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def product(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Apis, League]]:
    tmp = tmp_path_factory.mktemp("ops-page")
    ports = {"RSTAT__CDC__METRICS_PORT": str(free_port()), "RSTAT__STREAMS__METRICS_PORT": str(free_port())}
    for _chain, apis in start_product(stack, tmp, **ports):
        league = build_league(apis, "opspage")
        try:
            yield apis, league
        finally:
            league.admin.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs it (tools/ensure-prereqs.sh)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def sign_in(page: Page, apis: Apis, email: str, password: str) -> None:
    page.goto(f"{apis.urls['admin']}/ops")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_wrong_password_is_said_so(product: tuple[Apis, League], chromium: Browser) -> None:
    apis, _league = product
    page = chromium.new_page()
    sign_in(page, apis, "owner@opspage.example", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("wrong email or password")
    page.close()


def test_an_owner_sees_the_processes_and_a_number_change(product: tuple[Apis, League], chromium: Browser) -> None:
    apis, league = product
    page = chromium.new_page(viewport={"width": 390, "height": 844})  # a phone
    sign_in(page, apis, "owner@opspage.example", PASSWORD)
    for job in ("rstat-cdc", "rstat-streams", "rstat-public"):
        expect(page.locator(f"li[data-job={job}] .state")).to_have_text("up", timeout=60_000)
    changes = page.locator("[data-panel=changes_per_second] .value")
    before = changes.inner_text()
    match = league.matches[0]
    minute = [0]

    def changed() -> str:
        minute[0] += 1
        league.goal(match, minute=minute[0] % 90 + 1)
        now = changes.inner_text()
        assert now not in (before, "\u2013"), now  # an en dash: no value yet
        return now

    eventually(changed, interval=1.0, message="the changes/s number to change on the page")
    # the session survives a reload (sessionStorage), and nothing overflows a phone's width
    page.reload()
    expect(page.locator("li[data-job=rstat-cdc] .state")).to_have_text("up", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
