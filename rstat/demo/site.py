"""The demo website: one static page that embeds every widget for the demo organization.

The public app serves ``<site path>/index.html`` at ``/site/``; the widgets read the API key from the
``rstat-api-key`` meta element. The page is rewritten when the round in play changes, so its match widget
always shows a match being played.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from rstat.demo.state import DemoState

__all__ = ["render_site", "write_site"]

STYLE = """
:root { --ink: #14213d; --muted: #5c677d; --accent: #e63946; --paper: #f6f7fb; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--paper); }
header { background: linear-gradient(120deg, #14213d, #274690); color: #fff; padding: 2rem 1.25rem 1.5rem; }
header h1 { margin: 0; font-size: clamp(1.6rem, 4vw, 2.4rem); letter-spacing: -0.02em; }
header p { margin: .4rem 0 0; opacity: .85; max-width: 60rem; }
nav { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
nav a { color: #fff; text-decoration: none; border: 1px solid rgba(255,255,255,.4); border-radius: 999px;
        padding: .2rem .8rem; font-size: .9rem; }
nav a:hover { background: rgba(255,255,255,.15); }
main { max-width: 80rem; margin: 0 auto; padding: 1.25rem; display: grid; gap: 1.5rem; }
section { background: var(--card); border-radius: 14px; box-shadow: 0 1px 3px rgba(20,33,61,.12); padding: 1.25rem; }
section h2 { margin: 0 0 .25rem; font-size: 1.3rem; }
section > p { margin: 0 0 1rem; color: var(--muted); font-size: .95rem; }
.grid { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); }
.live { display: inline-block; background: var(--accent); color: #fff; border-radius: 4px; padding: 0 .4rem;
        font-size: .75rem; font-weight: 700; vertical-align: middle; margin-left: .4rem; }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 1rem 1rem 2rem; }
"""


#: the club whose season the Premier League calendar shows (the champions)
CALENDAR_TEAM = "Manchester City FC"


def _attrs(**attrs: object) -> str:
    return "".join(
        f" {k.replace('_', '-')}" if v is True else f' {k.replace("_", "-")}="{html.escape(str(v))}"'
        for k, v in attrs.items()
        if v not in (None, False, "", 0)
    )


def _widget(tag: str, **attrs: object) -> str:
    return f"<{tag}{_attrs(**attrs)}></{tag}>"


def render_site(state: DemoState, *, pl_live_from: int, pl_round: int = 0) -> str:
    """The page for ``state``'s organization; ``pl_live_from`` is the first Premier League round played live,
    ``pl_round`` the round in play (the scoreboard shows it)."""
    s = state.stages
    pl_stage, pl_season = s.get("pl"), state.seasons.get("pl")
    sections = [
        (
            "live",
            "Live now",
            "The match in play, entered by the demo's scorer through the management API: goals, cards and "
            "substitutions arrive through the live feed as they are entered.",
            [
                _widget("rstat-match", match=state.current_match),
                _widget("rstat-scoreboard", stage=pl_stage, round=pl_round),
            ],
        ),
        (
            "premier-league",
            "Premier League 2023/24",
            f"Rounds 1-{pl_live_from - 1} imported with their real results; rounds from {pl_live_from} on are "
            "played live (real scores and half-time scores; the data has no goal minutes or scorers, so the "
            "minutes of live goals are invented inside the right half). The table counts matches in play.",
            [
                _widget("rstat-standings", stage=pl_stage, live=True),
                # the title, Champions League and relegation chances, and the next matches' odds (forecast by
                # the stream processor after each finished match)
                _widget("rstat-odds", stage=pl_stage, next=5),
                # one club's season: the whole calendar is 380 matches long
                _widget("rstat-calendar", stage=pl_stage, team=state.teams.get(f"pl|{CALENDAR_TEAM}")),
                _widget("rstat-leaders", season=pl_season, stat="goals"),
            ],
        ),
        (
            "world-cup",
            "FIFA World Cup 2018",
            "The group stage with full protocols (line-ups, substitutions, goals, cards); the knockout stage is "
            "replayed live, match by match, with its real protocol.",
            [
                _widget("rstat-standings", stage=s.get("wc_groups")),
                _widget("rstat-calendar", stage=s.get("wc_knockout")),
                _widget("rstat-leaders", season=state.seasons.get("wc"), stat="goals"),
            ],
        ),
        (
            "nhl",
            "NHL",
            "The 2015/16 regular season (1,230 games, overtime and shoot-outs from the results) and two 2024/25 "
            "games replayed live from their play-by-play.",
            [
                _widget("rstat-standings", stage=s.get("nhl")),
                _widget("rstat-scoreboard", stage=s.get("nhl_pbp")),
                _widget("rstat-leaders", season=state.seasons.get("nhl_pbp"), stat="points"),
            ],
        ),
    ]
    nav = "".join(f'<a href="#{key}">{html.escape(title)}</a>' for key, title, _p, _w in sections)
    body = "\n".join(
        f'<section id="{key}"><h2>{html.escape(title)}{"<span class=live>LIVE</span>" if key == "live" else ""}'
        f"</h2><p>{html.escape(text)}</p><div class=grid>{''.join(widgets)}</div></section>"
        for key, title, text, widgets in sections
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="rstat-api-key" content="{html.escape(state.api_key)}">
<title>R-Stat demo: live football and hockey statistics</title>
<style>{STYLE}</style>
<script type="module" src="/widgets/rstat-widgets.js"></script>
</head>
<body>
<header>
<h1>R-Stat demo</h1>
<p>Real competitions entered through the R-Stat management API, statistics computed by the stream processors
and served by the public API to these widgets, live.</p>
<nav>{nav}</nav>
</header>
<main>
{body}
</main>
<footer>Data: openfootball (CC0), Kaggle NHL Game Data, NHL play-by-play; see tests/data/PROVENANCE.md.</footer>
</body>
</html>
"""


def write_site(folder: Path, state: DemoState, *, pl_live_from: int, pl_round: int = 0) -> Path:
    """Write ``index.html`` atomically (a reader never sees half a page); mode 0600 would hide it from a
    web server running as another user, so 0644: the API key in it is a website's, public by design."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "index.html"
    tmp = folder / ".index.html.tmp"
    tmp.write_text(render_site(state, pl_live_from=pl_live_from, pl_round=pl_round), encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, page)
    return page
