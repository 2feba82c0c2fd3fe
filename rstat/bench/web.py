"""``rstat bench web``: a goal committed in PostgreSQL to the score changing in a website's page.

A private environment as ``rstat bench live`` builds it (database, CDC reader, stream worker, identity and
public apps, all real ``rstat`` processes) and the league of :mod:`rstat.bench.league`: ten matches in play.
The public app serves a page (its ``/site/`` folder) with the widget bundle and one ``<rstat-match>`` per
match plus ``<rstat-standings live>``, authenticated with the league website's API key, and Debian's
Chromium (headless, driven by Playwright) opens it. A script in the page reads every match widget's score
every 5 ms and records ``Date.now()`` when it changes; the bench commits goals (one transaction each, the
running score with it) at ``GOALS_PER_S`` and records ``time.time()`` right after COMMIT returned. Both
clocks are the same machine's wall clock.

- ``commit_to_widget_p99_ms``: per goal, the first time the page showed its match at the score the goal
  made, minus the commit; ``GOALS`` goals after a warm-up of ``WARM_UP`` goals per match (home, then away)
  at the same pace, so the warm-up's own work (the statistics, each widget's protocol read after a notice)
  is not still queued in front of the first measured goals, as it was after a burst. Everything between shares
  the machine's cores: PostgreSQL, the reader, Kafka, the worker, the public app and the browser.
- ``bundle_gzip_kb``: the widget bundle gzipped at level 9, as a server or CDN would send it.

``demo_ready_s`` (``make up`` on a fresh clone to the first live goal on the demo page) is not measured here:
it needs the fresh clone's own stack on the default ports, so the running local stack has to be stopped
first; it was timed by hand for the issue's note.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from rstat.bench.league import League, commit_goal, seed_league
from rstat.bench.product import CHROMIUM, DIST, private_product, sync_playwright_or_explain
from rstat.errors import RStatError
from rstat.ops.stack.process import wait_until
from rstat.settings import Settings

__all__ = ["bench_web", "bundle_gzip_kb"]

GOALS = 50
GOALS_PER_S = 2.0
WARM_UP = 2
TARGETS = {"commit_to_widget_p99_ms": 1500, "bundle_gzip_kb": 30}
#: reads every match widget's score every 5 ms; ``window.rstatSeen`` = [[match, home, away, Date.now()], ...]
WATCH = """
window.rstatSeen = [];
const last = new Map();
setInterval(() => {
  for (const el of document.querySelectorAll("rstat-match")) {
    const root = el.shadowRoot;
    const home = root?.querySelector("[data-home-score]")?.textContent?.trim();
    const away = root?.querySelector("[data-away-score]")?.textContent?.trim();
    if (home === undefined || away === undefined || home === "" || away === "") continue;
    const key = el.getAttribute("match"), score = home + ":" + away;
    if (last.get(key) !== score) {
      last.set(key, score);
      window.rstatSeen.push([Number(key), Number(home), Number(away), Date.now()]);
    }
  }
}, 5);
"""


def _progress(text: str) -> None:
    print(f"bench web: {text}", file=sys.stderr, flush=True)


def bundle_gzip_kb(dist: Path) -> float:
    manifest = json.loads((dist / "manifest.json").read_text())
    return round(len(gzip.compress((dist / manifest["rstat-widgets"]).read_bytes(), 9)) / 1024, 1)


def _page(league: League) -> str:
    client = f"{league.client_id}:{league.secret}"
    matches = "\n".join(f'<rstat-match match="{m}"></rstat-match>' for m, _, _ in league.matches)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench</title>
<meta name="rstat-api-key" content="{client}">
<script type="module" src="/widgets/rstat-widgets.js"></script></head>
<body><rstat-standings stage="{league.stage}" live></rstat-standings>
{matches}
</body></html>
"""


def bench_web(settings: Settings) -> dict[str, Any]:
    sync_playwright = sync_playwright_or_explain()
    with private_product(settings, "web", ("identity", "public")) as (product, env):
        league = seed_league(product.dsn)
        (product.home / "site" / "index.html").write_text(_page(league))
        product.start(env)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.add_init_script(WATCH)
            page.goto(f"{product.url('public')}/site/")
            with psycopg.connect(product.dsn, autocommit=True) as conn:
                result = _measure(conn, league, page)
            browser.close()
        product.check_alive()
        return {**result, "bundle_gzip_kb": bundle_gzip_kb(DIST), "targets": TARGETS}


def _measure(conn: psycopg.Connection[tuple[Any, ...]], league: League, page: Any) -> dict[str, Any]:
    scores = {m: [0, 0] for m, _, _ in league.matches}
    commits: list[tuple[int, int, int, float]] = []

    def goal(n: int) -> None:
        match, team, *_ = league.goal(n)
        _notice, at = commit_goal(conn, league, n)
        side = 0 if team == next(h for m, h, _ in league.matches if m == match) else 1
        scores[match][side] += 1
        commits.append((match, *scores[match], at))  # type: ignore[arg-type]

    def shown(match: int, home: int, away: int) -> float | None:
        seen: list[list[float]] = page.evaluate("window.rstatSeen")
        return next((t for m, h, a, t in seen if m == match and h >= home and a >= away), None)

    _progress(f"warm-up: the page's first states, then {WARM_UP} goals per match at {GOALS_PER_S}/s")
    started = time.monotonic()
    for n in range(WARM_UP * len(league.matches)):
        time.sleep(max(0.0, started + n / GOALS_PER_S - time.monotonic()))
        goal(n)
    for match, home, away, _at in commits:
        if not wait_until(lambda m=match, h=home, a=away: shown(m, h, a) is not None, 300, 0.2):  # type: ignore[misc]
            raise RStatError(f"the page never showed match {match} at {home}:{away}")
    first = len(commits)
    _progress(f"{GOALS} goals at {GOALS_PER_S}/s")
    started = time.monotonic()
    for n in range(GOALS):
        time.sleep(max(0.0, started + n / GOALS_PER_S - time.monotonic()))
        goal(first + n)
    measured = commits[first:]
    latencies: list[float] = []
    for match, home, away, at in measured:
        wait_until(lambda m=match, h=home, a=away: shown(m, h, a) is not None, 120, 0.2)  # type: ignore[misc]
        seen = shown(match, home, away)
        if seen is None:
            raise RStatError(f"the page never showed match {match} at {home}:{away}")
        latencies.append(seen - at * 1000)
    slowest = sorted(range(len(latencies)), key=latencies.__getitem__)[-3:][::-1]
    latencies_by_goal = list(latencies)
    latencies.sort()
    return {
        "goals": len(measured),
        "goals_per_s": GOALS_PER_S,
        "commit_to_widget_p50_ms": round(_pct(latencies, 0.50), 1),
        "commit_to_widget_p99_ms": round(_pct(latencies, 0.99), 1),
        "commit_to_widget_max_ms": round(latencies[-1], 1),
        #: the three slowest goals (their number in the run, and the latency): one spike or a tail
        "slowest": [[n, round(latencies_by_goal[n], 1)] for n in slowest],
    }


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * len(values) + 0.5) - 1))]
