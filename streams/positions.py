"""Last writer wins, by position: the one rule every fold of the worker keeps its facts by.

A fact (a row's contribution, a protocol row, a player's line of a match) is stored under its own id and
replaced only by a newer one: a replay or a duplicate changes nothing, an update replaces the fact's
contribution, a delete leaves a positioned tombstone that an older replay cannot resurrect. Positions are
the CDC ``(commit_lsn, ordinal)`` of the change; a player's lines are ordered by their protocol's version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

__all__ = ["Position", "Positioned", "by_position", "newest_position", "put_newer", "supersedes"]

Position = tuple[int, int]
T = TypeVar("T")
K = TypeVar("K")


class Positioned(Protocol):
    @property
    def position(self) -> Position: ...


def by_position(item: Positioned) -> Position:
    return item.position


def supersedes(new: T, known: T | None, order: Callable[[T], Any]) -> bool:
    """Whether ``new`` replaces ``known``: strictly newer by ``order`` (:func:`by_position`, or a version),
    so the same change twice is a no-op."""
    return known is None or bool(order(known) < order(new))


def put_newer(facts: dict[K, T], key: K, new: T, order: Callable[[T], Any]) -> bool:
    """Store ``new`` under ``key`` if it supersedes what is there; returns whether it did."""
    if not supersedes(new, facts.get(key), order):
        return False
    facts[key] = new
    return True


def newest_position(items: Iterable[Positioned | None]) -> Position:
    """The newest change among ``items`` (None ignored), ``(0, 0)`` for none."""
    return max((item.position for item in items if item is not None), default=(0, 0))
