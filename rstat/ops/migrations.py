"""Forward-only schema migrations from ``schemas/sql/NNNN_name.sql``, recorded in ``schema_migrations``.

Each file runs in its own transaction together with the row that records it, so a failed migration
leaves nothing behind. A migration that was applied and then edited is refused: the database would
silently differ from what the file says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from importlib import resources

import msgspec
import psycopg
from psycopg import sql

from rstat.errors import MigrationError
from rstat.settings import PostgresSettings

__all__ = ["Migration", "apply_migrations", "available_migrations"]

FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_ID = 0x7273746174  # "rstat": one migrator at a time

BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    """The migration files shipped in ``schemas/sql``, in version order."""
    found = []
    for entry in resources.files("schemas").joinpath("sql").iterdir():
        match = FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a version number: {versions}")
    return found


def _grant(conn: psycopg.Connection[tuple[object, ...]], settings: PostgresSettings) -> None:
    """Give the local application and replication roles what they need on every table, now and later."""
    app, repl = sql.Identifier(settings.app_user), sql.Identifier(settings.replication_user)
    for stmt in (
        "GRANT USAGE ON SCHEMA public, stats, telegram TO {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA stats TO {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA telegram TO {app}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, stats, telegram TO {app}",
        "GRANT CREATE ON SCHEMA stats TO {app}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA stats GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        "GRANT USAGE ON SCHEMA public TO {repl}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {repl}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {repl}",
    ):
        conn.execute(sql.SQL(stmt).format(app=app, repl=repl))


def apply_migrations(
    settings: PostgresSettings, dsn: str | None = None, progress: Callable[[str], None] = print
) -> list[int]:
    """Apply every pending migration; returns the versions applied (empty when up to date)."""
    migrations = available_migrations()
    applied_now: list[int] = []
    try:
        with psycopg.connect(dsn or settings.admin_dsn(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
            conn.execute(BOOKKEEPING)
            done = {
                int(v): str(c)
                for v, c in conn.execute("SELECT version, checksum FROM public.schema_migrations").fetchall()
            }
            for migration in migrations:
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} was changed after it was "
                            "applied; migrations are forward-only: revert the file and add a new one"
                        )
                    continue
                progress(f"migrate: applying {migration.version:04d}_{migration.name}")
                try:
                    with conn.transaction():
                        conn.execute(migration.sql.encode())
                        conn.execute(
                            "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed and was rolled back: "
                        f"{str(exc).strip()}"
                    ) from exc
                applied_now.append(migration.version)
            if not settings.external:
                _grant(conn, settings)
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_ID,))
    except psycopg.OperationalError as exc:
        raise MigrationError(f"cannot connect to PostgreSQL: {str(exc).strip()}; is `rstat stack up` done?") from exc
    return applied_now
