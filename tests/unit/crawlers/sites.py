"""The saved pages of ``tests/data`` served by the local crawl site, as each spider's site lays them out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rstat.bench.crawl_site import CrawlSite, nhl_schedule
from tests.conftest import DATA

E0 = DATA / "football" / "E0_2324.csv"
NHL_REG = DATA / "hockey" / "play-by-play_2024020003__STL-at-SEA_2024-10-08_REG.json"
NHL_OT = DATA / "hockey" / "play-by-play_2024020087__CGY-at-SEA_2024-10-19_OT.json"
FBREF = DATA / "football" / "fbref"


def pbp(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def football_data_site(site: CrawlSite, csv: bytes | None = None, fixtures: str = "") -> CrawlSite:
    site.put("/mmz4281/2324/E0.csv", csv if csv is not None else E0.read_bytes(), "text/csv")
    site.put("/fixtures.csv", fixtures or "Div,Date,Time,HomeTeam,AwayTeam\n", "text/csv")
    return site


def future_game(doc: dict[str, Any]) -> dict[str, Any]:
    """A saved game as the schedule lists it before the puck drops: no plays, no score."""
    future = copy.deepcopy(doc)
    future["gameState"] = "FUT"
    future["plays"] = []
    future.pop("gameOutcome", None)
    for side in ("homeTeam", "awayTeam"):
        future[side].pop("score", None)
    return future


def nhl_site(site: CrawlSite, games: list[dict[str, Any]], date: str = "2024-10-08") -> CrawlSite:
    site.put_json(f"/v1/schedule/{date}", nhl_schedule(date, games))
    for game in games:
        site.put_json(f"/v1/gamecenter/{game['id']}/play-by-play", game)
    return site


def fbref_schedule() -> str:
    """A schedule page in FBref's markup (the ``sched_*`` table's ``data-stat`` cells), built for the tests: the
    saved report's match (played, with its report link) and the return match as a fixture (no report)."""
    return """<html><body><h1>2023-2024 La Liga Scores &amp; Fixtures</h1>
<table class="stats_table" id="sched_2023-2024_12_1"><tbody>
<tr><th data-stat="gameweek">2</th><td data-stat="dayofweek">Sun</td><td data-stat="date">2023-08-20</td>
<td data-stat="home_team"><a href="/en/squads/9024a00a/Girona-Stats">Girona</a></td>
<td data-stat="score"><a href="/en/matches/e8867e6b/Girona-Getafe-August-20-2023-La-Liga">3&ndash;0</a></td>
<td data-stat="away_team"><a href="/en/squads/7848bd64/Getafe-Stats">Getafe</a></td>
<td data-stat="match_report"><a href="/en/matches/e8867e6b/Girona-Getafe-August-20-2023-La-Liga">Match Report</a>
</td></tr>
<tr class="spacer"><td colspan="12"></td></tr>
<tr><th data-stat="gameweek">30</th><td data-stat="dayofweek">Sun</td><td data-stat="date">2024-03-31</td>
<td data-stat="home_team"><a href="/en/squads/7848bd64/Getafe-Stats">Getafe</a></td>
<td data-stat="score"></td>
<td data-stat="away_team"><a href="/en/squads/9024a00a/Girona-Stats">Girona</a></td>
<td data-stat="match_report">Head-to-Head</td></tr>
</tbody></table></body></html>"""
