"""Pure sports rules: regulations, standings, schedules, brackets, ties, discipline and statistics.

Stdlib and msgspec only: no I/O, no clock, no randomness except a seeded draw. A test enforces it.
"""

from sports.model import Adjustment, DecidedIn, Outcome, Result, RulesError, StandingRow
from sports.regulations import PRESETS, Regulation, regulation
from sports.standings import compute_standings, standings_by_group

__all__ = [
    "PRESETS",
    "Adjustment",
    "DecidedIn",
    "Outcome",
    "Regulation",
    "Result",
    "RulesError",
    "StandingRow",
    "compute_standings",
    "regulation",
    "standings_by_group",
]
