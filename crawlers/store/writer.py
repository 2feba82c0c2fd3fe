"""One match and its protocol, written in one transaction of its own as the admin API writes: the same
column rules (checked on the item before, :mod:`crawlers.validate`), the same protocol rules
(:mod:`schemas.protocol_rules`, after the rows are written, in the same transaction), and the same
attribution: the transaction begins with the ``rstat.context`` message (source ``crawler:<spider>``, the
organization as ``org``), so CDC, the statistics and the audit see a crawl like any other write.

Either the whole match is written or, when a rule or the database refuses any part of it, nothing is
(:class:`crawlers.errors.RejectedItemError`). Writing an unchanged match again writes nothing at all: no row is
updated, so there is no WAL, no change event and no notice.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg

from crawlers.errors import RejectedItemError
from crawlers.items import MatchItem, Player
from crawlers.store.mappings import Mapped, Mappings
from crawlers.store.merge import Conflict, plain
from crawlers.store.refs import Refs
from crawlers.store.rows import CrawledRows, Written
from crawlers.store.session import Conn, Tx
from schemas.protocol_rules import (
    GOAL_KINDS,
    GOALS_BY_TEAM,
    LINEUP_PLAYERS,
    SUSPENDED,
    missing_from_lineup,
    score_contradiction,
)

__all__ = ["MatchWriter", "Outcome"]

PLAYER_FIELDS = {
    "player": "player_id",
    "assist1": "assist1_id",
    "assist2": "assist2_id",
    "player_out": "player_out_id",
    "goalie": "goalie_id",
}
EVENT_FIELDS = ("period", "minute", "stoppage", "clock_seconds", "strength", "penalty_minutes", "infraction", "scored")


class Outcome:
    """What writing one match did."""

    def __init__(self, match_id: int | None, rows: int, conflicts: list[Conflict]) -> None:
        self.match_id = match_id
        #: domain rows inserted, updated or deleted (0: the match was unchanged)
        self.rows = rows
        self.conflicts = conflicts


class MatchWriter:
    """Writes matches for one organization from one source; keeps the ids it found for the whole crawl."""

    def __init__(self, conn: Conn, org_id: int, source: str, *, actor: str, request_id: str) -> None:
        self.conn = conn
        self.org_id = org_id
        self.source = source
        self.context = json.dumps(
            {"actor": actor, "request_id": request_id, "source": f"crawler:{source}", "org": org_id}
        )
        self.cache: dict[tuple[str, str], int] = {}

    def write(self, item: MatchItem) -> Outcome:
        """Write ``item`` in a transaction of its own; Rejected (and nothing written) when it breaks a rule."""
        tx = Tx(self.conn, self.context)
        mappings = Mappings(tx, self.org_id, self.source)
        refs = Refs(tx, mappings, self.cache)
        written = Written(item.key)
        try:
            with self.conn.transaction():
                match_id = self._match(item, tx, refs, mappings, written)
                if match_id is not None:
                    self._check(item, match_id, tx, written)
        except psycopg.errors.IntegrityError as exc:
            raise RejectedItemError(_constraint(exc), _message(exc, item)) from exc
        except psycopg.errors.DataError as exc:
            raise RejectedItemError("bad_value", _message(exc, item)) from exc
        refs.commit()
        return Outcome(match_id, written.rows + refs.rows, written.conflicts)

    def _match(self, item: MatchItem, tx: Tx, refs: Refs, mappings: Mappings, written: Written) -> int | None:
        stage = refs.stage(item.season)
        group = refs.group(item.season, stage, item.group) if item.group else None
        home, away = refs.team(item.home), refs.team(item.away)
        for team in (home, away):
            refs.participant(stage, team, group)
        values: dict[str, Any] = {
            "stage_id": stage,
            "group_id": group,
            "round": item.round,
            "home_team_id": home,
            "away_team_id": away,
            "venue_id": refs.venue(item.venue) if item.venue else None,
            "referee_id": refs.official(item.referee) if item.referee else None,
            "kickoff": item.kickoff,
            "status": item.status,
            "home_score": item.home_score,
            "away_score": item.away_score,
            "period_scores": [list(p) for p in item.period_scores],
            "decided_in": item.decided_in,
            "attendance": item.attendance,
        }
        matches = CrawledRows(tx, mappings, "matches", "match", written)
        mapped = mappings.get("match", item.key)
        if mapped is None:
            match_id: int | None = matches.insert(item.key, values)
        else:
            match_id, _changed = matches.sync(item.key, mapped, values, item.key)
        if match_id is None:
            return None  # deleted by hand: it stays deleted
        season = refs.season(item.season)
        players: dict[str, int] = {}
        teams = {"home": home, "away": away}
        for p in item.players:
            players[p.key] = refs.player(p)
            refs.roster(season, teams[p.side], players[p.key], p)
        dropped = self._lineups(
            item, match_id=match_id, players=players, teams=teams, tx=tx, mappings=mappings, written=written
        )
        self._events(item, match_id=match_id, players=players, teams=teams, tx=tx, mappings=mappings, written=written)
        lineups = CrawledRows(tx, mappings, "lineups", "lineup", written)
        for key, mapped in dropped.items():  # after the events, which may name their players
            lineups.drop(f"{item.key}/{key}", mapped, f"lineup {key}")
        return match_id

    def _lineups(
        self,
        item: MatchItem,
        *,
        match_id: int,
        players: dict[str, int],
        teams: dict[str, int],
        tx: Tx,
        mappings: Mappings,
        written: Written,
    ) -> dict[str, Mapped]:
        """Insert and merge the site's line-up entries; returns the crawled ones it no longer has."""
        rows = CrawledRows(tx, mappings, "lineups", "lineup", written)
        prefix = f"{item.key}/"
        crawled = mappings.under("lineup", prefix)
        by_player = {p.key: p for p in item.players}
        for entry in item.lineups:
            values = {
                "match_id": match_id,
                "team_id": teams[by_player[entry.player].side],
                "player_id": players[entry.player],
                "number": entry.number,
                "starter": entry.starter,
                "position": entry.position,
                "goalie_toi_seconds": entry.goalie_toi_seconds,
            }
            label = f"lineup {_name(by_player[entry.player])}"
            mapped = crawled.pop(entry.player, None)
            if mapped is None:
                existing = tx.read(
                    "SELECT id FROM lineups WHERE match_id = %s AND player_id = %s", (match_id, values["player_id"])
                ).fetchone()
                if existing is not None:
                    # entered by hand: adopted with the site's values as its base, so differences are conflicts
                    base = {k: plain(v) for k, v in values.items()}
                    mappings.put("lineup", prefix + entry.player, int(existing["id"]), base)
                    rows.sync(prefix + entry.player, Mapped(int(existing["id"]), base), values, label)
                    continue
                rows.insert(prefix + entry.player, values)
                written.lineups.append((players[entry.player], teams[by_player[entry.player].side]))
            else:
                rows.sync(prefix + entry.player, mapped, values, label)
        return crawled

    def _events(
        self,
        item: MatchItem,
        *,
        match_id: int,
        players: dict[str, int],
        teams: dict[str, int],
        tx: Tx,
        mappings: Mappings,
        written: Written,
    ) -> None:
        rows = CrawledRows(tx, mappings, "match_events", "event", written)
        prefix = f"{item.key}/"
        crawled = mappings.under("event", prefix)
        for event in item.events:
            values: dict[str, Any] = {"match_id": match_id, "team_id": teams[event.side], "kind": event.kind}
            for field, column in PLAYER_FIELDS.items():
                key = getattr(event, field)
                values[column] = players[key] if key is not None else None
            values.update({f: getattr(event, f) for f in EVENT_FIELDS})
            mapped = crawled.pop(event.key, None)
            label = f"event {event.key}"
            if mapped is None:
                written.events.append(rows.insert(prefix + event.key, values))
            else:
                event_id, changed = rows.sync(prefix + event.key, mapped, values, label)
                if changed and event_id is not None:
                    written.events.append(event_id)
        for key, mapped in crawled.items():
            rows.drop(prefix + key, mapped, f"event {key}")

    def _check(self, item: MatchItem, match_id: int, tx: Tx, written: Written) -> None:
        """The admin API's protocol rules, on what this transaction wrote."""
        if written.events:
            listed = [int(r["player_id"]) for r in tx.read(LINEUP_PLAYERS, (match_id,)).fetchall()]
            for event in tx.read("SELECT * FROM match_events WHERE id = ANY(%s)", (written.events,)).fetchall():
                missing = missing_from_lineup(event, listed)
                if missing:
                    raise RejectedItemError("lineup", f"match {item.key}: player {missing[0]} is not in the line-up")
        for player, team in written.lineups:
            if tx.read(SUSPENDED, {"match": match_id, "player": player, "team": team}).fetchone():
                raise RejectedItemError("suspension", f"match {item.key}: player {player} is suspended for it")
        if written.rows:
            match = tx.read("SELECT * FROM matches WHERE id = %s", (match_id,)).fetchone()
            assert match is not None
            goals = tx.read(GOALS_BY_TEAM, (match_id, list(GOAL_KINDS))).fetchall()
            reason = score_contradiction(match, {int(r["team_id"]): int(r["n"]) for r in goals})
            if reason is not None:
                raise RejectedItemError("score_matches_goals", f"match {item.key}: {reason}")


def _name(player: Player) -> str:
    return f"{player.first_name} {player.last_name}".strip()


def _constraint(exc: psycopg.Error) -> str:
    return exc.diag.constraint_name or (exc.sqlstate and psycopg.errors.lookup(exc.sqlstate).__name__) or "refused"


def _message(exc: psycopg.Error, item: MatchItem) -> str:
    return f"match {item.key} ({item.home.name} v {item.away.name}): {(exc.diag.message_primary or str(exc)).strip()}"
