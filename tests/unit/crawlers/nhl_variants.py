"""Games the two saved NHL play-by-play documents do not show, derived from them in code (so the way each is
made is read here): a shoot-out (the overtime game with its overtime goal removed and five kicks added), an
empty-net goal (the regulation game with a goal into Seattle's empty net in its last minute, when the saved
plays show the net empty) and a goalie change (Seattle's backup in net for the third period)."""

from __future__ import annotations

import copy
from typing import Any

OT_GOAL = 1131
SEA, CGY, STL = 55, 20, 19
SEA_BACKUP = 8478916  # Joey Daccord


def _play(event_id: int, sort: int, period: int, kind: str, clock: str, details: dict[str, Any], **extra: Any) -> Any:
    ptype = "SO" if period == 5 else "OT" if period == 4 else "REG"
    return {
        "eventId": event_id,
        "sortOrder": sort,
        "periodDescriptor": {"number": period, "periodType": ptype, "maxRegulationPeriods": 3},
        "timeInPeriod": clock,
        "typeDescKey": kind,
        "situationCode": extra.get("situation", "1551"),
        "details": details,
    }


def shootout(ot_game: dict[str, Any]) -> dict[str, Any]:
    """CGY @ SEA decided by a shoot-out: 1-1 after overtime, Seattle scores twice in five kicks (2-1 SO)."""
    doc = copy.deepcopy(ot_game)
    overtime_end = (OT_GOAL, "period-end", "game-end")
    doc["plays"] = [
        p
        for p in doc["plays"]
        if p["periodDescriptor"]["number"] < 4
        or (p["eventId"] not in overtime_end and p["typeDescKey"] not in overtime_end)
    ]
    doc["plays"].append(_play(2000, 900, 4, "period-end", "05:00", {}))
    kicks = [
        (SEA, "goal", {"scoringPlayerId": 8474586, "goalieInNetId": 8478435}),
        (CGY, "missed-shot", {"shootingPlayerId": 8476399, "goalieInNetId": 8475831}),
        (SEA, "shot-on-goal", {"shootingPlayerId": 8476905, "goalieInNetId": 8478435}),
        (CGY, "shot-on-goal", {"shootingPlayerId": 8474150, "goalieInNetId": 8475831}),
        (SEA, "goal", {"scoringPlayerId": 8477986, "goalieInNetId": 8478435}),
    ]
    for n, (team, kind, details) in enumerate(kicks):
        doc["plays"].append(_play(2001 + n, 901 + n, 5, kind, "00:00", {**details, "eventOwnerTeamId": team}))
    doc["gameOutcome"] = {"lastPeriodType": "SO"}
    doc["homeTeam"]["score"], doc["awayTeam"]["score"] = 2, 1
    return doc


def empty_net(reg_game: dict[str, Any]) -> dict[str, Any]:
    """STL 4 @ SEA 2: a St. Louis goal at 19:40 of the third period into Seattle's empty net ("1560")."""
    doc = copy.deepcopy(reg_game)
    doc["plays"].append(
        _play(3000, 847, 3, "goal", "19:40", {"scoringPlayerId": 8479385, "eventOwnerTeamId": STL}, situation="1560")
    )
    doc["awayTeam"]["score"] = 4
    return doc


def goalie_change(reg_game: dict[str, Any]) -> dict[str, Any]:
    """The regulation game with Seattle's backup in net for every shot of the third period."""
    doc = copy.deepcopy(reg_game)
    for play in doc["plays"]:
        details = play.get("details") or {}
        if (
            play["periodDescriptor"]["number"] == 3
            and details.get("eventOwnerTeamId") == STL
            and "goalieInNetId" in details
        ):
            details["goalieInNetId"] = SEA_BACKUP
    return doc
