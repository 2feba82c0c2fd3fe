"""<rstat-odds> in a real browser at phone width on the whole product with forecasts: a website's page
shows what GET /v1/stages/{id}/odds answers, the clinched title marked, within the phone's width; a
corrected result entered through the management API takes the mark away without a reload."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from rstat.settings import Settings
from tests.e2e.proxy import Proxy
from tests.integration.predictions_support import League, Product, start_product

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
#: generous: the chain (CDC, Kafka, the worker, its forecast, the public app) on a slow machine, in milliseconds
WAIT_MS = 120_000


class Site:
    def __init__(self, product: Product, league: League, pages: Path, proxy: Proxy) -> None:
        self.product, self.league, self.pages, self.proxy = product, league, pages, proxy

    def page_file(self, name: str, body: str) -> str:
        (self.pages / name).write_text(
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="rstat-api-key" content="{self.league.api_key}"><title>{name}</title>
<script type="module" src="/widgets/rstat-widgets.js"></script></head><body>{body}</body></html>"""
        )
        return f"{self.proxy.url}/site/{name}"

    def rest(self, path: str) -> Any:
        with httpx.Client(base_url=self.product.apis.urls["public"], headers={"X-API-Key": self.league.api_key}) as c:
            r = c.get(path)
            assert r.status_code == 200, r.text
            return r.json()


@pytest.fixture(scope="module")
def site(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    assert (DIST / "manifest.json").exists(), "the bundle is not built: `make web` (make test builds it)"
    tmp = tmp_path_factory.mktemp("odds")
    pages = tmp / "site"
    pages.mkdir()
    for product in start_product(stack, tmp, RSTAT__API__SITE_DIR=str(pages), RSTAT__API__WEB_DIST=str(DIST)):
        league = League(product.apis)
        proxy = Proxy(int(product.apis.urls["public"].rsplit(":", 1)[1]))
        try:
            yield Site(product, league, pages, proxy)
        finally:
            proxy.close()
            league.admin.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_the_odds_follow_a_correction_on_a_phone(site: Site, phone: Page) -> None:
    league = site.league
    leader = league.teams[0]
    url = site.page_file("odds.html", f'<rstat-odds stage="{league.stage}"></rstat-odds>')
    phone.goto(url)
    widget = phone.locator("rstat-odds")
    title = widget.locator(f'tr[data-team-id="{leader}"] td[data-zone="title"]')
    expect(title).to_have_attribute("data-state", "clinched", timeout=WAIT_MS)
    expect(title).to_contain_text("100%")
    expect(title).to_contain_text("clinched")
    expect(widget.locator("tbody tr")).to_have_count(4)
    answer = site.rest(f"/v1/stages/{league.stage}/odds")
    shown = widget.locator("tbody tr").evaluate_all("rows => rows.map(r => Number(r.dataset.teamId))")
    assert shown == [t["team_id"] for t in answer["teams"]]
    expect(widget.locator(".matches li")).to_have_count(2)
    # the page never scrolls sideways at phone width: the table scrolls inside the widget
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    r = league.admin.patch(
        f"/v1/orgs/{league.org}/matches/{league.matches[(0, 2)]}",
        json={"status": "finished", "home_score": 0, "away_score": 2, "decided_in": "REG"},
    )
    assert r.status_code == 200, r.text
    expect(title).to_have_attribute("data-state", "open", timeout=WAIT_MS)
    answer = site.rest(f"/v1/stages/{league.stage}/odds")
    odds = next(t for t in answer["teams"] if t["team_id"] == leader)
    assert odds["clinched"] == []
    # as the widget writes it (Math.round: half up)
    expect(title).to_contain_text(f"{math.floor(odds['zone_probabilities']['title'] * 100 + 0.5)}%")
