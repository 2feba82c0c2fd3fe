"""``rstat bench console``: a scorer's entry in the console to the score on a website's page, and the
offline queue's replay.

The product runs on private names (:mod:`rstat.bench.product`: CDC reader, stream worker, identity, admin
and public apps) over the league of :mod:`rstat.bench.league`, with a scorer member. Debian's Chromium
(headless, Playwright) opens two pages: the console's scorer page of one match at a phone's size, signed
in as the scorer, and the website's page with that match's ``<rstat-match>`` widget, whose score a script
reads every 5 ms (``window.rstatSeen``, as ``rstat bench web`` does).

- ``event_entry_to_public_p99_ms``: per goal, the wall-clock time of the click that confirms the entry to
  the first time the website's widget shows the score it made; ``ENTRIES`` goals after ``WARM_UP``, entered
  one after the other as a scorer would (each once the previous one shows), home and away in turn. It includes the
  console's own requests (the event, then the running score), the CDC reader, Kafka, the worker, the live
  feed and the widget.
- ``offline_replay_duplicates``: the console's network is cut (``context.set_offline``), ``OFFLINE`` goals
  are entered, the network returns; once the console shows no pending entry, the match's goal events in
  PostgreSQL minus the goals entered (0 when every replay was idempotent). ``offline_replay_s``: from the
  network's return to the last pending entry sent.
- ``console_bundle_gzip_kb``: the console bundle gzipped at level 9 (the widgets it embeds for standings
  are the widget bundle's own modules, shared in it).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from typing import Any

import psycopg

from rstat.bench.league import League, seed_league
from rstat.bench.product import CHROMIUM, DIST, private_product, sync_playwright_or_explain
from rstat.errors import RStatError
from rstat.ops.stack.process import wait_until
from rstat.settings import Settings

__all__ = ["bench_console"]

ENTRIES = 50
OFFLINE = 10
#: entries made first and not measured: the first goal of a page and of a worker takes paths once (the
#: widget's first protocol read, the worker's first statistics of the stage) that no later goal takes
WARM_UP = 2
TARGETS = {"event_entry_to_public_p99_ms": 1500, "offline_replay_duplicates": 0}
SCORER = "scorer@bench.example"
PASSWORD = "bench-scorer-password"  # noqa: S105 - a private bench database's throwaway user
WATCH = """
window.rstatSeen = [];
let last = "";
setInterval(() => {
  const root = document.querySelector("rstat-match")?.shadowRoot;
  const home = root?.querySelector("[data-home-score]")?.textContent?.trim();
  const away = root?.querySelector("[data-away-score]")?.textContent?.trim();
  if (!home || !away) return;
  const score = home + ":" + away;
  if (score !== last) { last = score; window.rstatSeen.push([Number(home), Number(away), Date.now()]); }
}, 5);
"""


def _progress(text: str) -> None:
    print(f"bench console: {text}", file=sys.stderr, flush=True)


def console_gzip_kb() -> float:
    manifest = json.loads((DIST / "manifest.json").read_text())
    return round(len(gzip.compress((DIST / manifest["rstat-console"]).read_bytes(), 9)) / 1024, 1)


def _add_scorer(dsn: str) -> int:
    """The scorer member of the league's organization; returns the organization's id."""
    from api.passwords import hash_secret  # noqa: PLC0415 - keeps the API out of `rstat --help`

    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        org = conn.execute("SELECT id FROM organizations WHERE slug = 'bench'").fetchone()
        user = conn.execute(
            "INSERT INTO users (email, password_hash, display_name) VALUES (%s, %s, 'Bench scorer') RETURNING id",
            (SCORER, hash_secret(PASSWORD)),
        ).fetchone()
        if org is None or user is None:
            raise RStatError("the bench league has no organization")
        conn.execute("INSERT INTO memberships (org_id, user_id, role) VALUES (%s, %s, 'scorer')", (org[0], user[0]))
    return int(org[0])


def _site(league: League, match: int) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench</title>
<meta name="rstat-api-key" content="{league.client_id}:{league.secret}">
<script type="module" src="/widgets/rstat-widgets.js"></script></head>
<body><rstat-match match="{match}"></rstat-match></body></html>
"""


