"""Standings: a pure function of (results, regulation, adjustments) to ordered rows with the deciding criterion.

Teams are first ordered by points; each set of teams level on points is then split by the regulation's
criteria in order. Head-to-head criteria look only at the matches among the teams of a reference set: the
set that was level when the head-to-head run began, or (``h2h_reapply``) the smaller set still level after
the run, for which the run starts over. A set that no criterion splits shares its rank and is flagged:
the table never breaks a tie silently by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

from sports.model import Adjustment, Outcome, Result, StandingRow
from sports.regulations import H2H_CRITERIA, PointsSystem, Regulation

__all__ = ["compute_standings", "standings_by_group"]

Key = tuple[int | Fraction, ...] | int | Fraction


class _Tally:
    """Running totals of one team (over all its matches, or over a head-to-head subset)."""

    __slots__ = (
        "away_goals",
        "away_wins",
        "drawn",
        "fair_play",
        "ga",
        "gf",
        "lost",
        "opponents",
        "ot_lost",
        "ot_won",
        "played",
        "points",
        "reg_wins",
        "row",
        "won",
    )

    def __init__(self) -> None:
        self.played = self.won = self.drawn = self.lost = self.ot_won = self.ot_lost = 0
        self.reg_wins = self.row = self.gf = self.ga = self.points = 0
        self.away_goals = self.away_wins = self.fair_play = 0
        self.opponents: list[str] = []

    def add(self, outcome: Outcome, gf: int, ga: int, *, away: bool, fair_play: int, pts: PointsSystem) -> None:
        self.played += 1
        self.gf += gf
        self.ga += ga
        self.fair_play += fair_play
        if away:
            self.away_goals += gf
        if outcome is Outcome.WIN:
            self.won += 1
            self.reg_wins += 1
            self.row += 1
            self.points += pts.win
        elif outcome is Outcome.OT_WIN:
            self.won += 1
            self.ot_won += 1
            self.row += 1
            self.points += pts.ot_win
        elif outcome is Outcome.SO_WIN:
            self.won += 1
            self.ot_won += 1
            self.points += pts.so_win
        elif outcome is Outcome.DRAW:
            self.drawn += 1
            self.points += pts.draw
        elif outcome is Outcome.LOSS:
            self.lost += 1
            self.points += pts.loss
        elif outcome is Outcome.OT_LOSS:
            self.ot_lost += 1
            self.points += pts.ot_loss
        else:
            self.ot_lost += 1
            self.points += pts.so_loss
        if away and outcome in (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN):
            self.away_wins += 1


def _tally(results: Iterable[Result], reg: Regulation, teams: Iterable[str] = ()) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {t: _Tally() for t in teams}
    for r in results:
        home = tallies.get(r.home) or tallies.setdefault(r.home, _Tally())
        away = tallies.get(r.away) or tallies.setdefault(r.away, _Tally())
        hs, as_ = r.home_score, r.away_score
        if r.decided_in == "AWD" and not reg.awarded_goals_count:
            hs = as_ = 0
        home.add(r.outcome_for("home"), hs, as_, away=False, fair_play=r.home_fair_play, pts=reg.points)
        away.add(r.outcome_for("away"), as_, hs, away=True, fair_play=r.away_fair_play, pts=reg.points)
        home.opponents.append(r.away)
        away.opponents.append(r.home)
    return tallies


class _Entry:
    __slots__ = ("label", "team", "tie")

    def __init__(self, team: str, label: str = "", tie: int = -1) -> None:
        self.team = team
        self.label = label
        self.tie = tie


class _Ranker:
    """Splits sets of tied teams with the regulation's criteria."""

    def __init__(
        self,
        results: Sequence[Result],
        reg: Regulation,
        tallies: dict[str, _Tally],
        outside_order: Sequence[str] | None,
    ) -> None:
        self.results = results
        self.reg = reg
        self.criteria = (
            reg.criteria if outside_order is not None else tuple(c for c in reg.criteria if c != "vs_outside")
        )
        self.tallies = tallies
        self.outside_order = outside_order or ()
        self._h2h_cache: dict[frozenset[str], dict[str, _Tally]] = {}
        self._pair_cache: dict[tuple[str, str], _Tally] = {}
        self._ties = 0

    # -- criterion keys (higher is better) ---------------------------------------------------------------

    def _h2h(self, ref: frozenset[str]) -> dict[str, _Tally]:
        cached = self._h2h_cache.get(ref)
        if cached is None:
            among = [r for r in self.results if r.home in ref and r.away in ref]
            cached = self._h2h_cache[ref] = _tally(among, self.reg, ref)
        return cached

    def _versus(self, team: str, other: str) -> _Tally:
        cached = self._pair_cache.get((team, other))
        if cached is None:
            among = [r for r in self.results if {r.home, r.away} == {team, other}]
            cached = self._pair_cache[(team, other)] = _tally(among, self.reg, (team, other))[team]
        return cached

    def _key(self, criterion: str, ref: frozenset[str] | None, block: Sequence[str]) -> Callable[[str], Key]:
        t = self.tallies
        if criterion in H2H_CRITERIA:
            assert ref is not None
            h = self._h2h(ref)
            return {
                "h2h_points": lambda x: h[x].points,
                "h2h_goal_diff": lambda x: h[x].gf - h[x].ga,
                "h2h_goals": lambda x: h[x].gf,
                "h2h_away_goals": lambda x: h[x].away_goals,
            }[criterion]
        if criterion == "vs_outside":
            inside = set(block)
            outside = [o for o in self.outside_order if o not in inside]

            def vs_outside(x: str) -> tuple[int, ...]:
                key: list[int] = []
                for other in outside:
                    v = self._versus(x, other)
                    key += [v.points, v.gf - v.ga, v.gf]
                return tuple(key)

            return vs_outside
        max_points = self.reg.max_points_per_match
        simple: dict[str, Callable[[str], Key]] = {
            "points": lambda x: t[x].points,
            "points_pct": lambda x: Fraction(t[x].points, t[x].played * max_points) if t[x].played else Fraction(0),
            "goal_diff": lambda x: t[x].gf - t[x].ga,
            "goals_for": lambda x: t[x].gf,
            "wins": lambda x: t[x].won,
            "regulation_wins": lambda x: t[x].reg_wins,
            "row": lambda x: t[x].row,
            "away_goals": lambda x: t[x].away_goals,
            "away_wins": lambda x: t[x].away_wins,
            "fair_play": lambda x: t[x].fair_play,
            "opp_points": lambda x: sum(t[o].points for o in t[x].opponents),
            "opp_goal_diff": lambda x: sum(t[o].gf - t[o].ga for o in t[x].opponents),
            "opp_goals": lambda x: sum(t[o].gf for o in t[x].opponents),
        }
        return simple[criterion]

    # -- splitting -------------------------------------------------------------------------------------------

    @staticmethod
    def _partition(block: Sequence[str], key: Callable[[str], Key]) -> list[list[str]]:
        keyed = sorted(((key(team), team) for team in block), key=lambda kt: kt[0], reverse=True)
        groups: list[list[str]] = []
        last: object = object()
        for k, team in keyed:
            if groups and k == last:
                groups[-1].append(team)
            else:
                groups.append([team])
                last = k
        return groups

    def resolve(
        self, block: list[str], start: int = 0, ref: frozenset[str] | None = None, run_start: int = 0
    ) -> list[_Entry]:
        if len(block) == 1:
            return [_Entry(block[0])]
        pair = frozenset(block)
        if self.reg.direct_game_for_two and len(block) == 2 and ref != pair:
            groups = self._partition(block, self._key("h2h_points", pair, block))
            if len(groups) == 2:
                return [_Entry(groups[0][0]), _Entry(groups[1][0], "h2h_points")]
        i = start
        while i < len(self.criteria):
            criterion = self.criteria[i]
            if criterion in H2H_CRITERIA:
                if ref is None:
                    ref, run_start = frozenset(block), i
            elif ref is not None:
                if self.reg.h2h_reapply and len(block) < len(ref):
                    return self.resolve(block, run_start, frozenset(block), run_start)
                ref = None
            groups = self._partition(block, self._key(criterion, ref, block))
            if len(groups) > 1:
                out: list[_Entry] = []
                for n, group in enumerate(groups):
                    sub = self.resolve(group, i + 1, ref, run_start)
                    if n:
                        sub[0].label = criterion
                    out.extend(sub)
                return out
            i += 1
        if ref is not None and self.reg.h2h_reapply and len(block) < len(ref):
            return self.resolve(block, run_start, frozenset(block), run_start)
        self._ties += 1
        ordered = sorted(block)  # display order only: the rank is shared and flagged
        return [_Entry(team, "" if n == 0 else "unresolved", self._ties) for n, team in enumerate(ordered)]


