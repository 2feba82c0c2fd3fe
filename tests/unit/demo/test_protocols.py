"""The World Cup's full protocols: every goal and card belongs to a player of a line-up, scores add up."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.parsers.txt_protocols import Protocol, parse_protocols, split_name
from rstat.demo.data import world_cup
from rstat.demo.football import lineup, protocol_events
from rstat.demo.rows import event_body

DATA = Path(__file__).resolve().parents[2] / "data" / "football"


@pytest.fixture(scope="module")
def protocols() -> dict[tuple[str, str], Protocol]:
    return {(p.home, p.away): p for p in parse_protocols((DATA / "2018_full.txt").read_text())}


def test_every_match_has_its_protocol_and_its_facts_are_in_the_line_ups(
    protocols: dict[tuple[str, str], Protocol],
) -> None:
    fixtures = world_cup(DATA / "2018_worldcup.json")
    assert len(protocols) == 64
    for f in fixtures:
        p = protocols[(f.home, f.away)]
        played = {side: {name for s, name, _ in lineup(p) if s == side} for side in ("home", "away")}
        assert [len(p.starters[s]) for s in ("home", "away")] == [11, 11]
        assert sum(g.side == "home" for g in p.goals) == f.home_score
        assert sum(g.side == "away" for g in p.goals) == f.away_score
        for g in p.goals:
            team = {"home": "away", "away": "home"}[g.side] if g.own_goal else g.side
            assert g.player in played[team], (f.home, f.away, g)
        for c in p.cards:
            assert c.player in played[c.side], (f.home, f.away, c)


def test_substitutions_nest_and_name_who_went_off(protocols: dict[tuple[str, str], Protocol]) -> None:
    subs = next(
        p.substitutions[side]
        for p in protocols.values()
        for side in ("home", "away")
        if any(s.player_in == "GO Yohan" for s in p.substitutions[side])
    )
    assert [(s.minute, s.player_out, s.player_in) for s in subs if s.player_in in ("HWANG Heechan", "GO Yohan")] == [
        (56, "KOO Jacheol", "HWANG Heechan"),
        (79, "HWANG Heechan", "GO Yohan"),
    ]


def test_events_take_penalties_from_the_json_and_credit_own_goals(protocols: dict[tuple[str, str], Protocol]) -> None:
    fixture = next(f for f in world_cup(DATA / "2018_worldcup.json") if (f.home, f.away) == ("Russia", "Egypt"))
    events = protocol_events(fixture, protocols[("Russia", "Egypt")])
    goals = [(e.kind, e.side, e.minute, e.player, e.player_side) for e in events if "goal" in e.kind]
    assert goals == [
        ("own_goal", "home", 47, "AHMED FATHI", "away"),
        ("goal", "home", 59, "Denis CHERYSHEV", None),
        ("goal", "home", 62, "Artem DZYUBA", None),
        ("penalty_goal", "away", 73, "MOHAMED SALAH", None),
    ]
    # the own goal is Russia's (the credited team) but its player is Egypt's
    body = event_body(
        events[[e.kind for e in events].index("own_goal")],
        {"id": 9, "home_team_id": 1, "away_team_id": 2},
        lambda t, k: {(2, "AHMED FATHI"): 77}.get((t, k)),
    )
    assert (body["team_id"], body["player_id"], body["period"], body["minute"]) == (1, 77, 2, 47)


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("Denis CHERYSHEV", ("Denis", "Cheryshev")),
        ("MARIO FERNANDES", ("", "Mario Fernandes")),
        ("Giorgian DE ARRASCAETA", ("Giorgian", "De Arrascaeta")),
        ("Neymar", ("", "Neymar")),
    ],
)
def test_names_split_at_the_capitalized_surname(name: str, split: tuple[str, str]) -> None:
    assert split_name(name) == split
