"""The management API's resources as data: table, fields with their columns' rules, references, who writes.

Every route of the admin app is generated from these specs (list, read, create, update, delete), so tenant
scoping is written once: every id a request names (a parent, a team, a player, a venue: the fields with a
``ref``) must belong to the caller's organization (:mod:`api.tenancy`), or the request gets a 404 as if it
did not exist. DTOs are msgspec Structs built from the field lists: a Create type (required fields without
defaults), an Update type (every field optional, absent = unchanged), a Read type (every column, as
answered) and a Page type of Read items. A field's type carries its column's rule, so Create and Update
refuse what the database would, naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypedDict

import msgspec

from api.tenancy import org_column
from schemas.columns import (
    Code,
    ContentKind,
    Count,
    DecidedIn,
    EventKind,
    MatchStatus,
    Nationality,
    Number,
    PenaltyMinutes,
    Positive,
    Slug,
    SmallCount,
    StageKind,
    Strength,
    Url,
    text,
)
from sports.registry import SPORTS as SPORT_RULES

__all__ = ["RESOURCES", "Field", "Resource", "Zone"]

EDIT = ("editor", "owner")
PROTOCOL = ("scorer", "editor", "owner")
OWNER = ("owner",)


class Field(msgspec.Struct, frozen=True):
    name: str
    type: Any
    required: bool = False
    #: the resource this column points to, when it is another row of the organization
    ref: str | None = None
    #: jsonb column: sent as JSON
    json: bool = False
    #: NOT NULL with a table default: optional to send, never null when read
    default: bool = False

    def read_type(self) -> Any:
        """The column's type in an answer: null only where the table allows it."""
        return self.type if self.required or self.default else self.type | None


