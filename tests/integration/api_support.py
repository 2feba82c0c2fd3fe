"""The three HTTP apps as real processes (``rstat api ...`` under uvicorn) on a private database, keys
folder and ports, and helpers to talk to them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from rstat.ops.migrations import apply_migrations
from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.cdc_support import RSTAT
from tests.waiting import DEFAULT_TIMEOUT_S, StopWaiting, eventually

PASSWORD = "correct horse battery"
#: the apps, in the order their processes are started and kept in ``Apis.procs``
APPS = ("identity", "admin", "public")


@dataclass
class Apis:
    settings: Settings
    database: str
    env: dict[str, str]
    urls: dict[str, str]
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return self.settings.postgres.admin_dsn(self.database)

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.dsn, autocommit=True)

    def client(self, app: str, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.urls[app], headers=headers, timeout=30)

    def rstat(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RSTAT, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=DEFAULT_TIMEOUT_S,
            check=False,
        )

    def user(self, email: str, org: str = "") -> None:
        """A user created with the CLI (the bootstrap path of a new installation)."""
        args = ["users", "create", email, "--password-stdin", *(["--org", org] if org else [])]
        done = self.rstat(*args, stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr

    def restart(self, app: str) -> None:
        """Stop one app's process and start it again on the same port and settings."""
        index = APPS.index(app)
        self.procs[index].terminate()
        self.procs[index].wait(timeout=DEFAULT_TIMEOUT_S)
        log = self.logs / f"{app}.log"
        with log.open("ab") as out:
            self.procs[index] = subprocess.Popen(
                [RSTAT, "api", app], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        _wait_healthy(self.urls[app], self.procs[index], log)

    def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        with self.client("identity") as c:
            r = c.post("/v1/token", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until the app at ``url`` answers /healthz with 200 (a refused connection means it is starting)."""

    def healthy() -> bool:
        if proc.poll() is not None:
            raise StopWaiting(f"it exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        return httpx.get(f"{url}/healthz", timeout=10).status_code == 200

    eventually(healthy, ignore=(httpx.TransportError,), message=f"{url}/healthz to answer 200 (see {log})")


def start_apis(settings: Settings, tmp: Path, database: str | None = None, **overrides: str) -> Iterator[Apis]:
    """The apps on ``database`` (migrated already), or on a new database of their own."""
    name = database or unique("api")
    pg = settings.postgres
    if database is None:
        with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        apply_migrations(pg, dsn=pg.admin_dsn(name), progress=lambda _line: None)
    ports = {app: free_port() for app in ("identity", "admin", "public")}
    env = {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": name,
        "RSTAT__API__KEYS_DIR": str(tmp / "keys"),
        **{f"RSTAT__API__{app.upper()}_PORT": str(port) for app, port in ports.items()},
        "RSTAT__API__JWKS_CACHE_S": "300",
        **overrides,
    }
    apis = Apis(
        settings=settings,
        database=name,
        env=env,
        urls={app: f"http://127.0.0.1:{port}" for app, port in ports.items()},
        logs=tmp,
    )
    try:
        for app in APPS:
            with (tmp / f"{app}.log").open("ab") as out:
                apis.procs.append(subprocess.Popen([RSTAT, "api", app], env=env, stdout=out, stderr=subprocess.STDOUT))
            _wait_healthy(apis.urls[app], apis.procs[-1], tmp / f"{app}.log")
        yield apis
    finally:
        for proc in apis.procs:
            proc.terminate()
        for proc in apis.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if database is None:
            with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
