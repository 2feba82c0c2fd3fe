"""Team records beside the table: home and away splits and the form of the last matches."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from sports.model import Outcome, Result

__all__ = ["TeamRecord", "team_records"]

_LETTER = {
    Outcome.WIN: "W",
    Outcome.OT_WIN: "W",
    Outcome.SO_WIN: "W",
    Outcome.DRAW: "D",
    Outcome.LOSS: "L",
    Outcome.OT_LOSS: "O",
    Outcome.SO_LOSS: "O",
}


class TeamRecord(msgspec.Struct, kw_only=True):
    team: str
    home_played: int = 0
    home_won: int = 0
    home_drawn: int = 0
    home_lost: int = 0
    home_goals_for: int = 0
    home_goals_against: int = 0
    away_played: int = 0
    away_won: int = 0
    away_drawn: int = 0
    away_lost: int = 0
    away_goals_for: int = 0
    away_goals_against: int = 0
    #: the last matches, oldest first: W win (any), D draw, L loss, O loss in overtime or a shoot-out
    form: str = ""


def team_records(results: Iterable[Result], last: int = 5) -> dict[str, TeamRecord]:
    """Splits and form per team; matches are ordered by date, then round, then id (the order they were played)."""
    records: dict[str, TeamRecord] = {}
    for r in sorted(results, key=lambda r: (r.date, r.round, r.id)):
        for side, team, gf, ga in (
            ("home", r.home, r.home_score, r.away_score),
            ("away", r.away, r.away_score, r.home_score),
        ):
            rec = records.get(team) or records.setdefault(team, TeamRecord(team=team))
            letter = _LETTER[r.outcome_for(side)]
            prefix = side + "_"
            setattr(rec, prefix + "played", getattr(rec, prefix + "played") + 1)
            setattr(rec, prefix + "goals_for", getattr(rec, prefix + "goals_for") + gf)
            setattr(rec, prefix + "goals_against", getattr(rec, prefix + "goals_against") + ga)
            outcome = {"W": "won", "D": "drawn"}.get(letter, "lost")
            setattr(rec, prefix + outcome, getattr(rec, prefix + outcome) + 1)
            rec.form = (rec.form + letter)[-last:]
    return records
