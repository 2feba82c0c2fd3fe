"""The real PostgreSQL: logical decoding works, migrations are idempotent, constraints protect the data."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from rstat.errors import MigrationError
from rstat.ops.migrations import Migration, apply_migrations, available_migrations
from rstat.settings import Settings
from tests.conftest import unique

Conn = psycopg.Connection[tuple[object, ...]]


def test_wal_level_is_logical(database: str) -> None:
    with psycopg.connect(database) as conn:
        assert conn.execute("SHOW wal_level").fetchone() == ("logical",)


def test_logical_slot_reads_a_change(database: str, stack: Settings) -> None:
    slot = unique("slot")
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", (slot,))
        try:
            conn.execute("INSERT INTO organizations (slug, name) VALUES ('city-league', 'City League')")
            changes = [
                str(r[0])
                for r in conn.execute(
                    "SELECT data FROM pg_logical_slot_get_changes(%s, NULL, NULL)", (slot,)
                ).fetchall()
            ]
        finally:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
    inserts = [c for c in changes if c.startswith("table public.organizations: INSERT")]
    assert len(inserts) == 1
    assert "slug[text]:'city-league'" in inserts[0]


def test_replication_role_can_stream(stack: Settings) -> None:
    """The CDC reader's role connects with replication=database and runs IDENTIFY_SYSTEM."""
    with psycopg.connect(stack.postgres.repl_dsn() + " replication=database", autocommit=True) as conn:
        row = conn.execute("IDENTIFY_SYSTEM").fetchone()
    assert row is not None
    assert row[3] == stack.postgres.database


