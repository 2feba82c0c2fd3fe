"""The widgets in a real browser on the whole product: a website's page (served by the public app's /site/)
pastes the bundle's one script and the elements, Chromium opens it, and what it shows is what the public
API answers; a goal committed through the management API reaches the page without a reload, also after
the page's connection was cut for 10 s; a wrong API key is said in words."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from rstat.settings import Settings
from tests.e2e.proxy import Proxy
from tests.integration.api_support import Apis
from tests.integration.live_support import League, build_league, start_product
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
#: generous: the chain (CDC, Kafka, the worker, the public app) on a slow machine, in milliseconds
WAIT_MS = 120_000
OUTAGE_S = 10.0


class Site:
    def __init__(self, apis: Apis, league: League, site: Path, proxy: Proxy) -> None:
        self.apis, self.league, self.dir, self.proxy = apis, league, site, proxy

    def page_file(self, name: str, key: str, body: str) -> str:
        (self.dir / name).write_text(
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="rstat-api-key" content="{key}"><title>{name}</title>
<script type="module" src="/widgets/rstat-widgets.js"></script></head><body>{body}</body></html>"""
        )
        return f"{self.proxy.url}/site/{name}"

    def rest(self, path: str) -> Any:
        with httpx.Client(base_url=self.apis.urls["public"], headers={"X-API-Key": self.league.api_key}) as c:
            r = c.get(path)
            assert r.status_code == 200, r.text
            return r.json()