class Resource(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    table: str
    fields: tuple[Field, ...]
    write_roles: tuple[str, ...] = EDIT
    #: list filters accepted as query parameters (equality on these columns)
    filters: tuple[str, ...] = ()
    #: columns the table sets itself (timestamps, links made by calendar generation): read, never written
    read_only: tuple[Field, ...] = ()

    def create_type(self) -> type[msgspec.Struct]:
        required = [(f.name, f.type) for f in self.fields if f.required]
        optional = [(f.name, f.type | None, None) for f in self.fields if not f.required]
        return msgspec.defstruct(
            f"{_camel(self.name)}Create", [*required, *optional], kw_only=True, forbid_unknown_fields=True
        )

    def update_type(self) -> type[msgspec.Struct]:
        fields = [
            (f.name, (f.type if f.required else f.type | None) | msgspec.UnsetType, msgspec.UNSET) for f in self.fields
        ]
        return msgspec.defstruct(f"{_camel(self.name)}Update", fields, kw_only=True, forbid_unknown_fields=True)

    def read_type(self) -> type[msgspec.Struct]:
        """A row as the API answers it: every column of the table."""
        org = [("org_id", int)] if org_column(self.table) else []
        columns = [(f.name, f.read_type()) for f in (*self.fields, *self.read_only)]
        return msgspec.defstruct(f"{_camel(self.name)}Read", [("id", int), *org, *columns], kw_only=True)

    def page_type(self) -> type[msgspec.Struct]:
        """A page of the list route, with the count of every row that matches."""
        return msgspec.defstruct(
            f"{_camel(self.name)}Page",
            [("items", list[self.read_type()]), ("total", int), ("limit", int), ("offset", int)],  # type: ignore[misc]
            kw_only=True,
        )

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


# The columns' rules (schemas/sql, as :mod:`schemas.columns` writes them) make Create and Update refuse a value
# in words, naming the field, before the database would refuse it by a constraint's name; the OpenAPI document
# shows them to clients. Rules across fields and the sport's limits stay in the database.

#: the ``sports`` table's rows, which are the sports the rules know (a unit test holds the two together)
SPORTS = tuple(SPORT_RULES)
Text = str
Sport = Literal[SPORTS]  # type: ignore[valid-type]
#: the crawlers' spiders (the crawl_jobs table's CHECK; a unit test holds them to crawlers.arguments)
SpiderName = Literal["nhl", "football-data", "openfootball", "fbref"]
ArgumentName = Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{0,39}$")]
Seconds = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
ZonePosition = Annotated[int, msgspec.Meta(ge=1, le=999)]


class Zone(TypedDict):
    """A named range of final positions of a stage (title 1-1, relegation 18-20): predictions give each
    team the probability of ending in it. The table checks the rest: first <= last, names unique, zones
    nested or apart (constraints ``stages_zones_*``)."""

    name: Annotated[str, msgspec.Meta(pattern="^[a-z0-9][a-z0-9_-]{0,39}$")]
    first: ZonePosition
    last: ZonePosition


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in [
        Resource(
            name="competitions",
            table="competitions",
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(Field("sport", Sport, True), Field("slug", Slug, True), Field("name", text(200), True)),
        ),
        Resource(
            name="seasons",
            table="seasons",
            filters=("competition_id",),
            fields=(
                Field("competition_id", int, True, ref="competitions"),
                Field("name", text(100), True),
                Field("starts_on", dt.date),
                Field("ends_on", dt.date),
            ),
        ),
        Resource(
            name="stages",
            table="stages",
            filters=("season_id",),
            fields=(
                Field("season_id", int, True, ref="seasons"),
                Field("name", text(100), True),
                Field("kind", StageKind, True),
                Field("ordinal", Positive, default=True),
                Field("regulation", str, True),
                Field("regulation_params", dict[str, Any], json=True, default=True),
                Field("zones", list[Zone], json=True, default=True),
            ),
        ),
        Resource(
            name="groups",
            table="groups",
            filters=("stage_id",),
            fields=(Field("stage_id", int, True, ref="stages"), Field("name", text(50), True)),
        ),
        Resource(
            name="teams",
            table="teams",
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(
                Field("name", text(200), True),
                Field("short_name", Text),
                Field("code", Code),
            ),
        ),
        Resource(
            name="players",
            table="players",
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(
                Field("last_name", text(100), True),
                Field("first_name", Text, default=True),
                Field("birth_date", dt.date),
                Field("nationality", Nationality),
            ),
        ),
        Resource(
            name="venues",
            table="venues",
            fields=(Field("name", text(200), True), Field("city", Text), Field("capacity", Count)),
        ),
        Resource(
            name="officials",
            table="officials",
            fields=(Field("name", text(200), True), Field("role", str, default=True)),
        ),
        Resource(
            name="roster_entries",
            table="roster_entries",
            filters=("season_id", "team_id"),
            fields=(
                Field("season_id", int, True, ref="seasons"),
                Field("team_id", int, True, ref="teams"),
                Field("player_id", int, True, ref="players"),
                Field("number", Number),
                Field("position", str),
            ),
        ),
        Resource(
            name="matches",
            table="matches",
            filters=("stage_id", "round", "status", "home_team_id", "away_team_id"),
            write_roles=PROTOCOL,  # scorers may only change the protocol fields (see SCORER_MATCH_FIELDS)
            read_only=(
                Field("tie_id", int),
                Field("leg", int),
                Field("game_no", int),
                Field("updated_at", dt.datetime, default=True),
            ),
            fields=(
                Field("stage_id", int, True, ref="stages"),
                Field("group_id", int, ref="groups"),
                Field("round", Positive, True),
                Field("home_team_id", int, True, ref="teams"),
                Field("away_team_id", int, True, ref="teams"),
                Field("venue_id", int, ref="venues"),
                Field("referee_id", int, ref="officials"),
                Field("kickoff", dt.datetime),
                Field("status", MatchStatus, default=True),
                Field("home_score", SmallCount),
                Field("away_score", SmallCount),
                Field("period_scores", list[list[int]], json=True, default=True),
                Field("decided_in", DecidedIn),
                Field("attendance", Count),
            ),
        ),
        Resource(
            name="match_events",
            table="match_events",
            filters=("match_id",),
            write_roles=PROTOCOL,
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(
                Field("match_id", int, True, ref="matches"),
                Field("team_id", int, True, ref="teams"),
                Field("kind", EventKind, True),
                Field("player_id", int, ref="players"),
                Field("assist1_id", int, ref="players"),
                Field("assist2_id", int, ref="players"),
                Field("player_out_id", int, ref="players"),
                Field("goalie_id", int, ref="players"),
                Field("period", Positive, True),
                Field("minute", SmallCount),
                Field("stoppage", SmallCount),
                Field("clock_seconds", Count),
                Field("strength", Strength),
                Field("penalty_minutes", PenaltyMinutes),
                Field("infraction", str),
                Field("scored", bool),
            ),
        ),
        Resource(
            name="lineups",
            table="lineups",
            filters=("match_id",),
            write_roles=PROTOCOL,
            fields=(
                Field("match_id", int, True, ref="matches"),
                Field("team_id", int, True, ref="teams"),
                Field("player_id", int, True, ref="players"),
                Field("number", Number),
                Field("starter", bool, True),
                Field("position", str),
                Field("goalie_toi_seconds", Count),
            ),
        ),
        Resource(
            name="suspensions",
            table="suspensions",
            filters=("season_id", "player_id"),
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(
                Field("season_id", int, True, ref="seasons"),
                Field("player_id", int, True, ref="players"),
                Field("team_id", int, ref="teams"),
                Field("reason", Text, True),
                Field("matches", Positive, True),
                Field("from_match_id", int, ref="matches"),
            ),
        ),
        Resource(
            name="point_adjustments",
            table="point_adjustments",
            filters=("stage_id",),
            read_only=(Field("created_at", dt.datetime, default=True),),
            fields=(
                Field("stage_id", int, True, ref="stages"),
                Field("team_id", int, True, ref="teams"),
                Field("points", int, True),
                Field("reason", Text, True),
            ),
        ),
        Resource(
            # a spider run on a schedule by `rstat scheduler` (its runs: api/admin/crawl_jobs.py); the arguments
            # are the spider's options (`rstat crawl SPIDER --help`), checked when it runs: a bad one fails
            # the run and its error says why
            name="crawl_jobs",
            table="crawl_jobs",
            filters=("spider", "enabled"),
            read_only=(Field("failures", int, default=True), Field("created_at", dt.datetime, default=True)),
            fields=(
                Field("spider", SpiderName, True),
                Field("arguments", dict[ArgumentName, str | int | bool], json=True, default=True),
                Field("every_s", Seconds, default=True),
                Field("timeout_s", Seconds, default=True),
                Field("enabled", bool, default=True),
                Field("live", bool, default=True),
                Field("next_run_at", dt.datetime, default=True),
            ),
        ),
        Resource(
            name="content_items",
            table="content_items",
            filters=("kind", "competition_id", "team_id", "match_id"),
            fields=(
                Field("kind", ContentKind, True),
                Field("title", text(300), True),
                Field("body", Text, default=True),
                Field("url", Url),
                Field("competition_id", int, ref="competitions"),
                Field("match_id", int, ref="matches"),
                Field("team_id", int, ref="teams"),
                Field("published_at", dt.datetime),
            ),
        ),
    ]
}

#: what a scorer may change on a match: the protocol, not the calendar
SCORER_MATCH_FIELDS = frozenset({"status", "home_score", "away_score", "period_scores", "decided_in", "attendance"})
