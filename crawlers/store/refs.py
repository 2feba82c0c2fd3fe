"""The rows a match refers to (competition, season, stage, group, teams, players, venue, referee), found
through ``external_ids`` or created: a crawl creates them once and never changes them afterwards, so
whatever an organizer edits on them stays.

A row the organization already has under the same natural key (a competition's slug, a team's or venue's
name: the schema's unique keys) is adopted rather than duplicated: an organizer may prepare a competition
and let a crawl fill it. A mapping whose row was deleted by hand is replaced by a new row (a match still
needs its team). Ids found are kept for the rest of the crawl once their transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawlers.errors import RejectedItemError
from crawlers.items import Player, Season, Team
from crawlers.store.mappings import Mappings
from crawlers.store.session import Tx

__all__ = ["Refs"]

# a row of the organization (following its parents up to the table that names it)
IN_ORG = {
    "competitions": "SELECT 1 FROM competitions WHERE id = %s AND org_id = %s",
    "seasons": "SELECT 1 FROM seasons s JOIN competitions c ON c.id = s.competition_id "
    "WHERE s.id = %s AND c.org_id = %s",
    "stages": "SELECT 1 FROM stages st JOIN seasons s ON s.id = st.season_id JOIN competitions c ON c.id = "
    "s.competition_id WHERE st.id = %s AND c.org_id = %s",
    "groups": "SELECT 1 FROM groups g JOIN stages st ON st.id = g.stage_id JOIN seasons s ON s.id = st.season_id "
    "JOIN competitions c ON c.id = s.competition_id WHERE g.id = %s AND c.org_id = %s",
    "teams": "SELECT 1 FROM teams WHERE id = %s AND org_id = %s",
    "players": "SELECT 1 FROM players WHERE id = %s AND org_id = %s",
    "venues": "SELECT 1 FROM venues WHERE id = %s AND org_id = %s",
    "officials": "SELECT 1 FROM officials WHERE id = %s AND org_id = %s",
}


class Refs:
    """Reference rows of one transaction; ``cache`` holds the ids of the crawl's committed transactions."""

    def __init__(self, tx: Tx, mappings: Mappings, cache: dict[tuple[str, str], int]) -> None:
        self.tx = tx
        self.mappings = mappings
        self.org_id = mappings.org_id
        self.cache = cache
        #: what this transaction found or made, for the cache once it commits
        self.found: dict[tuple[str, str], int] = {}
        #: rows inserted
        self.rows = 0

    def _one(self, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        return self.tx.read(query, params).fetchone()

    def _insert(self, query: str, params: tuple[Any, ...]) -> int:
        row = self.tx.write(query, params).fetchone()
        assert row is not None
        self.rows += 1
        return int(row["id"])

    def _resolve(
        self, kind: str, key: str, table: str, adopt: Callable[[], int | None], create: Callable[[], int]
    ) -> int:
        known = self.found.get((kind, key)) or self.cache.get((kind, key))
        if known is not None:
            return known
        mapped = self.mappings.get(kind, key)
        if mapped is not None and self._one(IN_ORG[table], (mapped.internal_id, self.org_id)) is not None:
            found = mapped.internal_id
        else:
            found = adopt() or create()
            self.mappings.put(kind, key, found)
        self.found[(kind, key)] = found
        return found

    def commit(self) -> None:
        """The transaction committed: its ids hold for the rest of the crawl."""
        self.cache.update(self.found)

    def competition(self, s: Season) -> int:
        def adopt() -> int | None:
            row = self._one("SELECT id, sport FROM competitions WHERE org_id = %s AND slug = %s", (self.org_id, s.slug))
            if row is not None and row["sport"] != s.sport:
                raise RejectedItemError(
                    "competition_sport", f"competition {s.slug!r} of the organization is {row['sport']}, not {s.sport}"
                )
            return None if row is None else int(row["id"])

        return self._resolve(
            "competition",
            s.competition_key,
            "competitions",
            adopt,
            lambda: self._insert(
                "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, %s, %s, %s) RETURNING id",
                (self.org_id, s.sport, s.slug, s.competition),
            ),
        )

    def season(self, s: Season) -> int:
        comp = self.competition(s)
        return self._resolve(
            "season",
            f"{s.competition_key}/{s.season}",
            "seasons",
            lambda: self._id("SELECT id FROM seasons WHERE competition_id = %s AND name = %s", (comp, s.season)),
            lambda: self._insert(
                "INSERT INTO seasons (competition_id, name) VALUES (%s, %s) RETURNING id", (comp, s.season)
            ),
        )

    def stage(self, s: Season) -> int:
        season = self.season(s)
        return self._resolve(
            "stage",
            f"{s.competition_key}/{s.season}/{s.stage}",
            "stages",
            lambda: self._id("SELECT id FROM stages WHERE season_id = %s AND name = %s", (season, s.stage)),
            lambda: self._insert(
                "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, %s, %s, %s) RETURNING id",
                (season, s.stage, s.stage_kind, s.regulation),
            ),
        )

    def group(self, s: Season, stage: int, name: str) -> int:
        return self._resolve(
            "group",
            f"{s.competition_key}/{s.season}/{s.stage}/{name}",
            "groups",
            lambda: self._id("SELECT id FROM groups WHERE stage_id = %s AND name = %s", (stage, name)),
            lambda: self._insert("INSERT INTO groups (stage_id, name) VALUES (%s, %s) RETURNING id", (stage, name)),
        )

    def participant(self, stage: int, team: int, group: int | None) -> None:
        """The team takes part in the stage (in ``group``), as the standings list a stage's teams."""
        key = ("participant", f"{stage}/{team}")
        if key in self.found or key in self.cache:
            return
        if self._one("SELECT 1 FROM stage_participants WHERE stage_id = %s AND team_id = %s", (stage, team)) is None:
            self.tx.write(
                "INSERT INTO stage_participants (stage_id, team_id, group_id) VALUES (%s, %s, %s)", (stage, team, group)
            )
            self.rows += 1
        self.found[key] = team

    def team(self, t: Team) -> int:
        return self._resolve(
            "team",
            t.key,
            "teams",
            lambda: self._id("SELECT id FROM teams WHERE org_id = %s AND name = %s", (self.org_id, t.name)),
            lambda: self._insert(
                "INSERT INTO teams (org_id, name, short_name, code) VALUES (%s, %s, %s, %s) RETURNING id",
                (self.org_id, t.name, t.short_name, t.code),
            ),
        )

    def player(self, p: Player) -> int:
        return self._resolve(
            "player",
            p.key,
            "players",
            lambda: None,  # names are not unique: a player of the same name is another person
            lambda: self._insert(
                "INSERT INTO players (org_id, first_name, last_name) VALUES (%s, %s, %s) RETURNING id",
                (self.org_id, p.first_name, p.last_name),
            ),
        )

    def roster(self, season: int, team: int, player: int, p: Player) -> None:
        """The player is on the team's roster for the season (with his number, when no one else has it)."""
        key = ("roster", f"{season}/{team}/{player}")
        if key in self.found or key in self.cache:
            return
        exists = self._one(
            "SELECT 1 FROM roster_entries WHERE season_id = %s AND team_id = %s AND player_id = %s",
            (season, team, player),
        )
        if exists is None:
            number = p.number
            if number is not None and self._one(
                "SELECT 1 FROM roster_entries WHERE season_id = %s AND team_id = %s AND number = %s",
                (season, team, number),
            ):
                number = None  # the number is taken (a player who left, say): the entry without it
            self.tx.write(
                "INSERT INTO roster_entries (season_id, team_id, player_id, number, position) "
                "VALUES (%s, %s, %s, %s, %s)",
                (season, team, player, number, p.position),
            )
            self.rows += 1
        self.found[key] = player

    def venue(self, name: str) -> int:
        return self._resolve(
            "venue",
            name,
            "venues",
            lambda: self._id("SELECT id FROM venues WHERE org_id = %s AND name = %s", (self.org_id, name)),
            lambda: self._insert("INSERT INTO venues (org_id, name) VALUES (%s, %s) RETURNING id", (self.org_id, name)),
        )

    def official(self, name: str) -> int:
        return self._resolve(
            "official",
            name,
            "officials",
            lambda: self._id(
                "SELECT id FROM officials WHERE org_id = %s AND name = %s AND role = 'referee' ORDER BY id LIMIT 1",
                (self.org_id, name),
            ),
            lambda: self._insert(
                "INSERT INTO officials (org_id, name, role) VALUES (%s, %s, 'referee') RETURNING id",
                (self.org_id, name),
            ),
        )

    def _id(self, query: str, params: tuple[Any, ...]) -> int | None:
        row = self._one(query, params)
        return None if row is None else int(row["id"])
