"""The accelerated clock, the invented Premier League minutes and the choice of the correction."""

from __future__ import annotations

import datetime as dt

import pytest

from rstat.demo.data import Fixture
from rstat.demo.script import (
    LiveEvent,
    MatchScript,
    choose_correction,
    period_scores,
    synthesized_goals,
    timeline,
)


def goal(side: str, minute: int, stoppage: int | None = None, player: str | None = "X") -> LiveEvent:
    period = 1 if minute <= 45 else 2 if minute <= 90 else 3 if minute <= 105 else 4
    return LiveEvent(kind="goal", side=side, period=period, minute=minute, stoppage=stoppage, player=player)


def script(match_id: int, *events: LiveEvent, periods: int = 2, decided_in: str = "REG") -> MatchScript:
    home = sum(e.side == "home" for e in events if e.kind == "goal")
    return MatchScript(
        match_id=match_id,
        label=f"m{match_id}",
        sport="football",
        events=events,
        home_score=home,
        away_score=sum(1 for e in events if e.kind == "goal") - home,
        decided_in=decided_in,
        periods=periods,
    )


def test_a_match_kicks_off_at_zero_and_lasts_about_match_seconds() -> None:
    beats = timeline([script(1, goal("home", 12), goal("away", 90, 4))], match_seconds=90)
    assert [(b.action, b.period) for b in beats] == [
        ("kickoff", None),
        ("event", None),
        ("period_end", 1),
        ("event", None),
        ("period_end", 2),
        ("final", None),
    ]
    at = [b.at for b in beats]
    assert at == sorted(at)
    assert at[0] == 0
    assert at[1] == 12  # one second per minute when 90 minutes take 90 s
    assert at[2] == 46  # a first half of 45 minutes and one of stoppage time
    assert at[3] == 46 + 45 + 4  # 90+4, in a second half stretched by its stoppage time
    assert at[-1] == pytest.approx(95.5)


def test_matches_of_a_round_interleave_by_time_and_stay_in_protocol_order() -> None:
    beats = timeline([script(1, goal("home", 30)), script(2, goal("home", 10), goal("away", 10))], match_seconds=9)
    assert [b.match_id for b in beats if b.action == "kickoff"] == [1, 2]
    events = [(b.match_id, b.event) for b in beats if b.action == "event"]
    assert events == [(2, 0), (2, 1), (1, 0)]


def test_extra_time_and_a_shoot_out_take_longer() -> None:
    regular = timeline([script(1)], match_seconds=90)[-1].at
    extra = timeline([script(1, goal("home", 100), periods=4, decided_in="SO")], match_seconds=90)
    assert [b.period for b in extra if b.action == "period_end"] == [1, 2, 3, 4]
    assert extra[-1].at > regular + 30 + 5


def test_hockey_events_are_placed_by_their_clock() -> None:
    game = MatchScript(
        match_id=7,
        label="g",
        sport="ice-hockey",
        events=(LiveEvent(kind="goal", side="home", period=2, clock_seconds=600),),
        home_score=1,
        away_score=0,
        periods=3,
    )
    beats = timeline([game], match_seconds=60)  # one second per hockey minute
    assert next(b.at for b in beats if b.action == "event") == 30  # 20 + 10 minutes
    assert beats[-1].at == pytest.approx(60.5)


def test_goals_per_period() -> None:
    assert period_scores(script(1, goal("home", 5), goal("away", 50), goal("away", 90, 2))) == [[1, 0], [0, 2]]


def fixture(home: int, away: int, half_time: tuple[int, int] | None) -> Fixture:
    return Fixture(
        number=1,
        round=31,
        home="A",
        away="B",
        kickoff=dt.datetime(2024, 4, 1, 15, tzinfo=dt.UTC),
        home_score=home,
        away_score=away,
        half_time=half_time,
    )


def test_invented_minutes_keep_the_real_halves_and_score() -> None:
    goals = synthesized_goals(fixture(3, 2, (1, 2)))
    assert goals == synthesized_goals(fixture(3, 2, (1, 2)))  # the same every run
    first = [g for g in goals if g.minute is not None and g.minute <= 45]
    assert sorted(g.side for g in first) == ["away", "away", "home"]
    assert sorted(g.side for g in goals if g not in first) == ["home", "home"]
    assert all(g.player is None for g in goals)
    assert [g.minute for g in goals] == sorted(g.minute or 0 for g in goals)
    assert all(g.period == (1 if (g.minute or 0) <= 45 else 2) for g in goals)
    assert synthesized_goals(fixture(0, 0, None)) == ()


def test_the_correction_is_the_last_named_goal_of_the_highest_scoring_match() -> None:
    low = script(1, goal("home", 10))
    high = script(2, goal("home", 10), goal("away", 20), goal("home", 80, player=None))
    assert choose_correction([low, high]) == (2, 1)  # its last goal with a scorer
    anonymous = script(3, goal("home", 10, player=None), goal("home", 20, player=None), goal("home", 30, player=None))
    assert choose_correction([anonymous, low]) == (1, 0)  # a named scorer first
    assert choose_correction([anonymous]) == (3, 2)
    assert choose_correction([script(4)]) is None