def _order(
    results: Sequence[Result], reg: Regulation, tallies: dict[str, _Tally], outside_order: Sequence[str] | None
) -> list[_Entry]:
    ranker = _Ranker(results, reg, tallies, outside_order)
    entries: list[_Entry] = []
    for n, block in enumerate(ranker._partition(list(tallies), lambda x: tallies[x].points)):
        sub = ranker.resolve(block)
        if n:
            sub[0].label = "points"
        entries.extend(sub)
    return entries


def compute_standings(
    results: Iterable[Result],
    reg: Regulation,
    adjustments: Iterable[Adjustment] = (),
    teams: Iterable[str] = (),
    group: str = "",
) -> list[StandingRow]:
    """The table of ``results`` under ``reg``; ``teams`` adds teams that have not played yet.

    The order of ``results`` does not matter. Adjustments change points only (not points percentage's
    games played), as competitions apply deductions.
    """
    ordered_results = sorted(results, key=lambda r: r.id)
    tallies = _tally(ordered_results, reg, teams)
    for adj in adjustments:
        tallies.setdefault(adj.team, _Tally()).points += adj.points
    outside: list[str] | None = None
    if "vs_outside" in reg.criteria:
        outside = [e.team for e in _order(ordered_results, reg, tallies, None)]
    entries = _order(ordered_results, reg, tallies, outside)
    rows: list[StandingRow] = []
    max_points = reg.max_points_per_match
    for position, entry in enumerate(entries, start=1):
        shared = entry.tie >= 0 and entry.label == "unresolved"
        rank = rows[-1].rank if shared else position
        t = tallies[entry.team]
        rows.append(
            StandingRow(
                rank=rank,
                team=entry.team,
                played=t.played,
                won=t.won,
                drawn=t.drawn,
                lost=t.lost,
                ot_won=t.ot_won,
                ot_lost=t.ot_lost,
                goals_for=t.gf,
                goals_against=t.ga,
                goal_diff=t.gf - t.ga,
                points=t.points,
                points_pct=round(t.points / (t.played * max_points), 4) if t.played and max_points else 0.0,
                decided_by=entry.label,
                unresolved=entry.tie >= 0,
                group=group,
            )
        )
    return rows


def standings_by_group(
    results: Iterable[Result], reg: Regulation, adjustments: Iterable[Adjustment] = ()
) -> dict[str, list[StandingRow]]:
    """One table per ``Result.group`` (in name order); adjustments apply in every group the team is in."""
    by_group: dict[str, list[Result]] = {}
    for r in results:
        by_group.setdefault(r.group, []).append(r)
    adjustments = list(adjustments)
    tables: dict[str, list[StandingRow]] = {}
    for name in sorted(by_group):
        members = {t for r in by_group[name] for t in (r.home, r.away)}
        tables[name] = compute_standings(by_group[name], reg, [a for a in adjustments if a.team in members], group=name)
    return tables
