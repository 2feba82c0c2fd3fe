"""The console's crawl jobs and a match's history in Chromium on the real chain (admin API -> PostgreSQL ->
CDC -> Kafka -> the audit writer -> ClickHouse, read back by the admin app): an owner creates a crawl job
(the API's refusal shown next to the field first), sees its last run's summary and pauses it; a match's
history shows who changed the score through the admin API and what was changed by hand in SQL, each field
before → after; with the audit writer stopped the page says so in words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from psycopg.types.json import Jsonb

from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis, start_apis
from tests.integration.audit_support import AuditProcess, audit_process
from tests.integration.cdc_support import CdcEnv, drop_env, make_env
from tests.integration.live_support import League, build_league
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
#: generous, in milliseconds: a page waits on the apps
WAIT_MS = 30_000
SLUG = "console-history"


@dataclass
class Product:
    chain: CdcEnv
    apis: Apis
    audit: AuditProcess
    league: League

    @property
    def console(self) -> str:
        return f"{self.apis.urls['admin']}/console/"


@pytest.fixture(scope="module")
def product(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    assert (DIST / "manifest.json").exists(), "the bundles are not built: `make web` (make test builds them)"
    tmp = tmp_path_factory.mktemp("console-history")
    chain = make_env(stack, tmp)
    audit = audit_process(chain.env, tmp)
    try:
        chain.start()
        chain.wait_streaming()
        audit.start()
        for apis in start_apis(
            stack, tmp, database=chain.name, RSTAT__API__AUDIT_URL=audit.url, RSTAT__API__WEB_DIST=str(DIST)
        ):
            league = build_league(apis, SLUG)
            try:
                yield Product(chain, apis, audit, league)
            finally:
                league.admin.close()
    finally:
        audit.stop()
        drop_env(chain)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, product: Product) -> None:
    page.goto(product.console)
    page.get_by_label("Email").fill(f"owner@{SLUG}.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Competitions")).to_be_visible(timeout=WAIT_MS)


def test_an_owner_manages_a_crawl_job(product: Product, desk: Page) -> None:
    page, league = desk, product.league
    sign_in(page, product)
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Crawl jobs").click()
    expect(page.get_by_text("No crawl jobs yet.")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="New crawl job").click()
    page.get_by_label("Spider").select_option("fbref")
    page.get_by_label("Arguments").fill("competition=9\nseason=2023-2024")
    page.get_by_label("Follow its games live").check()
    page.get_by_role("button", name="Create crawl job").click()
    # the table's rule, refused by the API, next to the box it is about
    expect(page.locator("#cj-live-error")).to_have_text(
        "only NHL games are followed live: untick it, or choose the nhl spider", timeout=WAIT_MS
    )
    page.get_by_label("Spider").select_option("nhl")
    page.get_by_label("Arguments").fill("season=20242025\ndate=2024-10-08")
    page.get_by_label("Runs every (seconds)").fill("600")
    page.get_by_role("button", name="Create crawl job").click()
    expect(page.get_by_role("status")).to_contain_text("The crawl job is created", timeout=WAIT_MS)
    jobs = league.admin.get(f"/v1/orgs/{league.org}/crawl_jobs").json()["items"]
    assert [(j["spider"], j["arguments"], j["every_s"], j["live"], j["enabled"]) for j in jobs] == [
        ("nhl", {"season": "20242025", "date": "2024-10-08"}, 600, True, True)
    ]
    job = jobs[0]["id"]

    # a run as the scheduler records it: its summary in the job's row
    with product.chain.connect() as conn:
        summary = {"spider": "nhl", "pages": 3, "items": 4, "written": 3, "unchanged": 0, "rows": 40,
                   "dropped": {"unknown_team": 1}, "conflicts": []}  # fmt: skip
        conn.execute(
            "INSERT INTO crawl_runs (job_id, ended_at, outcome, summary) VALUES (%s, now(), 'succeeded', %s)",
            (job, Jsonb(summary)),
        )
    page.reload()
    row = page.locator(f"tr[data-id='{job}']")
    expect(row.locator(".outcome-succeeded")).to_have_text("succeeded", timeout=WAIT_MS)
    expect(row.locator("xpath=.//dt[.='Dropped']/following-sibling::dd[1]")).to_have_text("1: unknown_team 1")
    row.get_by_role("button", name=re.compile("^Pause ")).click()
    expect(row).to_have_attribute("data-enabled", "false", timeout=WAIT_MS)
    assert league.admin.get(f"/v1/orgs/{league.org}/crawl_jobs/{job}").json()["enabled"] is False


def test_a_matchs_history_one_click_away_and_the_audit_away_in_words(product: Product, desk: Page) -> None:
    page, league = desk, product.league
    match = league.matches[0]
    league.patch_match(match["id"], home_score=1, away_score=0)
    with product.chain.connect() as conn:  # by hand in SQL: no attribution
        conn.execute("UPDATE matches SET attendance = 4321 WHERE id = %s", (match["id"],))

    def both_recorded() -> bool:
        product.audit.running()
        r = league.admin.get(f"/v1/orgs/{league.org}/matches/{match['id']}/history")
        assert r.status_code == 200, r.text
        fields = {c["field"] for e in r.json()["items"] for c in e["changes"]}
        assert {"home_score", "attendance"} <= fields, fields
        return True

    eventually(both_recorded, message="the score and the change by hand in the match's history")

    sign_in(page, product)
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Matches").click()
    page.locator(f"tr[data-id='{match['id']}']").get_by_role("link", name=re.compile("^History of ")).click()
    expect(page.get_by_role("heading", name=re.compile("^History of the match "))).to_be_visible(timeout=WAIT_MS)
    assert page.url.endswith(f"#/o/{league.org}/history/{match['id']}")
    score = page.locator("tbody tr", has=page.locator("li[data-field=home_score]")).first
    expect(score.locator("td.who")).to_have_text(f"owner@{SLUG}.example", timeout=WAIT_MS)
    expect(score.locator("td.source")).to_have_text("admin API")
    expect(score.locator("li[data-field=home_score]")).to_have_text("home_score: — → 1")
    by_hand = page.locator("tbody tr", has=page.locator("li[data-field=attendance]")).first
    expect(by_hand.locator("td.who")).to_have_text("by hand in SQL")
    expect(by_hand.locator("li[data-field=attendance]")).to_have_text("attendance: — → 4321")

    product.audit.stop()  # the audit writer away: said in words, not an empty page
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^The audit trail is not running: start `rstat audit`"), timeout=WAIT_MS
    )
    expect(page.locator("tbody tr")).to_have_count(0)
