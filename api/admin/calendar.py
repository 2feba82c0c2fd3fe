"""Calendar generation from ``sports/``, one round every ``days_between_rounds`` from the first kick-off,
at the home team's venue when given:

- ``round_robin``: the circle method with the minimum number of breaks (``sports.schedule``), single or
  double;
- ``knockout``: a seeded single-elimination bracket (``sports.bracket``, byes to the top seeds), every
  bracket match a tie (one leg, or two with ``legs: 2``); ties whose teams are known get their matches,
  later rounds are ties with placeholder teams until the winners are known;
- ``series``: the same bracket of best-of-N series (``best_of``), games at home by the 2-2-1-1-1 pattern
  (``sports.ties``).

Regenerating replaces the stage's (or group's) scheduled matches and ties, and is refused once any match
has a result or is in play: a calendar with results is edited match by match.

``preview: true`` runs the same generation in a transaction that is rolled back: the organizer sees exactly
what saving would create (every check included) and nothing is written; its ids are not kept.
"""

import datetime as dt
from typing import Literal

import msgspec
from litestar import Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec

from api.admin.deps import Caller
from api.admin.resources import EDIT
from api.auth import Principal
from api.db import Database
from api.errors import ConflictError, InvalidError
from api.tenancy import ensure_in_org
from sports import RulesError
from sports.bracket import build_bracket
from sports.schedule import double_round_robin, single_round_robin
from sports.ties import series_home_pattern

__all__ = ["Calendar", "CalendarMatch", "CalendarRequest", "calendar_handler"]


class CalendarRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    #: in seeding order for knockout and series (the first is the top seed)
    team_ids: list[int]
    format: Literal["round_robin", "knockout", "series"] = "round_robin"
    legs: Literal[1, 2] = 1
    best_of: int = 7
    first_kickoff: dt.datetime
    days_between_rounds: int = 7
    double: bool = True
    group_id: int | None = None
    seed: int | None = None
    #: team id (as a string: JSON object keys) -> venue id
    venues: dict[str, int] = msgspec.field(default_factory=dict)
    #: answer what would be created, and write nothing
    preview: bool = False


class CalendarMatch(msgspec.Struct, frozen=True):
    id: int
    round: int
    home_team_id: int
    away_team_id: int
    venue_id: int | None
    kickoff: dt.datetime | None
    #: the bracket tie, leg (two-legged ties) and game number (series) a knockout match belongs to
    tie_id: int | None
    leg: int | None
    game_no: int | None


class Calendar(msgspec.Struct, frozen=True):
    matches: list[CalendarMatch]
    #: bracket ties created (knockout and series; 0 for a round robin)
    ties: int
    rounds: int
    #: a preview: nothing was saved (the ids were not kept)
    preview: bool = False


class _Preview(Exception):  # noqa: N818 - not an error: how a preview leaves its transaction unsaved
    def __init__(self, calendar: Calendar) -> None:
        super().__init__("preview")
        self.calendar = calendar


def calendar_handler() -> HTTPRouteHandler:
    @post(
        "/v1/orgs/{org_id:int}/stages/{stage_id:int}/calendar",
        tags=["calendar"],
        status_code=201,
        summary="Generate a stage's calendar: round robin, knockout or series",
        responses={200: ResponseSpec(Calendar, description="A preview (`preview: true`): nothing was saved")},
    )
    async def generate(
        org_id: int, stage_id: int, data: CalendarRequest, principal: Caller, db: Database
    ) -> Response[Calendar]:
        principal.require(org_id, EDIT)
        if len(data.team_ids) < 2 or not 1 <= data.days_between_rounds <= 365:
            raise InvalidError("need at least two teams and 1 to 365 days between rounds")
        try:
            return Response(await _generate(org_id, stage_id, data, principal, db), status_code=201)
        except _Preview as preview:
            return Response(preview.calendar, status_code=200)

    return generate


