"""``rstat bench api``: the public app under load on the local stack.

A private database (migrated) with a league whose standings are materialized (20 rows in
``stats.standings``, as the stream processor leaves them), the identity app (for the JWKS) and the public
app, both real ``rstat api`` processes under uvicorn. A Go load generator (``tools/loadgen``, built on first
use) keeps 32 connections busy for 10 s per endpoint after a warm-up: first ``/v1/ping`` (authorized, no
database: the baseline of the same app), then the standings endpoint as deployed (answers reused for up
to ``public_cache_s``), then the same endpoint of a second public process with that cache off, so every
request reads PostgreSQL (``standings_uncached_*``). The generator runs on the same two
cores as the server, so the figures are a floor for a machine where they are apart.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import psycopg

from rstat.bench.env import RSTAT, build_loadgen, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings

__all__ = ["bench_api"]

TARGETS = {"standings_rps": 2_000, "standings_p99_ms": 50, "ratio_to_baseline": 0.5}
CONCURRENCY, SECONDS = 32, 10
ROOT = Path(__file__).resolve().parents[2]


def _progress(text: str) -> None:
    print(f"bench api: {text}", file=sys.stderr, flush=True)


def _seed(dsn: str) -> tuple[int, str, str]:
    """A league with materialized standings and a website client; returns (stage id, client id, secret)."""
    from api.passwords import hash_secret  # noqa: PLC0415 - keeps the API out of `rstat --help`

    client_id, secret = f"bench_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        org = conn.execute("INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id").fetchone()
        assert org is not None
        comp = conn.execute(
            "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', 'l', 'L') RETURNING id",
            (org[0],),
        ).fetchone()
        assert comp is not None
        season = conn.execute(
            "INSERT INTO seasons (competition_id, name) VALUES (%s, '2026') RETURNING id", (comp[0],)
        ).fetchone()
        assert season is not None
        stage = conn.execute(
            "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'L', 'league', 'premier-league') "
            "RETURNING id",
            (season[0],),
        ).fetchone()
        assert stage is not None
        for n in range(20):
            team = conn.execute(
                "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org[0], f"Team {n}")
            ).fetchone()
            assert team is not None
            conn.execute(
                "INSERT INTO stats.standings VALUES (%s, 0, %s, %s, %s, 38, 20, 10, 8, 0, 0, 60, 40, 20, %s, 0.6, "
                "'points', false)",
                (stage[0], n + 1, n + 1, team[0], 90 - n * 3),
            )
        conn.execute(
            "INSERT INTO api_clients (org_id, client_id, secret_hash, name) VALUES (%s, %s, %s, 'bench')",
            (org[0], client_id, hash_secret(secret)),
        )
    return int(stage[0]), client_id, secret


def _get(url: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback app
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def bench_api(settings: Settings) -> dict[str, Any]:
    loadgen = build_loadgen(settings, _progress)
    tag = uuid.uuid4().hex[:8]
    db = f"bench_api_{tag}"
    home = settings.stack.home_path / f"bench-api-{tag}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        stage, client_id, secret = _seed(create_database(settings, db, migrate=True))
        ports = {"identity": free_port(), "public": free_port(), "uncached": free_port()}
        env = {
            **os.environ,
            "RSTAT__POSTGRES__DATABASE": db,
            "RSTAT__API__KEYS_DIR": str(home / "keys"),
            "RSTAT__API__IDENTITY_PORT": str(ports["identity"]),
            "RSTAT__API__PUBLIC_REQUESTS_PER_MINUTE": "100000000",
        }
        home.mkdir(parents=True, exist_ok=True)
        # the public app as deployed, and one with its answer cache off (every request reads PostgreSQL)
        apps = {
            "identity": ("identity", {}),
            "public": ("public", {"RSTAT__API__PUBLIC_PORT": str(ports["public"])}),
            "uncached": (
                "public",
                {"RSTAT__API__PUBLIC_PORT": str(ports["uncached"]), "RSTAT__API__PUBLIC_CACHE_S": "0"},
            ),
        }
        for name, (app, extra) in apps.items():
            with (home / f"{name}.log").open("wb") as out:
                procs.append(
                    subprocess.Popen([RSTAT, "api", app], env=env | extra, stdout=out, stderr=subprocess.STDOUT)
                )
            url = f"http://127.0.0.1:{ports[name]}/healthz"
            if not wait_until(functools.partial(_healthy, url), 60, 0.2):
                raise RStatError(f"rstat api {app} did not start; see {home / (name + '.log')}")
        token = _get(
            f"http://127.0.0.1:{ports['identity']}/v1/client-token",
            {"client_id": client_id, "client_secret": secret},
        )["access_token"]

        def run(path: str, seconds: int, app: str = "public") -> dict[str, Any]:
            base = f"http://127.0.0.1:{ports[app]}"
            done = subprocess.run(
                [str(loadgen), "-url", base + path, "-token", token, "-c", str(CONCURRENCY), "-d", f"{seconds}s"],
                capture_output=True,
                text=True,
                check=True,
            )
            found: dict[str, Any] = json.loads(done.stdout)
            if found["errors"]:
                raise RStatError(f"{found['errors']} failed requests on {path}; see {home}")
            return found

        standings_path = f"/v1/stages/{stage}/standings"
        _progress("warm-up: 3 s on each endpoint")
        run("/v1/ping", 3)
        run(standings_path, 3)
        _progress(f"baseline: /v1/ping at concurrency {CONCURRENCY} for {SECONDS} s")
        baseline = run("/v1/ping", SECONDS)
        _progress(f"standings: {standings_path} at concurrency {CONCURRENCY} for {SECONDS} s")
        standings = run(standings_path, SECONDS)
        _progress(f"standings without the answer cache, {SECONDS} s")
        run(standings_path, 3, "uncached")
        uncached = run(standings_path, SECONDS, "uncached")
        return {
            "standings_rps": round(standings["rps"]),
            "standings_p50_ms": standings["p50_ms"],
            "standings_p99_ms": standings["p99_ms"],
            "baseline_rps": round(baseline["rps"]),
            "baseline_p99_ms": baseline["p99_ms"],
            "ratio_to_baseline": round(standings["rps"] / baseline["rps"], 3),
            "standings_uncached_rps": round(uncached["rps"]),
            "standings_uncached_p99_ms": uncached["p99_ms"],
            "concurrency": CONCURRENCY,
            "server": f"uvicorn (uvloop, httptools), {settings.api.workers} worker(s)",
            "targets": TARGETS,
        }
    finally:
        stop_processes(procs, timeout=30)
        drop_private(settings, database=db)
        shutil.rmtree(home, ignore_errors=True)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback app
            return bool(response.status == 200)
    except OSError:
        return False
