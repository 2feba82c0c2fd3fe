"""Reading match results from files: openfootball ``football.json``, football-data.co.uk CSV, the R-Stat CSV.

Every error names the file and the line (or match number for JSON), so a user can fix the input.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sports.model import DecidedIn, Result, RulesError

__all__ = ["RSTAT_CSV_HEADER", "ResultsFileError", "parse_results", "read_results"]

RSTAT_CSV_HEADER = ("date", "round", "group", "home", "away", "home_score", "away_score", "decided_in")
FOOTBALL_DATA_COLUMNS = ("Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG")


class ResultsFileError(ValueError):
    """A results file that cannot be read; the message names the file and the line."""


def read_results(path: Path) -> list[Result]:
    """The results in ``path``; the format is recognised from the content, not the name."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot read: {exc}") from exc
    return parse_results(path, text)


def parse_results(path: Path, text: str) -> list[Result]:
    """The results in ``text`` read from ``path`` (named in errors); ``crawlers.fixtures_io`` passes a text
    whose unplayed rows it has emptied."""
    if text.lstrip().startswith("{"):
        return _read_football_json(path, text)
    header = next(csv.reader(io.StringIO(text)), [])
    if all(column in header for column in FOOTBALL_DATA_COLUMNS):
        return _read_football_data(path, text)
    if tuple(header[: len(RSTAT_CSV_HEADER)]) == RSTAT_CSV_HEADER:
        return _read_rstat_csv(path, text)
    raise ResultsFileError(
        f"{path}:1: unknown format: expected openfootball JSON, a football-data.co.uk CSV or a CSV with the "
        f"header {','.join(RSTAT_CSV_HEADER)}[,home_fair_play,away_fair_play]"
    )


def _round_number(value: object) -> int:
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return int(digits) if digits else 0


def _read_football_json(path: Path, text: str) -> list[Result]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    matches = data.get("matches") if isinstance(data, dict) else None
    if not isinstance(matches, list):
        raise ResultsFileError(f'{path}: no "matches" list: not an openfootball football.json file')
    results = []
    for number, match in enumerate(matches, start=1):
        where = f"{path}: match {number}"
        if not isinstance(match, dict):
            raise ResultsFileError(f"{where}: not an object")
        score = match.get("score") or {}
        if "ft" not in score:
            continue  # not played yet
        try:
            results.append(_json_result(number, match, score))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ResultsFileError(f"{where} ({match.get('team1')} v {match.get('team2')}): {exc}") from exc
    return results


def _team_name(value: Any) -> str:
    name = value["name"] if isinstance(value, dict) else value
    if not isinstance(name, str) or not name:
        raise ValueError(f"bad team {value!r}")
    return name


def _json_result(number: int, match: dict[str, Any], score: dict[str, Any]) -> Result:
    home, away = int(score["ft"][0]), int(score["ft"][1])
    decided, winner = DecidedIn.REG, ""
    if "et" in score:
        home, away = int(score["et"][0]), int(score["et"][1])
        decided = DecidedIn.OT
    if "p" in score:
        pen_home, pen_away = int(score["p"][0]), int(score["p"][1])
        decided = DecidedIn.SO
        winner = "home" if pen_home > pen_away else "away"
    return Result(
        id=str(match.get("num", number)),
        home=_team_name(match["team1"]),
        away=_team_name(match["team2"]),
        home_score=home,
        away_score=away,
        decided_in=decided,
        winner=winner,
        group=str(match.get("group", "")),
        round=_round_number(match.get("round", "")),
        date=str(match.get("date", "")),
    )


def _int(row: dict[str, str], column: str, where: str) -> int:
    value = (row.get(column) or "").strip()
    try:
        return int(value)
    except ValueError:
        raise ResultsFileError(f"{where}: column {column} must be a whole number, got {value!r}") from None


def _result(where: str, **fields: Any) -> Result:
    """A Result, with the rules' objection (a team playing itself...) turned into an error naming the line."""
    try:
        return Result(**fields)
    except RulesError as exc:
        raise ResultsFileError(f"{where}: {str(exc).split(': ', 1)[-1]}") from exc


def _read_football_data(path: Path, text: str) -> list[Result]:
    results = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{path}:{line}"
        if not any((v or "").strip() for v in row.values()):
            continue
        home, away = (row.get("HomeTeam") or "").strip(), (row.get("AwayTeam") or "").strip()
        if not home or not away:
            raise ResultsFileError(f"{where}: HomeTeam and AwayTeam are required")
        results.append(
            _result(
                where,
                id=str(line),
                home=home,
                away=away,
                home_score=_int(row, "FTHG", where),
                away_score=_int(row, "FTAG", where),
                date=row.get("Date", ""),
            )
        )
    return results


def _read_rstat_csv(path: Path, text: str) -> list[Result]:
    results = []
    reader = csv.DictReader(io.StringIO(text))
    has_fair_play = "home_fair_play" in (reader.fieldnames or [])
    for line, row in enumerate(reader, start=2):
        where = f"{path}:{line}"
        if None in row or any(v is None for v in row.values()):
            raise ResultsFileError(f"{where}: expected {len(reader.fieldnames or [])} columns")
        if not any(v.strip() for v in row.values()):
            continue
        decided = row["decided_in"].strip().upper() or "REG"
        if decided not in DecidedIn.__members__:
            raise ResultsFileError(f"{where}: decided_in must be REG, OT, SO or AWD, got {row['decided_in']!r}")
        home, away = row["home"].strip(), row["away"].strip()
        if not home or not away:
            raise ResultsFileError(f"{where}: home and away are required")
        fair = {
            side: _int(row, f"{side}_fair_play", where) if has_fair_play and row[f"{side}_fair_play"] else 0
            for side in ("home", "away")
        }
        results.append(
            _result(
                where,
                id=str(line),
                home=home,
                away=away,
                home_score=_int(row, "home_score", where),
                away_score=_int(row, "away_score", where),
                decided_in=DecidedIn(decided),
                group=row["group"].strip(),
                round=_int(row, "round", where) if row["round"].strip() else 0,
                date=row["date"].strip(),
                home_fair_play=fair["home"],
                away_fair_play=fair["away"],
            )
        )
    return results
