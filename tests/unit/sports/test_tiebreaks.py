"""Hand-made ties: every criterion on its own, and the order and re-application rules of every preset."""

from __future__ import annotations

import itertools

import pytest

from sports import Adjustment, DecidedIn, Result, RulesError, StandingRow, compute_standings, regulation
from sports.regulations import CRITERIA, PRESETS

_ids = itertools.count(1)


def m(
    home: str, away: str, hs: int, as_: int, decided: str = "REG", fp: tuple[int, int] = (0, 0), winner: str = ""
) -> Result:
    return Result(
        id=f"{next(_ids):05d}",
        home=home,
        away=away,
        home_score=hs,
        away_score=as_,
        decided_in=DecidedIn(decided),
        home_fair_play=fp[0],
        away_fair_play=fp[1],
        winner=winner,
    )


def order(rows: list[StandingRow]) -> list[str]:
    return [r.team for r in rows]


def row(rows: list[StandingRow], team: str) -> StandingRow:
    return next(r for r in rows if r.team == team)


# --- each criterion on its own (a regulation reduced to that one criterion) ------------------------------


def test_goal_difference() -> None:
    rows = compute_standings(
        [m("A", "X", 3, 0), m("B", "X", 1, 0)], regulation("football", {"criteria": ["goal_diff"]})
    )
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "goal_diff"


def test_goals_scored() -> None:
    rows = compute_standings(
        [m("A", "X", 3, 2), m("B", "Y", 1, 0)], regulation("football", {"criteria": ["goals_for"]})
    )
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "goals_for"


def test_wins() -> None:
    # A: a win and a loss (3 points); B: three draws (3 points); same goal difference and goals
    results = [m("A", "X", 3, 0), m("A", "Y", 0, 3), m("B", "X", 1, 1), m("B", "Y", 1, 1), m("B", "Z", 1, 1)]
    rows = compute_standings(results, regulation("football"))
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "wins"


def test_away_goals_and_away_wins() -> None:
    results = [m("X", "A", 0, 2), m("B", "Y", 2, 0)]
    rows = compute_standings(results, regulation("football", {"criteria": ["away_goals"]}))
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "away_goals"
    rows = compute_standings(results, regulation("football", {"criteria": ["away_wins"]}))
    assert row(rows, "B").decided_by == "away_wins"


def test_fair_play() -> None:
    results = [m("A", "X", 1, 0, fp=(-1, 0)), m("B", "Y", 1, 0, fp=(-3, 0))]
    rows = compute_standings(results, regulation("football", {"criteria": ["goal_diff", "fair_play"]}))
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "fair_play"


def _a_beat_b() -> list[Result]:
    """A and B level on 4 points; A won their direct match; B has the better goal difference overall."""
    return [m("A", "B", 1, 0), m("A", "Y", 0, 0), m("B", "X", 5, 0), m("B", "Z", 0, 0)]


def test_head_to_head_points_and_goals() -> None:
    rows = compute_standings(_a_beat_b(), regulation("football", {"criteria": ["h2h_points"]}))
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "h2h_points"
    # three draws among three teams: equal head-to-head goal difference, goals scored C 4, A 3, B 1
    results = [m("A", "C", 3, 3), m("B", "C", 1, 1), m("A", "B", 0, 0)]
    rows = compute_standings(results, regulation("football", {"criteria": ["h2h_goal_diff", "h2h_goals"]}))
    assert order(rows) == ["C", "A", "B"]
    assert row(rows, "A").decided_by == row(rows, "B").decided_by == "h2h_goals"


def test_points_percentage_ranks_fewer_games_played_higher() -> None:
    # A: 2 wins in 2 games; B: 2 wins and a loss = same points (4) in 3 games
    results = [m("A", "X", 1, 0), m("A", "Y", 1, 0), m("B", "X", 1, 0), m("B", "Y", 1, 0), m("B", "Z", 0, 1)]
    rows = compute_standings(results, regulation("nhl"))
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "points_pct"
    assert row(rows, "A").points_pct == 1.0


def test_opponents_criteria() -> None:
    # A and B identical except whom they beat: A's opponent X later wins twice, B's opponent Y never does
    results = [m("A", "X", 1, 0), m("B", "Y", 1, 0), m("X", "Z", 1, 0), m("X", "W", 1, 0)]
    rows = compute_standings(results, regulation("football", {"criteria": ["opp_points"]}))
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "opp_points"


