"""The organizer's console in Chromium on the whole product: an organizer builds a small league from nothing
(competition, season, stage; six teams imported from CSV, one bad row fixed after the import's report;
the calendar previewed, then saved) and the public standings show the six teams; a wrong password and an
expired session are said in words; a scorer cannot reach the organizer's pages; a viewer sees no button
that would be refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis
from tests.integration.live_support import League, build_league, start_product

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
#: generous, in milliseconds: a page waits on the apps; the standings on the whole chain (CDC, Kafka, worker)
WAIT_MS = 30_000
CHAIN_MS = 120_000

ORGANIZER = "organizer@console-build.example"
TEAMS = ["Fjord Lions", "Harbour Tigers", "Glacier Bears", "Valley Wolves", "Summit Eagles", "Coast Sharks"]
#: the fourth data row has no name: the import refuses every row and reports that one
CSV = "name,short_name,code\n" + "\n".join(
    f"{'' if i == 3 else name},{name.split()[1]},{name[0]}{name.split()[1][:2].upper()}" for i, name in enumerate(TEAMS)
)


@dataclass
class Product:
    apis: Apis
    #: a league built through the API (the scorer and the viewer are members of its organization)
    club: League

    @property
    def console(self) -> str:
        return f"{self.apis.urls['admin']}/console/"

    def admin(self, email: str) -> httpx.Client:
        return self.apis.client("admin", self.apis.login(email)["access_token"])


@pytest.fixture(scope="module")
def product(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    assert (DIST / "manifest.json").exists(), "the bundles are not built: `make web` (make test builds them)"
    tmp = tmp_path_factory.mktemp("console-organizer")
    env = {
        "RSTAT__API__WEB_DIST": str(DIST),
        "RSTAT__CDC__METRICS_PORT": str(free_port()),
        "RSTAT__STREAMS__METRICS_PORT": str(free_port()),
    }
    for _chain, apis in start_product(stack, tmp, **env):
        apis.user(ORGANIZER, org="console-build")
        club = build_league(apis, "console-club")
        for role in ("scorer", "viewer"):
            r = club.admin.post(
                f"/v1/orgs/{club.org}/members",
                json={"email": f"{role}@console-club.example", "role": role, "password": PASSWORD},
            )
            assert r.status_code == 201, r.text
        try:
            yield Product(apis, club)
        finally:
            club.admin.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def sign_in(page: Page, product: Product, email: str, password: str = PASSWORD) -> None:
    page.goto(product.console)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def rows(client: httpx.Client, org: int, resource: str, **query: Any) -> dict[str, Any]:
    r = client.get(f"/v1/orgs/{org}/{resource}", params=query)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def no_wider_than_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_wrong_password_is_said_so(product: Product, desk: Page) -> None:
    sign_in(desk, product, ORGANIZER, "not the password")
    expect(desk.get_by_role("alert")).to_have_text("Sign-in failed: wrong email or password", timeout=WAIT_MS)
    expect(desk.get_by_label("Password")).to_be_visible()


def test_an_organizer_builds_a_league_and_the_public_standings_show_it(product: Product, desk: Page) -> None:
    page = desk
    admin = product.admin(ORGANIZER)
    org = next(o["id"] for o in admin.get("/v1/orgs").json() if o["slug"] == "console-build")
    sign_in(page, product, ORGANIZER)
    expect(page.get_by_role("heading", name="Competitions")).to_be_visible(timeout=WAIT_MS)
    assert page.url.endswith(f"#/o/{org}/competitions")  # the only organization opens by itself

    # competition -> season -> stage, each created on its parent's page
    page.get_by_role("button", name="New competition").click()
    page.get_by_label("Name", exact=True).fill("Fjord League")
    page.get_by_label("Sport").select_option("football")
    page.get_by_label("Short name for addresses").fill("fjord-league")
    page.get_by_role("button", name="Create competition").click()
    page.get_by_role("link", name="Fjord League").click()
    page.get_by_role("button", name="New season").click()
    page.get_by_label("Name", exact=True).fill("2026")
    page.get_by_role("button", name="Create season").click()
    page.get_by_role("link", name="2026").click()
    page.get_by_role("button", name="New stage").click()
    page.get_by_label("Name", exact=True).fill("Regular season")
    page.get_by_label("Regulation").select_option("premier-league")
    # the preset's criteria, each with what it compares
    criteria = page.locator("ol.criteria li")
    expect(criteria.first).to_contain_text("goal difference")
    expect(page.locator("li[data-criterion=h2h_points]")).to_contain_text("points in the matches among the tied teams")
    page.get_by_role("button", name="Create stage").click()
    expect(page.get_by_role("heading", name="Regular season")).to_be_visible(timeout=WAIT_MS)
    created = re.search(r"/stages/(\d+)/calendar$", page.url)  # a new stage opens on its calendar
    assert created is not None, page.url
    stage = int(created.group(1))
    expect(page.get_by_text("A calendar needs at least two teams")).to_be_visible()

    # six teams from CSV: one bad row, reported next to it; nothing imported until it is fixed
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Import").click()
    page.get_by_label("Rows (CSV or JSON)").fill(CSV)
    page.get_by_role("button", name="Import teams").click()
    bad = page.locator("tr.bad")
    expect(bad).to_have_count(1, timeout=WAIT_MS)
    expect(bad).to_have_attribute("data-row", "4")
    expect(bad.locator(".problem")).to_contain_text("name")
    expect(page.get_by_role("alert")).to_have_text("1 of 6 rows are not valid; nothing was imported")
    assert rows(admin, org, "teams")["total"] == 0
    page.get_by_label("Row 4 name").fill(TEAMS[3])
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 6 teams.", timeout=WAIT_MS)
    assert sorted(t["name"] for t in rows(admin, org, "teams")["items"]) == sorted(TEAMS)

    # the calendar: previewed (nothing saved), then saved
    page.get_by_role("link", name="Competitions").first.click()
    page.get_by_role("link", name="Fjord League").click()
    page.get_by_role("link", name="2026").click()
    page.get_by_role("link", name="Regular season").click()
    page.get_by_role("navigation", name="Stage").get_by_role("link", name="Calendar").click()
    for team in TEAMS:
        expect(page.get_by_label(team, exact=True)).to_be_checked(timeout=WAIT_MS)
    page.get_by_label("First kick-off").fill("2026-09-05T16:00")
    page.get_by_role("button", name="Preview calendar").click()
    expect(page.locator("table.preview tbody tr")).to_have_count(30, timeout=WAIT_MS)  # 6 teams, home and away
    assert rows(admin, org, "matches", stage_id=stage)["total"] == 0
    page.get_by_role("button", name="Save calendar").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: 30 matches in 10 rounds.", timeout=WAIT_MS)
    assert rows(admin, org, "matches", stage_id=stage)["total"] == 30

    # the public standings, one click away: the standings widget reading the public app
    page.get_by_role("navigation", name="Stage").get_by_role("link", name="Standings").click()
    table = page.locator("rstat-standings tbody tr")
    expect(table).to_have_count(6, timeout=CHAIN_MS)
    for team in TEAMS:
        expect(page.locator("rstat-standings tbody")).to_contain_text(team)

    # a match postponed from the stage's list
    page.get_by_role("navigation", name="Stage").get_by_role("link", name="Matches").click()
    first = page.locator("tr[data-id]").first
    expect(first).to_have_attribute("data-status", "scheduled", timeout=WAIT_MS)
    match = int(first.get_attribute("data-id") or 0)
    first.get_by_role("button", name=re.compile("^Postpone ")).click()
    expect(page.locator(f"tr[data-id='{match}']")).to_have_attribute("data-status", "postponed", timeout=WAIT_MS)
    assert admin.get(f"/v1/orgs/{org}/matches/{match}").json()["status"] == "postponed"
    admin.close()


def test_an_expired_session_is_said_so(product: Product, desk: Page) -> None:
    page = desk
    sign_in(page, product, "owner@console-club.example")
    expect(page.get_by_role("heading", name="Competitions")).to_be_visible(timeout=WAIT_MS)
    # the session runs out: its refresh token revoked elsewhere, its access token past its expiry
    stored = page.evaluate("JSON.parse(localStorage.getItem('rstat-console-session'))")
    with product.apis.client("identity") as identity:
        r = identity.post(
            "/v1/token/revoke",
            json={"refresh_token": stored["refresh_token"]},
            headers={"Authorization": f"Bearer {stored['access_token']}"},
        )
        assert r.status_code in (200, 204), r.text
    page.evaluate(
        "() => { const s = JSON.parse(localStorage.getItem('rstat-console-session')); s.expires_at = Date.now() - 1000;"
        " localStorage.setItem('rstat-console-session', JSON.stringify(s)); }"
    )
    page.reload()
    expect(page.get_by_role("alert")).to_have_text("your session has expired: sign in again", timeout=WAIT_MS)
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate("localStorage.getItem('rstat-console-session')") is None


def test_a_scorer_cannot_reach_the_organizers_pages(product: Product, phone: Page) -> None:
    page, club = phone, product.club
    sign_in(page, product, "scorer@console-club.example")
    expect(page.get_by_role("heading", name="Matches")).to_be_visible(timeout=WAIT_MS)
    assert page.url.endswith(f"#/o/{club.org}/matches")
    # every match in play or to play has its Score link to the scoring page; nothing else to press
    first = club.matches[0]
    row = page.locator(f"tr[data-id='{first['id']}']")
    expect(row.get_by_role("link", name=re.compile("^Score "))).to_have_attribute(
        "href", f"#/o/{club.org}/score/{first['id']}", timeout=WAIT_MS
    )
    expect(row.get_by_role("button")).to_have_count(0)
    no_wider_than_the_screen(page)
    page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Organization").get_by_role("link")
    expect(nav).to_have_text(["Matches", "Other organizations"])
    # an organizer's page by its address: refused in words, no buttons
    for path in ("competitions", f"stages/{club.stage}/calendar", "teams", "members"):
        page.goto(f"{product.console}#/o/{club.org}/{path}")
        expect(page.get_by_role("alert")).to_contain_text(
            "Your role in this organization (scorer) cannot", timeout=WAIT_MS
        )
        expect(page.get_by_role("button", name=re.compile("^(New|Create|Edit|Delete|Import)"))).to_have_count(0)
        expect(page.locator("rsc-resource, rsc-stage, rsc-members")).to_have_count(0)


def test_a_viewer_sees_no_button_that_would_be_refused(product: Product, phone: Page) -> None:
    page, club = phone, product.club
    sign_in(page, product, "viewer@console-club.example")
    expect(page.get_by_role("heading", name="Competitions")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("tr[data-id]")).to_have_count(1, timeout=WAIT_MS)
    expect(page.get_by_role("button", name="New competition")).to_have_count(0)
    for path in ("teams", "players", f"stages/{club.stage}", f"stages/{club.stage}/settings", f"seasons/{club.season}"):
        page.goto(f"{product.console}#/o/{club.org}/{path}")
        expect(page.locator("main h2").first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_role("alert")).to_have_count(0)
        names = [n for n in page.get_by_role("button").all_inner_texts() if n.strip() not in ("Menu", "Sign out")]
        assert names == [], (path, names)
        no_wider_than_the_screen(page)
    # the stage's tabs: no calendar generation, and nothing to score
    page.goto(f"{product.console}#/o/{club.org}/stages/{club.stage}/matches")
    expect(page.locator("tr[data-id]").first).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("navigation", name="Stage").get_by_role("link", name="Calendar")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Score "))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Import "))).to_have_count(0)
