"""What every parser needs: a way to reject one record with a reason, round numbers for sources that have
none, slugs and season names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["RecordError", "assign_rounds", "season_label", "slugify"]


class RecordError(ValueError):
    """One record of a page cannot be read; ``reason`` is the short name the crawl summary counts it under."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def assign_rounds(pairs: Iterable[tuple[str, str]]) -> list[int]:
    """A round for each match of a league that publishes none (football-data.co.uk): in the order given
    (by date), the first round in which neither team plays yet, as the schema's one-match-per-round rule
    wants. The same list in the same order gives the same rounds, so a re-crawl keeps them; matches
    appended later (the season goes on) do not move the earlier ones."""
    used: dict[str, set[int]] = {}
    rounds = []
    for home, away in pairs:
        taken = used.setdefault(home, set()) | used.setdefault(away, set())
        found = next(r for r in range(1, len(taken) + 2) if r not in taken)
        used[home].add(found)
        used[away].add(found)
        rounds.append(found)
    return rounds


def season_label(start_year: int) -> str:
    """``2023`` -> ``2023-24``: how football seasons across two years are named."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def slugify(text: str) -> str:
    """A competition slug from a name (``Premier League`` -> ``premier-league``), within the column's rule."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:63].strip("-")
    return slug or "competition"