def test_unresolved_tie_shares_its_rank_and_is_flagged() -> None:
    results = [m("A", "X", 1, 0), m("B", "Y", 1, 0)]
    rows = compute_standings(results, regulation("football"))
    a, b = row(rows, "A"), row(rows, "B")
    assert a.rank == b.rank == 1
    assert a.unresolved
    assert b.unresolved
    assert b.decided_by == "unresolved"
    assert row(rows, "X").rank == 3


def test_adjustment_can_reorder_and_is_applied_once() -> None:
    results = [m("A", "B", 1, 0)]
    rows = compute_standings(results, regulation("football"), [Adjustment(team="A", points=-4)])
    assert order(rows) == ["B", "A"]
    assert row(rows, "A").points == -1


def test_every_criterion_is_exercised_by_some_test() -> None:
    """Guards the list above: a new criterion needs a case of its own."""
    covered = {
        "points",
        "points_pct",
        "goal_diff",
        "goals_for",
        "wins",
        "regulation_wins",
        "row",
        "away_goals",
        "away_wins",
        "fair_play",
        "opp_points",
        "opp_goal_diff",
        "opp_goals",
        "h2h_points",
        "h2h_goal_diff",
        "h2h_goals",
        "h2h_away_goals",
        "vs_outside",
    }
    assert set(CRITERIA) == covered


def test_opponents_goal_difference_and_goals() -> None:
    # opponents with equal points but different goal difference, then equal difference but more goals
    results = [m("A", "X", 1, 0), m("B", "Y", 1, 0), m("X", "Z", 3, 0), m("Y", "W", 1, 0)]
    rows = compute_standings(results, regulation("football", {"criteria": ["opp_goal_diff"]}))
    assert row(rows, "B").decided_by == "opp_goal_diff"
    results = [m("A", "X", 1, 0), m("B", "Y", 1, 0), m("X", "Z", 3, 2), m("Y", "W", 1, 0)]
    rows = compute_standings(results, regulation("football", {"criteria": ["opp_goal_diff", "opp_goals"]}))
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "opp_goals"


def test_head_to_head_away_goals() -> None:
    results = [m("A", "B", 1, 2), m("B", "A", 0, 1)]  # 2-2 on aggregate; A scored 1 away, B scored 2 away
    rows = compute_standings(results, regulation("premier-league"))
    assert order(rows) == ["B", "A"]
    assert row(rows, "A").decided_by == "h2h_away_goals"


# --- presets: order of criteria and how head-to-head is applied ------------------------------------------


def test_premier_league_applies_goal_difference_before_head_to_head() -> None:
    rows = compute_standings(_a_beat_b(), regulation("premier-league"))
    assert order(rows).index("B") < order(rows).index("A")
    assert row(rows, "A").decided_by == "goal_diff"


def test_laliga_applies_head_to_head_before_goal_difference() -> None:
    rows = compute_standings(_a_beat_b(), regulation("laliga"))
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "h2h_points"


def _uefa_group() -> list[Result]:
    """A, B and C end level on 10 points. Among them A has 9 head-to-head points, B and C 4 each with equal
    head-to-head goal difference and goals; B took 4 points from their two direct matches, C 1. C has by far
    the best overall goal difference."""
    return [
        m("B", "C", 1, 0),
        m("C", "B", 0, 0),
        m("A", "B", 1, 0),
        m("B", "A", 0, 1),
        m("C", "A", 1, 0),
        m("A", "C", 1, 0),
        m("A", "D", 1, 1),
        m("D", "A", 1, 0),
        m("B", "D", 2, 0),
        m("D", "B", 0, 2),
        m("C", "D", 5, 0),
        m("D", "C", 0, 5),
    ]


def test_uefa_2021_reapplies_head_to_head_to_the_teams_still_level() -> None:
    rows = compute_standings(_uefa_group(), regulation("uefa-2021"))
    assert [r.points for r in rows[:3]] == [10, 10, 10]
    assert order(rows) == ["A", "B", "C", "D"]
    assert row(rows, "B").decided_by == "h2h_points"  # A's 9 points in the mini-table
    assert row(rows, "C").decided_by == "h2h_points"  # re-applied to B and C alone: their direct matches


def test_uefa_2021_without_reapplication_the_order_changes() -> None:
    rows = compute_standings(_uefa_group(), regulation("uefa-2021", {"h2h_reapply": False}))
    assert order(rows) == ["A", "C", "B", "D"]
    assert row(rows, "B").decided_by == "goal_diff"