async def _generate(org_id: int, stage_id: int, data: CalendarRequest, principal: Principal, db: Database) -> Calendar:
    plan, ties = _plan(data)
    async with db.write(
        actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
    ) as conn:
        await ensure_in_org(conn, org_id, "stages", stage_id)
        for team in data.team_ids:
            await ensure_in_org(conn, org_id, "teams", team)
        for venue in data.venues.values():
            await ensure_in_org(conn, org_id, "venues", venue)
        if data.group_id is not None:
            await ensure_in_org(conn, org_id, "groups", data.group_id)
        played = await (
            await conn.execute(
                "SELECT count(*) AS n FROM matches WHERE stage_id = %s AND group_id IS NOT DISTINCT FROM %s "
                "AND status NOT IN ('scheduled', 'postponed', 'cancelled')",
                (stage_id, data.group_id),
            )
        ).fetchone()
        if played and played["n"]:
            raise ConflictError(f"{played['n']} match(es) of this stage have results or are in play")
        await conn.execute(
            "DELETE FROM matches WHERE stage_id = %s AND group_id IS NOT DISTINCT FROM %s",
            (stage_id, data.group_id),
        )
        await conn.execute("DELETE FROM ties WHERE stage_id = %s", (stage_id,))
        tie_ids: dict[int, int] = {}
        for number, (round_no, team_a, team_b) in ties.items():
            tie = await (
                await conn.execute(
                    "INSERT INTO ties (stage_id, round, kind, team_a_id, team_b_id, best_of) "
                    "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (
                        stage_id,
                        round_no,
                        "series" if data.format == "series" or data.legs == 1 else "two_legged",
                        team_a,
                        team_b,
                        data.best_of if data.format == "series" else (1 if data.legs == 1 else None),
                    ),
                )
            ).fetchone()
            assert tie is not None
            tie_ids[number] = int(tie["id"])
        step = dt.timedelta(days=data.days_between_rounds)
        created = []
        for p in plan:
            row = await (
                await conn.execute(
                    "INSERT INTO matches (stage_id, group_id, round, home_team_id, away_team_id, venue_id, "
                    "kickoff, tie_id, leg, game_no) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "RETURNING id, round, home_team_id, away_team_id, venue_id, kickoff, tie_id, leg, game_no",
                    (
                        stage_id,
                        data.group_id,
                        p.round,
                        p.home,
                        p.away,
                        data.venues.get(str(p.home)),
                        data.first_kickoff + step * (p.round - 1) + dt.timedelta(days=2 * p.day),
                        tie_ids.get(p.tie) if p.tie else None,
                        p.leg,
                        p.game,
                    ),
                )
            ).fetchone()
            created.append(row)
        rounds = max([p.round for p in plan] + [r for r, _a, _b in ties.values()])
        calendar = Calendar(matches=msgspec.convert(created, list[CalendarMatch]), ties=len(ties), rounds=rounds)
        if data.preview:
            raise _Preview(msgspec.structs.replace(calendar, preview=True))  # rolls the transaction back
    return calendar


class _Planned(msgspec.Struct, frozen=True, kw_only=True):
    round: int
    home: int
    away: int
    tie: int = 0  # bracket match number
    leg: int | None = None
    game: int | None = None
    day: int = 0  # games of a series, two days apart within the round


def _plan(data: CalendarRequest) -> tuple[list[_Planned], dict[int, tuple[int, int | None, int | None]]]:
    """The matches to create, and for knockout/series the ties (bracket number -> round and known teams)."""
    try:
        if data.format == "round_robin":
            fixtures = (double_round_robin if data.double else single_round_robin)(
                [str(t) for t in data.team_ids], seed=data.seed
            )
            return [_Planned(round=f.round, home=int(f.home), away=int(f.away)) for f in fixtures], {}
        bracket = build_bracket(len(data.team_ids))
        homes = series_home_pattern(data.best_of) if data.format == "series" else []
    except RulesError as exc:
        raise InvalidError(str(exc)) from exc
    if len(set(data.team_ids)) != len(data.team_ids):
        raise InvalidError("a team is listed twice")
    rounds_per_tie = data.legs if data.format == "knockout" else 1
    plan: list[_Planned] = []
    ties: dict[int, tuple[int, int | None, int | None]] = {}
    for m in bracket:
        a = data.team_ids[m.home.seed - 1] if m.home.seed else None
        b = data.team_ids[m.away.seed - 1] if m.away.seed else None
        first = (m.round - 1) * rounds_per_tie + 1
        ties[m.number] = (first, a, b)
        if a is None or b is None:
            continue  # a placeholder: its matches are entered once both teams are known
        if data.format == "series":
            plan += [
                _Planned(round=first, home=a if high else b, away=b if high else a, tie=m.number, game=n, day=n - 1)
                for n, high in enumerate(homes, start=1)
            ]
        elif data.legs == 2:  # the higher seed at home in the second leg
            plan += [
                _Planned(round=first, home=b, away=a, tie=m.number, leg=1),
                _Planned(round=first + 1, home=a, away=b, tie=m.number, leg=2),
            ]
        else:
            plan.append(_Planned(round=first, home=a, away=b, tie=m.number))
    return plan, ties
