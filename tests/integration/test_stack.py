"""`rstat stack` on a second, private stack (its own folder and ports): up twice, status, down, up with data kept.

Running beside the suite's own stack also proves the ports and folders are really taken from settings.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from rstat.settings import Settings
from tests.conftest import unique

RSTAT = str(Path(sys.executable).parent / "rstat")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RSTAT, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def _private_home(settings: Settings) -> Path:
    """A folder the unprivileged PostgreSQL user can reach (pytest's tmp folders are private to root)."""
    return settings.stack.home_path / "test-stacks" / unique("s")


@pytest.fixture(scope="module")
def private_env(settings: Settings) -> Iterator[dict[str, str]]:
    home = _private_home(settings)
    env = {
        **os.environ,
        "RSTAT__STACK__HOME": str(home),
        "RSTAT__POSTGRES__PORT": str(_free_port()),
        "RSTAT__KAFKA__PORT": str(_free_port()),
        "RSTAT__KAFKA__CONTROLLER_PORT": str(_free_port()),
    }
    # A new folder gets the already-resolved jars, as a fresh clone gets them from Maven's local cache.
    yield env
    _run(env, "stack", "down")
    shutil.rmtree(home, ignore_errors=True)


def test_up_twice_status_down_up_keeps_data(private_env: dict[str, str]) -> None:
    first = _run(private_env, "stack", "up")
    assert first.returncode == 0, first.stderr
    assert "initialized a new cluster" in first.stdout
    second = _run(private_env, "stack", "up")
    assert second.returncode == 0, second.stderr
    assert "postgres: already running" in second.stdout
    assert "kafka: already running" in second.stdout

    status = _run(private_env, "stack", "status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    report = json.loads(status.stdout)
    assert report["postgres"]["wal_level"] == "logical"
    assert report["kafka"]["kraft"] is True
    assert report["kafka"]["version"].startswith("4.1.")
    assert report["clickhouse"]["healthy"] is True
    assert "embedded" in report["clickhouse"]["mode"]

    text = _run(private_env, "stack", "status")
    assert "wal_level=logical" in text.stdout
    assert "KRaft mode" in text.stdout

    migrate = _run(private_env, "migrate")
    assert migrate.returncode == 0, migrate.stderr
    dsn = (
        f"host=127.0.0.1 port={private_env['RSTAT__POSTGRES__PORT']} dbname=rstat "
        "user=rstat_app password=rstat-app-local"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO organizations (slug, name) VALUES ('kept', 'Kept across restarts')")

    down = _run(private_env, "stack", "down")
    assert down.returncode == 0, down.stderr
    assert "postgres: stopped" in down.stdout
    assert "kafka: stopped" in down.stdout
    after = _run(private_env, "stack", "status")
    assert after.returncode == 1
    assert "DOWN" in after.stdout

    again = _run(private_env, "stack", "up")
    assert again.returncode == 0, again.stderr
    assert "initialized" not in again.stdout
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT name FROM organizations WHERE slug = 'kept'").fetchone() == (
            "Kept across restarts",
        )


def test_port_in_use_is_reported_not_fought(settings: Settings) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        env = {**os.environ, "RSTAT__STACK__HOME": str(_private_home(settings)), "RSTAT__POSTGRES__PORT": str(port)}
        result = _run(env, "stack", "up")
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "RSTAT__POSTGRES__PORT" in result.stderr


def test_missing_java_is_one_line_with_what_to_install(tmp_path: Path, settings: Settings) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # PATH keeps our interpreter and pg_config but has no java
    for tool in ("pg_config",):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=False).stdout.strip()
        if found:
            (bindir / tool).symlink_to(found)
    home = _private_home(settings)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{bindir}", "RSTAT__STACK__HOME": str(home)}
    result = _run(env, "stack", "up")
    # prerequisites are checked before anything starts, so nothing was left running or created
    assert not (home / "postgres").exists()
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("rstat:")]
    assert len(lines) == 1
    assert "Java 17" in lines[0]
    assert "apt-get install" in lines[0]


def test_unknown_setting_is_refused(private_env: dict[str, str]) -> None:
    result = _run({**private_env, "RSTAT__KAFKA__PROT": "1"}, "stack", "status")
    assert result.returncode == 2
    assert "unknown key 'prot'" in result.stderr


def test_external_services_are_checked_not_started(settings: Settings) -> None:
    home = _private_home(settings)
    env = {
        **os.environ,
        "RSTAT__STACK__HOME": str(home),
        "RSTAT__POSTGRES__DSN": settings.postgres.admin_dsn(),
        "RSTAT__KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap(),
    }
    result = _run(env, "stack", "up")
    assert result.returncode == 0, result.stderr
    assert "postgres: using the external server" in result.stdout
    assert "wal_level=logical" in result.stdout
    assert "kafka: using the external cluster" in result.stdout
    assert not (home / "postgres").exists()
    assert not (home / "kafka").exists()
    status = _run(env, "stack", "status")
    assert status.returncode == 0
    assert "external server" in status.stdout
    down = _run(env, "stack", "down")
    assert down.returncode == 0
    assert "stopped" not in down.stdout  # nothing of ours to stop
    assert _run({**os.environ}, "stack", "status").returncode == 0  # the suite's own stack still runs
    shutil.rmtree(home, ignore_errors=True)


def test_unreachable_external_postgres_is_reported_with_the_reason(settings: Settings) -> None:
    env = {
        **os.environ,
        "RSTAT__STACK__HOME": str(_private_home(settings)),
        # a server that answers but refuses us: the check must fail with the reason, start nothing
        "RSTAT__POSTGRES__DSN": settings.postgres.admin_dsn().replace("password=", "password=wrong"),
        "RSTAT__KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap(),
    }
    result = _run(env, "stack", "up")
    assert result.returncode == 2
    assert "external PostgreSQL: cannot connect" in result.stderr
