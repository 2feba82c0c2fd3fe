from __future__ import annotations

import pytest

from sports import RulesError
from sports.bracket import Slot, build_bracket, resolve_bracket, seeding_order
from sports.schedule import double_round_robin, single_round_robin
from sports.ties import Leg, series_home_pattern, series_state, two_legged_winner


def test_seed_changes_the_draw_but_not_its_shape() -> None:
    teams = [f"T{i}" for i in range(6)]
    a, b = single_round_robin(teams, seed=1), single_round_robin(teams, seed=2)
    assert a != b
    assert len(a) == len(b) == 15


def test_odd_count_rests_one_team_per_round() -> None:
    fixtures = single_round_robin(["A", "B", "C", "D", "E"])
    for r in range(1, 6):
        playing = {t for f in fixtures if f.round == r for t in (f.home, f.away)}
        assert len(playing) == 4


def test_double_round_robin_mirrors_the_first_half() -> None:
    fixtures = double_round_robin(["A", "B", "C", "D"])
    first = [(f.round, f.home, f.away) for f in fixtures if f.round <= 3]
    second = [(f.round - 3, f.away, f.home) for f in fixtures if f.round > 3]
    assert first == second


@pytest.mark.parametrize("teams", [["A"], ["A", "A", "B"]])
def test_bad_round_robin_input(teams: list[str]) -> None:
    with pytest.raises(RulesError):
        single_round_robin(teams)


def test_standard_seeding() -> None:
    assert seeding_order(8) == [1, 8, 4, 5, 2, 7, 3, 6]
    assert seeding_order(4) == [1, 4, 2, 3]
    assert seeding_order(16)[:4] == [1, 16, 8, 9]
    with pytest.raises(RulesError):
        seeding_order(6)


def test_bracket_of_eight() -> None:
    matches = build_bracket(8)
    first = [(m.home.seed, m.away.seed) for m in matches if m.round == 1]
    assert first == [(1, 8), (4, 5), (2, 7), (3, 6)]
    final = matches[-1]
    assert final.round == 3
    assert (final.home, final.away) == (Slot(winner_of=5), Slot(winner_of=6))


def test_byes_go_to_the_top_seeds() -> None:
    matches = build_bracket(6)
    first = [(m.home.seed, m.away.seed) for m in matches if m.round == 1]
    assert first == [(4, 5), (3, 6)]  # seeds 1 and 2 have byes
    second = [m for m in matches if m.round == 2]
    assert second[0].home == Slot(seed=1)
    assert second[0].away == Slot(winner_of=1)
    assert len(matches) == 5


def test_placeholders_resolve_as_results_arrive() -> None:
    seeds = ["Ann", "Bob", "Cy", "Di"]
    matches = build_bracket(4, first_number=37)
    final = matches[-1]
    assert final.home.label(seeds) == "winner of match 37"
    resolved = resolve_bracket(matches, seeds, {37: "Di"})
    assert resolved[-1][1:] == ("Di", None)
    resolved = resolve_bracket(matches, seeds, {37: "Di", 38: "Bob"})
    assert resolved[-1][1:] == ("Di", "Bob")
    with pytest.raises(RulesError, match="not one of its teams"):
        resolve_bracket(matches, seeds, {37: "Bob"})


def test_two_legged_ties() -> None:
    first = Leg(home="A", away="B", home_score=2, away_score=1)
    assert two_legged_winner(first, Leg(home="B", away="A", home_score=0, away_score=0)).winner == "A"
    level = Leg(home="B", away="A", home_score=2, away_score=1)  # 3-3 on aggregate, A scored 1 away, B 1
    out = two_legged_winner(first, Leg(home="B", away="A", home_score=1, away_score=0))
    assert (out.winner, out.decided_by) == ("", "")  # 2-2, away goals 1-1 and no extra time given
    away = two_legged_winner(first, Leg(home="B", away="A", home_score=3, away_score=2), away_goals=True)
    assert (away.winner, away.decided_by) == ("A", "away_goals")
    assert two_legged_winner(first, level, away_goals=False).winner == ""
    et = two_legged_winner(first, level, extra_time=(0, 1))
    assert (et.winner, et.decided_by, et.aggregate) == ("A", "extra_time", (4, 3))
    et_away = two_legged_winner(first, level, away_goals=True, extra_time=(1, 1))
    assert (et_away.winner, et_away.decided_by) == ("A", "away_goals")
    pens = two_legged_winner(first, level, extra_time=(0, 0), penalties=(4, 3))
    assert (pens.winner, pens.decided_by) == ("B", "penalties")
    with pytest.raises(RulesError, match="second leg"):
        two_legged_winner(first, Leg(home="A", away="B", home_score=0, away_score=0))


def test_away_goals_in_extra_time() -> None:
    first = Leg(home="A", away="B", home_score=1, away_score=0)
    second = Leg(home="B", away="A", home_score=1, away_score=0)  # 1-1, no away goals yet
    out = two_legged_winner(first, second, away_goals=True, extra_time=(1, 1))
    assert (out.winner, out.decided_by) == ("A", "away_goals")
    out = two_legged_winner(
        first, second, away_goals=True, away_goals_in_extra_time=False, extra_time=(1, 1), penalties=(5, 4)
    )
    assert (out.winner, out.decided_by) == ("B", "penalties")


def test_series_patterns_and_early_stop() -> None:
    assert series_home_pattern(7) == [True, True, False, False, True, False, True]
    assert series_home_pattern(5) == [True, True, False, False, True]
    assert series_home_pattern(7, [2, 3, 2]) == [True, True, False, False, False, True, True]
    with pytest.raises(RulesError):
        series_home_pattern(4)
    state = series_state("H", "L", 7, ["H", "H", "H", "H"])
    assert (state.winner, state.remaining_games) == ("H", ())
    state = series_state("H", "L", 7, ["H", "L", "L"])
    assert (state.wins_high, state.wins_low, state.winner, state.remaining_games) == (1, 2, "", (4, 5, 6, 7))
    with pytest.raises(RulesError, match="already decided"):
        series_state("H", "L", 5, ["H", "H", "H", "L"])