def bench_console(settings: Settings) -> dict[str, Any]:
    sync_playwright = sync_playwright_or_explain()
    with private_product(settings, "console", ("identity", "admin", "public")) as (product, env):
        league = seed_league(product.dsn)
        org = _add_scorer(product.dsn)
        match = league.matches[0][0]
        (product.home / "site" / "index.html").write_text(_site(league, match))
        product.start(env)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            site = browser.new_page()
            site.add_init_script(WATCH)
            site.goto(f"{product.url('public')}/site/")
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            console = phone.new_page()
            try:
                _sign_in(console, product.url("admin"), org, match)
                result = _measure(site, console, phone)
            except Exception:
                # what the scorer's page showed, beside the logs the failed bench keeps
                console.screenshot(path=str(product.home / "console.png"))
                site.screenshot(path=str(product.home / "site.png"))
                raise
            with psycopg.connect(product.dsn, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM match_events WHERE match_id = %s AND kind = 'goal'", (match,)
                ).fetchone()
            result["offline_replay_duplicates"] = int(row[0] if row else 0) - WARM_UP - ENTRIES - OFFLINE
            browser.close()
        return {**result, "console_bundle_gzip_kb": console_gzip_kb(), "targets": TARGETS}


def _sign_in(page: Any, admin: str, org: int, match: int) -> None:
    _progress("signing the scorer in")
    page.goto(f"{admin}/console/")
    page.get_by_label("Email").fill(SCORER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # a scorer lands on the matches of the organization; Score opens the match's page
    page.locator(f'a[href$="#/o/{org}/score/{match}"]').click(timeout=60_000)
    _ready(page)


def _ready(page: Any) -> None:
    """The scorer's buttons (the bench's matches are live, so the page opens past the line-ups step)."""
    page.locator("rstat-scorer button[data-action=goal]").wait_for(timeout=60_000)


def _enter_goal(page: Any, home: bool) -> None:
    """Goal, the team, save: the three taps a scorer makes for a goal without a named scorer."""
    page.locator("rstat-scorer button[data-action=goal]").click()
    page.locator(f"rstat-scorer button[data-pick=team][data-value={'home' if home else 'away'}]").click()
    page.locator("rstat-scorer button[data-save]").click()
    page.locator("rstat-scorer [data-sheet]").wait_for(state="detached", timeout=60_000)


def _pending(page: Any) -> int:
    return int(page.locator("li[data-entry-state=pending]").count())


def _measure(site: Any, console: Any, phone: Any) -> dict[str, Any]:
    def shown(goals: int) -> float | None:
        seen: list[list[float]] = site.evaluate("window.rstatSeen")
        return next((t for h, a, t in seen if h + a >= goals), None)

    _progress(f"{WARM_UP} goals to warm up, then {ENTRIES} entered one after the other")
    latencies: list[float] = []
    for n in range(WARM_UP + ENTRIES):
        at = time.time() * 1000
        _enter_goal(console, home=n % 2 == 0)
        if not wait_until(lambda n=n: shown(n + 1) is not None, 120, 0.05):  # type: ignore[misc]
            raise RStatError(f"the website never showed goal {n + 1}")
        seen = shown(n + 1)
        assert seen is not None
        if n >= WARM_UP:
            latencies.append(seen - at)
    _progress(f"offline: {OFFLINE} goals entered without a network, then the network returns")
    phone.set_offline(True)
    for n in range(OFFLINE):
        _enter_goal(console, home=n % 2 == 0)
    if not wait_until(lambda: _pending(console) == OFFLINE, 60, 0.05):
        raise RStatError(f"the console shows {_pending(console)} pending entries, {OFFLINE} were entered offline")
    back = time.monotonic()
    phone.set_offline(False)
    if not wait_until(lambda: _pending(console) == 0, 300, 0.05):
        raise RStatError(f"{_pending(console)} entries still pending after the network returned")
    replay_s = time.monotonic() - back
    slowest = sorted(range(len(latencies)), key=latencies.__getitem__)[-3:][::-1]
    by_entry = list(latencies)
    latencies.sort()
    return {
        "entries": ENTRIES,
        "event_entry_to_public_p50_ms": round(_pct(latencies, 0.50), 1),
        "event_entry_to_public_p99_ms": round(_pct(latencies, 0.99), 1),
        "event_entry_to_public_max_ms": round(latencies[-1], 1),
        #: the three slowest entries (their number in the run, and the latency): one spike or a tail
        "slowest": [[n, round(by_entry[n], 1)] for n in slowest],
        "offline_entries": OFFLINE,
        "offline_replay_s": round(replay_s, 2),
    }


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * len(values) + 0.5) - 1))]
