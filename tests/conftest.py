"""Fixtures shared by every test folder: settings and, for integration tests, the real local stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from rstat.ops.migrations import apply_migrations
from rstat.settings import Settings, load_settings

DATA = Path(__file__).parent / "data"


def unique(prefix: str) -> str:
    """A random name for a topic, slot or database: tests never share state or need teardown to pass."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Settings:
    """The running local stack (``rstat stack up`` is idempotent, so this is cheap when it is up)."""
    from rstat.ops.stack import Stack

    Stack(settings, progress=lambda _line: None).up()
    return settings


@pytest.fixture
def database(stack: Settings) -> Iterator[str]:
    """A fresh migrated database on the real server; yields the superuser DSN of it."""
    name = unique("t")
    pg = stack.postgres
    with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = pg.admin_dsn(name)
    apply_migrations(pg, dsn=dsn, progress=lambda _line: None)
    yield dsn
    with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