def test_migrations_twice_on_an_empty_database(stack: Settings) -> None:
    name = unique("m")
    pg = stack.postgres
    with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        first = apply_migrations(pg, dsn=pg.admin_dsn(name), progress=lambda _l: None)
        second = apply_migrations(pg, dsn=pg.admin_dsn(name), progress=lambda _l: None)
        assert first == [m.version for m in available_migrations()]
        assert second == []
        with psycopg.connect(pg.admin_dsn(name)) as conn:
            tables = {
                str(r[0])
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchall()
            }
            schemas = {str(r[0]) for r in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}
        assert {
            "organizations",
            "matches",
            "match_events",
            "lineups",
            "roster_entries",
            "suspensions",
            "point_adjustments",
            "external_ids",
            "telegram_subscriptions",
            "content_items",
            "api_clients",
            "memberships",
            "ties",
            "schema_migrations",
        } <= tables
        assert "stats" in schemas
    finally:
        with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_changed_migration_is_refused(database: str, stack: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = available_migrations()
    edited = [Migration(m.version, m.name, m.sql + "\n-- edited") for m in real]
    monkeypatch.setattr("rstat.ops.migrations.available_migrations", lambda: edited)
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        apply_migrations(stack.postgres, dsn=database, progress=lambda _l: None)


def test_failed_migration_leaves_nothing(database: str, stack: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Migration(9999, "broken", "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;")
    monkeypatch.setattr("rstat.ops.migrations.available_migrations", lambda: [*available_migrations(), broken])
    with pytest.raises(MigrationError, match="9999_broken failed and was rolled back"):
        apply_migrations(stack.postgres, dsn=database, progress=lambda _l: None)
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM schema_migrations WHERE version = 9999").fetchone() == (0,)


# --- constraints ------------------------------------------------------------------------------------------


@pytest.fixture
def league(database: str) -> Iterator[tuple[Conn, dict[str, int]]]:
    """An organization with a football competition, a season, a league stage, three teams and a match."""
    with psycopg.connect(database, autocommit=True) as conn:
        ids: dict[str, int] = {}

        def one(query: str, params: tuple[object, ...]) -> int:
            row = conn.execute(query.encode(), params).fetchone()
            assert row is not None
            return int(str(row[0]))

        ids["org"] = one("INSERT INTO organizations (slug, name) VALUES ('cl', 'City League') RETURNING id", ())
        ids["comp"] = one(
            "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', 'pl', 'PL') RETURNING id",
            (ids["org"],),
        )
        ids["season"] = one(
            "INSERT INTO seasons (competition_id, name) VALUES (%s, '2023/24') RETURNING id", (ids["comp"],)
        )
        ids["stage"] = one(
            "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'League', 'league',"
            " 'premier-league') RETURNING id",
            (ids["season"],),
        )
        for key in ("a", "b", "c"):
            ids[key] = one("INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (ids["org"], key))
        ids["player"] = one("INSERT INTO players (org_id, last_name) VALUES (%s, 'Kane') RETURNING id", (ids["org"],))
        ids["match"] = one(
            "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES (%s, 1, %s, %s) RETURNING id",
            (ids["stage"], ids["a"], ids["b"]),
        )
        yield conn, ids


REJECTED = [
    (
        "home equals away",
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES ({stage}, 2, {a}, {a})",
        psycopg.errors.CheckViolation,
    ),
    (
        "negative score",
        "UPDATE matches SET status = 'finished', home_score = -1, away_score = 0 WHERE id = {match}",
        psycopg.errors.CheckViolation,
    ),
    (
        "finished without a score",
        "UPDATE matches SET status = 'finished' WHERE id = {match}",
        psycopg.errors.CheckViolation,
    ),
    (
        "awarded not decided by AWD",
        "UPDATE matches SET status = 'awarded', home_score = 3, away_score = 0, decided_in = 'REG' WHERE id = {match}",
        psycopg.errors.CheckViolation,
    ),
    (
        "team twice in a round",
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES ({stage}, 1, {c}, {b})",
        psycopg.errors.UniqueViolation,
    ),
    (
        "unknown team",
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES ({stage}, 3, {a}, 999999)",
        psycopg.errors.ForeignKeyViolation,
    ),
    (
        "round zero",
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES ({stage}, 0, {a}, {c})",
        psycopg.errors.CheckViolation,
    ),
    (
        "football minute beyond 120",
        "INSERT INTO match_events (match_id, team_id, kind, player_id, period, minute) "
        "VALUES ({match}, {a}, 'goal', {player}, 2, 131)",
        psycopg.errors.CheckViolation,
    ),
    (
        "football period beyond shoot-out",
        "INSERT INTO match_events (match_id, team_id, kind, player_id, period) "
        "VALUES ({match}, {a}, 'goal', {player}, 6)",
        psycopg.errors.CheckViolation,
    ),
    (
        "penalty without minutes",
        "INSERT INTO match_events (match_id, team_id, kind, player_id, period) "
        "VALUES ({match}, {a}, 'penalty', {player}, 1)",
        psycopg.errors.CheckViolation,
    ),
    (
        "scorer assists himself",
        "INSERT INTO match_events (match_id, team_id, kind, player_id, assist1_id, period) "
        "VALUES ({match}, {a}, 'goal', {player}, {player}, 1)",
        psycopg.errors.CheckViolation,
    ),
    (
        "zero point adjustment",
        "INSERT INTO point_adjustments (stage_id, team_id, points, reason) VALUES ({stage}, {a}, 0, 'none')",
        psycopg.errors.CheckViolation,
    ),
    (
        "bad organization slug",
        "INSERT INTO organizations (slug, name) VALUES ('Bad Slug!', 'x')",
        psycopg.errors.CheckViolation,
    ),
    (
        "unknown sport",
        "INSERT INTO competitions (org_id, sport, slug, name) VALUES ({org}, 'curling', 'c', 'C')",
        psycopg.errors.ForeignKeyViolation,
    ),
]


@pytest.mark.parametrize(("case", "statement", "error"), REJECTED, ids=[r[0] for r in REJECTED])
def test_bad_rows_are_rejected(
    league: tuple[Conn, dict[str, int]], case: str, statement: str, error: type[Exception]
) -> None:
    conn, ids = league
    with pytest.raises(error):
        conn.execute(statement.format(**ids).encode())


def test_squad_number_unique_per_team_and_season(league: tuple[Conn, dict[str, int]]) -> None:
    conn, ids = league
    other = conn.execute(
        "INSERT INTO players (org_id, last_name) VALUES (%s, 'Son') RETURNING id", (ids["org"],)
    ).fetchone()
    assert other is not None
    conn.execute(
        "INSERT INTO roster_entries (season_id, team_id, player_id, number) VALUES (%s, %s, %s, 10)",
        (ids["season"], ids["a"], ids["player"]),
    )
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "INSERT INTO roster_entries (season_id, team_id, player_id, number) VALUES (%s, %s, %s, 10)",
            (ids["season"], ids["a"], other[0]),
        )
    # the same number in another team is fine
    conn.execute(
        "INSERT INTO roster_entries (season_id, team_id, player_id, number) VALUES (%s, %s, %s, 10)",
        (ids["season"], ids["b"], other[0]),
    )


def test_hockey_clock_within_a_period(league: tuple[Conn, dict[str, int]]) -> None:
    conn, ids = league
    conn.execute("UPDATE competitions SET sport = 'ice-hockey' WHERE id = %s", (ids["comp"],))
    conn.execute(
        "INSERT INTO match_events (match_id, team_id, kind, player_id, period, clock_seconds, strength) "
        "VALUES (%s, %s, 'goal', %s, 3, 1199, 'PP')",
        (ids["match"], ids["a"], ids["player"]),
    )
    with pytest.raises(psycopg.errors.CheckViolation, match="beyond the 1200 s"):
        conn.execute(
            "INSERT INTO match_events (match_id, team_id, kind, player_id, period, clock_seconds) "
            "VALUES (%s, %s, 'goal', %s, 3, 1201)",
            (ids["match"], ids["a"], ids["player"]),
        )


def test_cancelled_match_frees_the_round(league: tuple[Conn, dict[str, int]]) -> None:
    conn, ids = league
    conn.execute("UPDATE matches SET status = 'cancelled' WHERE id = %s", (ids["match"],))
    conn.execute(
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES (%s, 1, %s, %s)",
        (ids["stage"], ids["b"], ids["a"]),
    )


def test_replica_identity_full_where_statistics_need_before_images(league: tuple[Conn, dict[str, int]]) -> None:
    """Tables that feed statistics carry full before-images; the rest the primary key."""
    conn, _ = league
    rows = conn.execute(
        "SELECT relname, relreplident FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
    ).fetchall()
    identities = {str(row[0]): str(row[1]) for row in rows}
    for table in ("matches", "match_events", "lineups", "point_adjustments", "stage_participants", "suspensions"):
        assert identities[table] == "f", table
    assert identities["teams"] == "d"
