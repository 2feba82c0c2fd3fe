"""Calendar generation: a stage's round robin from ``sports.schedule`` (circle method, minimum breaks),
one round every ``days_between_rounds`` from the first kick-off, at the home team's venue when given.

Regenerating replaces the stage's (or group's) scheduled matches, and is refused once any of them has a
result or is in play: a calendar with results is edited match by match.
"""

import datetime as dt
from typing import Any

import msgspec
from litestar import Response, post
from litestar.handlers import HTTPRouteHandler

from api.auth import Principal
from api.db import Database
from api.errors import ConflictError, InvalidError
from sports import RulesError
from sports.schedule import double_round_robin, single_round_robin

__all__ = ["CalendarRequest", "calendar_handler"]


class CalendarRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    team_ids: list[int]
    first_kickoff: dt.datetime
    days_between_rounds: int = 7
    double: bool = True
    group_id: int | None = None
    seed: int | None = None
    #: team id (as a string: JSON object keys) -> venue id
    venues: dict[str, int] = msgspec.field(default_factory=dict)


def calendar_handler() -> HTTPRouteHandler:
    from api.admin.app import ensure_in_org  # noqa: PLC0415 - the app module imports this one

    @post(
        "/v1/orgs/{org_id:int}/stages/{stage_id:int}/calendar",
        tags=["calendar"],
        status_code=201,
        summary="Generate a stage's round robin",
    )
    async def generate(
        org_id: int, stage_id: int, data: CalendarRequest, principal: Principal, db: Database
    ) -> Response[Any]:
        principal.require(org_id, ("editor", "owner"))
        if len(data.team_ids) < 2 or not 1 <= data.days_between_rounds <= 365:
            raise InvalidError("need at least two teams and 1 to 365 days between rounds")
        try:
            fixtures = (double_round_robin if data.double else single_round_robin)(
                [str(t) for t in data.team_ids], seed=data.seed
            )
        except RulesError as exc:
            raise InvalidError(str(exc)) from exc
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
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
            step = dt.timedelta(days=data.days_between_rounds)
            created = []
            for f in fixtures:
                row = await (
                    await conn.execute(
                        "INSERT INTO matches (stage_id, group_id, round, home_team_id, away_team_id, venue_id, "
                        "kickoff) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id, round, home_team_id, "
                        "away_team_id, venue_id, kickoff",
                        (
                            stage_id,
                            data.group_id,
                            f.round,
                            int(f.home),
                            int(f.away),
                            data.venues.get(f.home),
                            data.first_kickoff + step * (f.round - 1),
                        ),
                    )
                ).fetchone()
                created.append(row)
        return Response({"matches": created, "rounds": max(f.round for f in fixtures)}, status_code=201)

    return generate
