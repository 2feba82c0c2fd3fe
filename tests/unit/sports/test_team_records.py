from __future__ import annotations

from sports import DecidedIn, Result
from sports.team_records import team_records
from tests.unit.sports import loaders


def test_splits_and_form_in_play_order() -> None:
    results = [
        Result(id="3", home="A", away="B", home_score=0, away_score=1, round=3),
        Result(id="1", home="A", away="B", home_score=2, away_score=0, round=1),
        Result(id="2", home="B", away="A", home_score=1, away_score=1, round=2),
        Result(id="4", home="B", away="A", home_score=3, away_score=2, round=4, decided_in=DecidedIn.OT),
    ]
    records = team_records(results)
    a = records["A"]
    assert (a.home_played, a.home_won, a.home_lost, a.home_goals_for, a.home_goals_against) == (2, 1, 1, 2, 1)
    assert (a.away_played, a.away_drawn, a.away_lost, a.away_goals_for) == (2, 1, 1, 3)
    assert a.form == "WDLO"
    assert records["B"].form == "LDWW"


def test_epl_splits_add_up_to_the_table() -> None:
    from crawlers.results_io import read_results
    from sports import compute_standings, regulation

    results = read_results(loaders.EPL_JSON)
    records = team_records(results)
    for row in compute_standings(results, regulation("football")):
        rec = records[row.team]
        assert rec.home_played == rec.away_played == 19
        assert rec.home_won + rec.away_won == row.won
        assert rec.home_goals_for + rec.away_goals_for == row.goals_for
        assert len(rec.form) == 5
    assert records["Manchester City FC"].form == "WWWWW"  # nine wins in a row to the title