@pytest.fixture(scope="module")
def site(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    assert (DIST / "manifest.json").exists(), "the bundle is not built: `make web` (make test builds it)"
    tmp = tmp_path_factory.mktemp("widgets")
    pages = tmp / "site"
    pages.mkdir()
    env = {"RSTAT__API__SITE_DIR": str(pages), "RSTAT__API__WEB_DIST": str(DIST)}
    for _chain, apis in start_product(stack, tmp, **env):
        league = build_league(apis, "widgets")
        proxy = Proxy(int(apis.urls["public"].rsplit(":", 1)[1]))
        try:
            yield Site(apis, league, pages, proxy)
        finally:
            proxy.close()
            league.admin.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # a desktop: every column
    yield context.new_page()
    context.close()


def test_every_widget_shows_what_the_api_answers(site: Site, page: Page) -> None:
    league = site.league
    played = league.matches[-1]  # a finished match in the table, the first one stays for the live tests
    league.goal(played, 20)
    league.patch_match(played["id"], status="finished", home_score=1, away_score=0, decided_in="REG")
    url = site.page_file(
        "all.html",
        league.api_key,
        f"""<rstat-standings stage="{league.stage}"></rstat-standings>
<rstat-scoreboard stage="{league.stage}" round="{played["round"]}"></rstat-scoreboard>
<rstat-match match="{played["id"]}"></rstat-match>
<rstat-leaders season="{league.season}" stat="goals"></rstat-leaders>
<rstat-calendar stage="{league.stage}"></rstat-calendar>""",
    )
    page.goto(url)

    def standings_api() -> list[tuple[int, str]] | None:
        """The materialized table once it has the result (the page may hear of it first, from the feed)."""
        groups = site.rest(f"/v1/stages/{league.stage}/standings")
        rows = groups[0]["rows"] if groups else []
        table = [(r["team_id"], str(r["points"])) for r in rows]
        return table if (played["home_team_id"], "3") in table else None

    # the table is the API's, row for row (once the statistics have the result)
    rows = page.locator("rstat-standings tr[data-team-id]")
    expect(rows).to_have_count(len(league.teams), timeout=WAIT_MS)
    expect(page.locator(f'rstat-standings tr[data-team-id="{played["home_team_id"]}"] [data-col=points]')).to_have_text(
        "3", timeout=WAIT_MS
    )
    expected = eventually(standings_api, message="the table with the result", timeout=WAIT_MS / 1000)
    assert [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.teamId)")] == [t for t, _ in expected]
    points = page.locator("rstat-standings tr[data-team-id] [data-col=points]").all_inner_texts()
    assert [p.strip() for p in points] == [p for _, p in expected]
    # the second row says in words why it is below the first
    second = rows.nth(1)
    assert second.get_attribute("data-decided-by") in site.rest("/v1/criteria")
    assert (second.get_attribute("title") or "").startswith(("Below", "Level"))

    match = page.locator("rstat-match")
    expect(match.locator("[data-home-score]")).to_have_text("1", timeout=WAIT_MS)
    expect(match.locator("[data-away-score]")).to_have_text("0")
    expect(match.locator('li[data-kind="goal"]')).to_have_count(1)
    expect(match.locator("li[data-kind=goal]")).to_contain_text("Striker")

    board = page.locator(f'rstat-scoreboard tr[data-match-id="{played["id"]}"]')
    expect(board.locator("[data-home-score]")).to_have_text("1", timeout=WAIT_MS)
    expect(page.locator("rstat-leaders tr[data-player-id]")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator(f'rstat-leaders tr[data-player-id="{league.player}"] [data-col=G]')).to_have_text("1")
    expect(page.locator("rstat-calendar tr[data-match-id]")).to_have_count(len(league.matches), timeout=WAIT_MS)

    # readable on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_goal_appears_live_and_after_a_cut_connection(site: Site, desk: Page) -> None:
    page = desk
    league = site.league
    live = league.matches[0]
    url = site.page_file(
        "live.html",
        league.api_key,
        f"""<rstat-match match="{live["id"]}"></rstat-match>
<rstat-standings stage="{league.stage}" live></rstat-standings>""",
    )
    page.goto(url)
    home = page.locator("rstat-match [data-home-score]")
    goals_for = page.locator(f'rstat-standings tr[data-team-id="{live["home_team_id"]}"] [data-col=goals]')
    expect(page.locator("rstat-match [part=header]")).to_have_attribute("data-status", "live", timeout=WAIT_MS)
    before = int(home.inner_text() or 0)
    # the live table's goals of the home side before (the first test checked the table against the API)
    expect(goals_for).to_have_text(re.compile(r"^\d+:\d+$"), timeout=WAIT_MS)
    scored, conceded = (int(n) for n in goals_for.inner_text().split(":"))

    # a goal committed through the management API appears without a reload
    league.goal(live, 30)
    league.patch_match(live["id"], home_score=before + 1, away_score=0)
    expect(home).to_have_text(str(before + 1), timeout=WAIT_MS)
    expect(goals_for).to_have_text(f"{scored + 1}:{conceded}", timeout=WAIT_MS)
    assert page.evaluate("window.rstat.connections()[0].state") == "open"

    # the visitor's network drops for 10 s; a goal is scored meanwhile; the page shows it once back
    site.proxy.cut()
    cut_at = time.monotonic()
    league.goal(live, 40)
    league.patch_match(live["id"], home_score=before + 2, away_score=0)
    assert site.rest(f"/v1/matches/{live['id']}")["home_score"] == before + 2
    expect(page.locator("rstat-match [data-state=reconnecting]")).to_be_visible(timeout=WAIT_MS)
    assert home.inner_text() == str(before + 1)  # it could not have heard of it
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - cut_at)))  # the outage itself, not a wait for a result
    site.proxy.restore()
    expect(home).to_have_text(str(before + 2), timeout=WAIT_MS)
    expect(goals_for).to_have_text(f"{scored + 2}:{conceded}", timeout=WAIT_MS)
    expect(page.locator("rstat-match li[data-kind=goal]")).to_have_count(before + 2, timeout=WAIT_MS)


def test_a_wrong_api_key_is_said_in_words(site: Site, page: Page) -> None:
    client_id = site.league.api_key.split(":", 1)[0]
    url = site.page_file(
        "wrong.html", f"{client_id}:not-the-secret", f'<rstat-standings stage="{site.league.stage}"></rstat-standings>'
    )
    page.goto(url)
    alert = page.locator("rstat-standings [role=alert]")
    expect(alert).to_be_visible(timeout=WAIT_MS)
    expect(alert).to_contain_text("API key")
    expect(page.locator("rstat-standings tr[data-team-id]")).to_have_count(0)