def _fifa_group() -> list[Result]:
    """A, B, C level on 6 points, +1 goal difference, 3 goals. Among them: 3 points each, goal difference 0,
    goals A 1, B 2, C 2. B beat C directly, but C has the better fair play (-1 against -2)."""
    return [
        m("A", "B", 1, 0),
        m("B", "C", 2, 1, fp=(-2, -1)),
        m("C", "A", 1, 0),
        m("A", "D", 2, 1),
        m("B", "D", 1, 0),
        m("C", "D", 1, 0),
    ]


def test_fifa_2022_does_not_reapply_head_to_head() -> None:
    rows = compute_standings(_fifa_group(), regulation("fifa-2022"))
    assert order(rows) == ["C", "B", "A", "D"]
    assert row(rows, "B").decided_by == "fair_play"
    assert row(rows, "A").decided_by == "h2h_goals"


def test_fifa_group_with_reapplication_would_rank_b_first() -> None:
    rows = compute_standings(_fifa_group(), regulation("fifa-2022", {"h2h_reapply": True}))
    assert order(rows)[:2] == ["B", "C"]
    assert row(rows, "C").decided_by == "h2h_points"


def test_uefa_league_phase_uses_no_head_to_head() -> None:
    rows = compute_standings(_a_beat_b(), regulation("uefa-league-phase-2024"))
    assert order(rows).index("B") < order(rows).index("A")
    assert row(rows, "A").decided_by == "goal_diff"


def test_iihf_points_3_2_1_0_and_direct_game_between_two() -> None:
    results = [m("A", "B", 2, 1, "OT"), m("B", "X", 3, 0), m("X", "A", 1, 0), m("A", "Y", 4, 0)]
    rows = compute_standings(results, regulation("iihf"))
    assert row(rows, "A").points == 2 + 3
    assert row(rows, "B").points == 1 + 3
    results = [
        m("A", "B", 1, 2, "SO"),
        m("A", "X", 9, 0),
        m("B", "Y", 1, 0),
        m("X", "A", 1, 2, "OT"),
        m("Y", "B", 2, 1, "OT"),
    ]
    rows = compute_standings(results, regulation("iihf"))
    # A: SO loss 1 + win 3 + OT win 2 = 6; B: SO win 2 + win 3 + OT loss 1 = 6: B won the direct game
    assert (row(rows, "A").points, row(rows, "B").points) == (6, 6)
    assert order(rows)[:2] == ["B", "A"]
    assert row(rows, "A").decided_by == "h2h_points"


def test_iihf_three_way_tie_then_best_outside_team_then_direct_game() -> None:
    # A, B, C beat each other in a circle 2-1: level on everything among them. D is the best team outside:
    # A beat D, B and C lost to D. B and C remain: their direct game (B won) decides.
    results = [
        m("A", "B", 2, 1),
        m("B", "C", 2, 1),
        m("C", "A", 2, 1),
        m("A", "D", 1, 0),
        m("D", "B", 1, 0),
        m("D", "C", 1, 0),
        m("B", "E", 1, 0),
        m("C", "E", 1, 0),
        m("E", "A", 1, 0),
        m("D", "E", 5, 0),
    ]
    rows = compute_standings(results, regulation("iihf"))
    assert [row(rows, t).points for t in "ABC"] == [6, 6, 6]
    top_three = [t for t in order(rows) if t in "ABC"]
    assert top_three == ["A", "B", "C"]
    assert row(rows, "B").decided_by == "vs_outside"
    assert row(rows, "C").decided_by == "h2h_points"


def test_nhl_regulation_wins_then_row() -> None:
    # equal points and games: A won both in regulation; B won once in OT and once in regulation
    results = [
        m("A", "X", 3, 1),
        m("A", "Y", 3, 1),
        m("B", "X", 3, 2, "OT"),
        m("B", "Y", 3, 1),
        m("X", "A", 1, 0),
        m("X", "B", 1, 0),
    ]
    rows = compute_standings(results, regulation("nhl"))
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "regulation_wins"


def test_nhl_2010_counts_overtime_wins_but_not_shootout_wins() -> None:
    results = [m("A", "X", 3, 2, "OT"), m("B", "Y", 3, 2, "SO")]
    rows = compute_standings(results, regulation("nhl-2010"))
    assert order(rows)[:2] == ["A", "B"]
    assert row(rows, "B").decided_by == "row"
    assert row(rows, "A").ot_won == row(rows, "B").ot_won == 1


