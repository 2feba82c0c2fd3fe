"""A season file read whole: its played results and the matches it lists without a score yet.

``rstat predict`` needs both: the results to fit on and the fixtures to forecast. The formats are those of
``crawlers.results_io`` (openfootball JSON, football-data.co.uk CSV, the R-Stat results CSV); a CSV row with
both score columns empty, or an openfootball match without a full-time score, is a fixture. The results are
read by ``results_io`` itself, so their ids and errors are the same as ``rstat table``'s.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec

from crawlers.results_io import FOOTBALL_DATA_COLUMNS, RSTAT_CSV_HEADER, ResultsFileError, parse_results
from sports.model import Result

__all__ = ["Season", "UpcomingMatch", "read_season"]


class UpcomingMatch(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    home: str
    away: str
    date: str = ""
    round: int = 0
    group: str = ""


class Season(msgspec.Struct, frozen=True, kw_only=True):
    results: list[Result]
    upcoming: list[UpcomingMatch]


def _team(value: object) -> str:
    name = value.get("name") if isinstance(value, dict) else value
    return name if isinstance(name, str) else ""


def _json_upcoming(text: str) -> list[UpcomingMatch]:
    data = json.loads(text)
    matches = data.get("matches") if isinstance(data, dict) else None
    out = []
    for number, match in enumerate(matches if isinstance(matches, list) else [], start=1):
        if not isinstance(match, dict) or "ft" in (match.get("score") or {}):
            continue
        home, away = _team(match.get("team1")), _team(match.get("team2"))
        if home and away:
            digits = "".join(ch for ch in str(match.get("round", "")) if ch.isdigit())
            out.append(
                UpcomingMatch(
                    id=str(match.get("num", number)),
                    home=home,
                    away=away,
                    date=str(match.get("date", "")),
                    round=int(digits) if digits else 0,
                    group=str(match.get("group", "")),
                )
            )
    return out


def _csv_upcoming(path: Path, text: str) -> tuple[str, list[UpcomingMatch]]:
    """The fixtures of a CSV, and its text with their rows emptied (same line numbers, so the same ids)."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader(io.StringIO(lines[0] if lines else "")), [])
    if all(c in header for c in FOOTBALL_DATA_COLUMNS):
        cols = {"home": "HomeTeam", "away": "AwayTeam", "hs": "FTHG", "as": "FTAG", "date": "Date", "round": ""}
    elif tuple(header[: len(RSTAT_CSV_HEADER)]) == RSTAT_CSV_HEADER:
        cols = {
            "home": "home",
            "away": "away",
            "hs": "home_score",
            "as": "away_score",
            "date": "date",
            "round": "round",
        }
    else:
        return text, []  # results_io names the format problem
    upcoming = []
    for n in range(1, len(lines)):
        row = dict(zip(header, next(csv.reader([lines[n]]), []), strict=False))
        home, away = (row.get(cols["home"]) or "").strip(), (row.get(cols["away"]) or "").strip()
        if not home or not away or (row.get(cols["hs"]) or "").strip() or (row.get(cols["as"]) or "").strip():
            continue
        round_text = (row.get(cols["round"]) or "").strip() if cols["round"] else ""
        if round_text and not round_text.isdigit():
            raise ResultsFileError(f"{path}:{n + 1}: column round must be a whole number, got {round_text!r}")
        upcoming.append(
            UpcomingMatch(
                id=str(n + 1),
                home=home,
                away=away,
                date=(row.get(cols["date"]) or "").strip(),
                round=int(round_text) if round_text else 0,
                group=(row.get("group") or "").strip(),
            )
        )
        lines[n] = "," * (len(header) - 1) + "\n"
    return "".join(lines), upcoming


def read_season(path: Path) -> Season:
    """Played results and upcoming matches of ``path``; errors name the file and line as ``read_results`` does."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc}") from exc
    if text.lstrip().startswith("{"):
        results = parse_results(path, text)  # reports invalid JSON with its line
        return Season(results=results, upcoming=_json_upcoming(text))
    emptied, upcoming = _csv_upcoming(path, text)
    return Season(results=parse_results(path, emptied), upcoming=upcoming)
