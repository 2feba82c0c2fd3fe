"""One stage's forecast, from its inputs to the record of ``rstat.stats.predictions``.

Runs in the forecast process (:mod:`streams.predictions_worker`): the model (``predict.forecast``, numpy
and scipy) is imported there, on first use, never in the worker's event loop. Each group of the stage is
forecast on its own with the stage's regulation and zones (a zone past a group's last place is cut to it).

Clinched and eliminated follow from the exact best and worst final positions the model returns: a team has
clinched a zone when every position it can still reach is inside it, and is eliminated from it when none
is; a position the time budget could not decide (None) marks neither.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from sports import regulation
from streams.predictions import ForecastInputs, ZoneSpec

__all__ = ["compute_forecast", "zone_flags", "zones_for"]

_inputs = msgspec.msgpack.Decoder(ForecastInputs)


def zones_for(zones: list[ZoneSpec], teams: int) -> dict[str, tuple[int, int]]:
    """The stage's zones as a table of ``teams`` has them: cut at its last place, dropped past it."""
    return {z.name: (z.first, min(z.last, teams)) for z in zones if z.first <= teams}


def zone_flags(zones: dict[str, tuple[int, int]], best: int | None, worst: int | None) -> tuple[list[str], list[str]]:
    """The zones a team has clinched and those it is eliminated from, given its exact best and worst
    final positions (None: undecided, no flag)."""
    if best is None or worst is None:
        return [], []
    clinched = [name for name, (first, last) in zones.items() if first <= best and worst <= last]
    eliminated = [name for name, (first, last) in zones.items() if best > last or worst < first]
    return clinched, eliminated


def compute_forecast(raw: bytes, sims: int, clinch_budget_s: float) -> dict[str, Any]:
    """The predictions record of the stage whose msgpack-encoded :class:`ForecastInputs` is ``raw``."""
    from predict.forecast import Fixture, forecast_stage  # noqa: PLC0415  (in the forecast process only)

    inputs = _inputs.decode(raw)
    params = json.loads(inputs.params) if inputs.params else None
    reg = regulation(inputs.regulation, params)
    seed = inputs.seed
    matches: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    for group in inputs.groups:
        if len(group.teams) < 2:
            continue
        group_key = int(group.group or 0)
        zones = zones_for(inputs.zones, len(group.teams))
        forecast = forecast_stage(
            group.played,
            [Fixture(id=u.id, home=u.home, away=u.away, date=u.date) for u in group.remaining],
            reg,
            group.teams,
            adjustments=group.adjustments,
            zones=zones,
            sims=sims,
            seed=seed,
            clinch_budget_s=clinch_budget_s,
        )
        kickoffs = {u.id: u.date for u in group.remaining}
        for m in forecast.matches:
            split = m.hockey
            matches.append(
                {
                    "match_id": int(m.id),
                    "group_key": group_key,
                    "home_team_id": int(m.home),
                    "away_team_id": int(m.away),
                    "kickoff": kickoffs.get(m.id),
                    "p_home": float(m.p_home),
                    "p_draw": float(m.p_draw),
                    "p_away": float(m.p_away),
                    **{
                        f"p_{side}_{how}": None if split is None else float(getattr(split, f"p_{side}_{how}"))
                        for side in ("home", "away")
                        for how in ("reg", "ot", "so")
                    },
                    "likely_scores": json.dumps([[int(h), int(a), float(p)] for h, a, p in m.likely_scores]),
                }
            )
        for t in forecast.teams:
            clinched, eliminated = zone_flags(zones, t.best_possible, t.worst_possible)
            teams.append(
                {
                    "team_id": int(t.team),
                    "group_key": group_key,
                    "elo": float(t.elo),
                    "attack": float(t.attack),
                    "defence": float(t.defence),
                    "position_probabilities": [float(p) for p in t.position_probabilities],
                    "zone_probabilities": json.dumps(
                        {name: float(t.zone_probabilities.get(name, 0.0)) for name in zones}, sort_keys=True
                    ),
                    "best_possible": t.best_possible,
                    "worst_possible": t.worst_possible,
                    "clinched": clinched,
                    "eliminated": eliminated,
                    "sims": int(forecast.sims),
                    "seed": seed,
                }
            )
    matches.sort(key=lambda row: int(row["match_id"]))
    teams.sort(key=lambda row: int(row["team_id"]))
    return {
        "stage_id": inputs.stage_id,
        "commit_lsn": inputs.position[0],
        "ordinal": inputs.position[1],
        "version": inputs.version,
        "sport": reg.sport,
        "sims": sims,
        "seed": seed,
        "zones": [{"name": z.name, "first": z.first, "last": z.last} for z in inputs.zones],
        "matches": matches,
        "teams": teams,
    }
