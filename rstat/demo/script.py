"""What a scorer enters during a match, and when, on an accelerated clock: pure, so it is tested alone.

A :class:`MatchScript` lists a match's protocol events in order with the sides and player keys of the data;
:func:`timeline` turns several scripts (a round played at once) into one list of :class:`Beat` in wall-clock
seconds after the round's kick-off. A 90-minute football match (60 minutes of hockey) lasts
``match_seconds``; stoppage time stretches a half as long as its latest event needs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import msgspec

from rstat.demo.data import Fixture

__all__ = [
    "Beat",
    "LiveEvent",
    "MatchScript",
    "choose_correction",
    "football_period",
    "period_scores",
    "synthesized_goals",
    "timeline",
]

GOALS = ("goal", "penalty_goal", "own_goal")
#: (nominal start, nominal length) of each period in match minutes
FOOTBALL_PERIODS = {1: (0, 45), 2: (45, 45), 3: (90, 15), 4: (105, 15)}
HOCKEY_PERIODS = {1: (0, 20), 2: (20, 20), 3: (40, 20), 4: (60, 5)}
NOMINAL = {"football": 90.0, "ice-hockey": 60.0}


class LiveEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A protocol event with the data's keys (``side``, player keys); the player resolves them to ids."""

    kind: str
    side: str  # "home" | "away": the team credited (an own goal: the side that benefits)
    period: int
    minute: int | None = None
    stoppage: int | None = None
    clock_seconds: int | None = None
    player: str | None = None
    player_out: str | None = None
    assist1: str | None = None
    assist2: str | None = None
    goalie: str | None = None
    penalty_minutes: int | None = None
    infraction: str | None = None
    #: the player's team when it is not ``side`` (the scorer of an own goal)
    player_side: str | None = None


class MatchScript(msgspec.Struct, frozen=True, kw_only=True):
    match_id: int
    label: str  # "Arsenal FC v Chelsea FC" for the logs
    sport: str
    events: tuple[LiveEvent, ...]
    home_score: int
    away_score: int
    decided_in: str = "REG"
    #: periods played (2 football, 4 with extra time; 3 hockey, 4 with overtime)
    periods: int = 2


class Beat(msgspec.Struct, frozen=True, kw_only=True, order=True):
    at: float  # seconds after the round's kick-off
    order: int  # keeps beats of one match in protocol order at the same second
    match_id: int
    action: str  # kickoff | event | period_end | final
    event: int | None = None  # index into the script's events
    period: int | None = None


def football_period(minute: int) -> int:
    return 1 if minute <= 45 else 2 if minute <= 90 else 3 if minute <= 105 else 4


def _position(event: LiveEvent, starts: dict[int, float], periods: dict[int, tuple[int, int]]) -> float:
    """The event's place in match minutes on the stretched clock (stoppage time included)."""
    start = starts[event.period]
    if event.clock_seconds is not None:
        return start + event.clock_seconds / 60
    nominal = periods[event.period][0]
    return start + max(0, (event.minute or nominal) - nominal) + (event.stoppage or 0)


def _period_starts(script: MatchScript) -> tuple[dict[int, float], dict[int, float]]:
    """Start and end of each period in stretched match minutes."""
    periods = FOOTBALL_PERIODS if script.sport == "football" else HOCKEY_PERIODS
    starts, ends = {}, {}
    at = 0.0
    for p in range(1, script.periods + 1):
        _nominal, length = periods.get(p, (0, 5))
        least = 1 if script.sport == "football" else 0
        extra = max([e.stoppage or 0 for e in script.events if e.period == p] + [least])
        starts[p], ends[p] = at, at + length + extra
        at = ends[p]
    return starts, ends


def _match_beats(script: MatchScript, match_seconds: float) -> list[Beat]:
    scale = match_seconds / NOMINAL[script.sport]
    periods = FOOTBALL_PERIODS if script.sport == "football" else HOCKEY_PERIODS
    starts, ends = _period_starts(script)
    planned: list[tuple[float, str, int | None, int | None]] = [(0.0, "kickoff", None, None)]
    pending = list(range(1, script.periods + 1))
    for index, event in sorted(enumerate(script.events), key=lambda ie: _position(ie[1], starts, periods)):
        at = _position(event, starts, periods)
        while pending and ends[pending[0]] < at:  # an event on the last minute comes before the whistle
            p = pending.pop(0)
            planned.append((ends[p], "period_end", None, p))
        planned.append((at, "event", index, None))
    planned += [(ends[p], "period_end", None, p) for p in pending]
    planned.append((max(ends.values()) + (5.0 if script.decided_in == "SO" else 0.5), "final", None, None))
    return [
        Beat(at=round(at * scale, 3), order=n, match_id=script.match_id, action=action, event=event, period=period)
        for n, (at, action, event, period) in enumerate(planned)
    ]


def timeline(scripts: Sequence[MatchScript], match_seconds: float) -> list[Beat]:
    """Every request of a round, in the order to make them: kick-offs at 0, events at their minute, each
    period's end, and the final whistle; a shoot-out adds a pause of five match minutes before it."""
    return sorted(beat for script in scripts for beat in _match_beats(script, match_seconds))


def period_scores(script: MatchScript) -> list[list[int]]:
    """Goals per period, ``[[home, away], ...]``, for every period played."""
    scores = [[0, 0] for _ in range(script.periods)]
    for e in script.events:
        if e.kind in GOALS and e.period <= script.periods:
            scores[e.period - 1][0 if e.side == "home" else 1] += 1
    return scores


def synthesized_goals(fixture: Fixture) -> tuple[LiveEvent, ...]:
    """Goals for a fixture whose source has only the half-time and full-time scores (the Premier League
    file): each goal in the right half at a minute drawn from a generator seeded by the fixture, without a
    scorer. The minutes are invented (the demo says so); the halves and the score are the data's."""
    rng = random.Random(f"{fixture.home}|{fixture.away}|{fixture.kickoff.date()}")  # noqa: S311 - not a secret
    if fixture.half_time is None:  # no half-time score in the source: anywhere in the 90 minutes
        spans = [((fixture.home_score, fixture.away_score), (1, 90))]
    else:
        ht = fixture.half_time
        second = (fixture.home_score - ht[0], fixture.away_score - ht[1])
        spans = [(ht, (1, 45)), (second, (46, 90))]
    goals: list[LiveEvent] = []
    for (home, away), (low, high) in spans:
        minutes = sorted(rng.sample(range(low, high + 1), home + away))
        sides = ["home"] * home + ["away"] * away
        rng.shuffle(sides)
        goals += [
            LiveEvent(kind="goal", side=side, period=football_period(minute), minute=minute)
            for minute, side in zip(minutes, sides, strict=True)
        ]
    return tuple(goals)


def choose_correction(scripts: Sequence[MatchScript]) -> tuple[int, int] | None:
    """(match id, event index) of the goal to correct after the final whistle: the last goal with a known
    scorer of the round's highest-scoring match (a goal taken back on review and given again), else the last
    goal of any match; None for a round without goals."""
    best: tuple[int, int, int] | None = None  # (score, has scorer, -position) of the choice so far
    choice = None
    for script in scripts:
        goals = [i for i, e in enumerate(script.events) if e.kind in GOALS]
        if not goals:
            continue
        named = [i for i in goals if script.events[i].player is not None]
        index = (named or goals)[-1]
        key = (int(bool(named)), script.home_score + script.away_score, -script.match_id)
        if best is None or key > best:
            best, choice = key, (script.match_id, index)
    return choice