def test_khl_regulation_wins_first() -> None:
    results = [
        m("A", "X", 1, 0),
        m("A", "Y", 0, 1, "OT"),
        m("B", "X", 2, 1, "SO"),
        m("B", "Y", 1, 0, "OT"),
        m("X", "Y", 5, 0),
    ]
    rows = compute_standings(results, regulation("khl"))
    # both 3 points; A has a regulation win, B none
    assert (row(rows, "A").points, row(rows, "B").points) == (3, 4)
    results = [
        m("A", "X", 1, 0),
        m("A", "Y", 0, 1, "SO"),
        m("B", "X", 2, 1, "SO"),
        m("B", "Y", 1, 0, "SO"),
        m("X", "Y", 9, 0),
        m("Y", "B", 1, 0),
    ]
    rows = compute_standings(results, regulation("khl"))
    assert (row(rows, "A").points, row(rows, "B").points) == (3, 4)


def test_khl_regulation_wins_separate_equal_points() -> None:
    results = [
        m("A", "X", 1, 0),
        m("A", "Y", 0, 1, "SO"),
        m("B", "X", 2, 1, "SO"),
        m("B", "Y", 2, 1, "SO"),
        m("Y", "B", 1, 0),
        m("X", "A", 1, 0, "SO"),
    ]
    rows = compute_standings(results, regulation("khl"))
    # A: win 2 + SO loss 1 + SO loss 1 = 4; B: SO win 2 + SO win 2 + loss 0 = 4
    assert (row(rows, "A").points, row(rows, "B").points) == (4, 4)
    assert order(rows).index("A") < order(rows).index("B")
    assert row(rows, "B").decided_by == "regulation_wins"


def test_hockey_counters() -> None:
    results = [m("A", "B", 3, 2, "OT"), m("B", "A", 2, 1, "SO"), m("A", "B", 4, 0)]
    rows = compute_standings(results, regulation("iihf"))
    a = row(rows, "A")
    assert (a.won, a.ot_won, a.lost, a.ot_lost, a.drawn) == (2, 1, 0, 1, 0)
    b = row(rows, "B")
    assert (b.won, b.ot_won, b.lost, b.ot_lost) == (1, 1, 1, 1)


def test_awarded_match_counts_as_a_win_with_its_score_unless_told_otherwise() -> None:
    results = [m("A", "B", 3, 0, "AWD")]
    rows = compute_standings(results, regulation("football"))
    assert (row(rows, "A").won, row(rows, "A").goals_for, row(rows, "A").points) == (1, 3, 3)
    rows = compute_standings(results, regulation("football", {"awarded_goals_count": False}))
    assert (row(rows, "A").won, row(rows, "A").goals_for, row(rows, "A").points) == (1, 0, 3)


def test_preset_criteria_are_the_documented_ones() -> None:
    assert PRESETS["premier-league"].criteria == ("goal_diff", "goals_for", "h2h_points", "h2h_away_goals")
    assert PRESETS["fifa-2022"].criteria[:5] == ("goal_diff", "goals_for", "h2h_points", "h2h_goal_diff", "h2h_goals")
    assert PRESETS["uefa-2021"].h2h_reapply
    assert not PRESETS["fifa-2022"].h2h_reapply
    assert PRESETS["nhl"].criteria[:4] == ("points_pct", "regulation_wins", "row", "wins")
    assert PRESETS["nhl-2010"].criteria == ("points_pct", "row", "h2h_points", "goal_diff")
    assert PRESETS["khl"].criteria[0] == "regulation_wins"
    p = PRESETS["iihf"].points
    assert (p.win, p.ot_win, p.so_win, p.ot_loss, p.so_loss, p.loss) == (3, 2, 2, 1, 1, 0)


@pytest.mark.parametrize(
    ("name", "overrides", "message"),
    [
        ("curling", None, "unknown regulation preset 'curling'"),
        ("football", {"criteria": ["coin_toss"]}, "unknown criteria"),
        ("football", {"sport": "ice-hockey"}, "cannot override 'sport'"),
        ("football", {"win": "three"}, "bad override"),
    ],
)
def test_bad_regulations_are_refused(name: str, overrides: dict[str, object] | None, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        regulation(name, overrides)


def test_overrides_change_points() -> None:
    reg = regulation("football", {"win": 2})
    rows = compute_standings([m("A", "B", 1, 0)], reg)
    assert row(rows, "A").points == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"home": "A", "away": "A"}, "cannot play itself"),
        ({"home_score": -1}, "negative"),
        ({"decided_in": DecidedIn.SO, "home_score": 1, "away_score": 1}, "needs a winner"),
        ({"home_fair_play": 2}, "fair-play"),
    ],
)
def test_bad_results_are_refused(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"id": "1", "home": "A", "away": "B", "home_score": 1, "away_score": 0}
    with pytest.raises(RulesError, match=message):
        Result(**{**base, **kwargs})  # type: ignore[arg-type]
