"""``rstat bench live``: the public app's live feed (WebSocket) under load, through the whole chain.

A private environment, as ``rstat bench streams`` builds it: a migrated database, its own CDC reader (slot,
publication, topic prefix) and its own stream worker (app id, output topics, state folder), plus the
identity app and the public app, all real ``rstat`` processes; the public app reads the worker's topics
through the same ``RSTAT__STREAMS__*`` settings. Seeded: one football league (20 teams, 3 players each) with
one matchday of 10 matches in play and a website's API client, whose client-credentials token the
WebSocket clients present (``?token=``). The clients are ``loadgen live`` (Go, ``tools/loadgen``, built on
first use into ``<stack home>/bin``), which tallies what every client receives.

- Warm-up: one client on every channel while one goal per match goes through the chain (it also waits
  for the worker's first start).
- Load: ``--clients`` connections (default 1,000, at most 50 handshakes in flight), each subscribed to
  ``stage:<id>`` and the 10 ``match:<id>`` channels; once every client has the state of every channel,
  goals are committed at ``--goals-per-s`` (default 5) for ``--seconds`` (default 20), one transaction
  each (an INSERT into ``match_events``), rotating over the matches; the commit time is the bench's clock
  (``time.time()``) right after COMMIT returned. Each goal comes back to every client as a ``goal_scored``
  notice on its match's channel. Per notice: ``notice_to_client`` = the last client's arrival - the
  message's ``ts`` (the Kafka timestamp of the notice record, i.e. when the worker produced it: the
  public app's consume + fan-out + the generator's read); ``commit_to_client`` = the last client's
  arrival - the commit (CDC reader, worker and public app together); ``commit_to_notice`` the part
  before the public app; ``notice_to_first_client`` the public app's reading of the topic and its first
  send, ``fanout_spread`` first -> last client. Arrival times are taken by the generator as each read
  returns, before parsing. The load commits goal events only, so the match rows' scores (and with them the
  stage's live standings) do not move: the stage channels stay quiet (``messages_by_kind``).
  ``messages_lost`` = expected goal notices x ready clients - the ones received (each counted once per
  client) + the gaps in the per-channel ``seq`` every client checks (all kinds of messages); it must be 0.
  ``closed_slow``: connections the server closed with 4008 (too slow).
- Idle: a fresh public app process alone; its VmRSS (``/proc/<pid>/status``; ``rstat api public`` runs
  uvicorn in-process with one worker, so the process started is the server) after a warm-up of 10
  connections, then with ``--idle`` connections (default 5,000) each subscribed to ``stage:<id>`` and
  holding its state: ``rss_kb_per_connection`` = (after - before) / connections.

Server, broker, database, worker and generator share the same (here two) cores, so the latencies are a
ceiling for a machine where they are apart; the generator's own reading of 1,000 sockets is part of
``notice_to_client``. Each figure is one run (the median of runs is left to whoever repeats the command).
The bench raises the soft limit on open files (inherited by the apps) to what the connections need.
"""

from __future__ import annotations

import functools
import json
import math
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg

from rstat.bench.env import RSTAT, build_loadgen, chain_env, create_database, drop_private, stop_processes
from rstat.bench.league import Conn, League, commit_goal, seed_league
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings

__all__ = ["LiveOptions", "bench_live"]

TARGETS = {
    "notice_to_client_p99_ms": 200,
    "commit_to_client_p99_ms": 1000,
    "rss_kb_per_connection": 64,
    "clients": 1000,
    "idle_connections": 5000,
}


@dataclass(frozen=True)
class LiveOptions:
    clients: int = 1000
    idle: int = 5000
    goals_per_s: float = 5.0
    seconds: float = 20.0
    #: WebSocket handshakes (connect, subscribe, states) in flight at once
    concurrency: int = 50
    #: how long, after the last goal, every client may take to receive every notice
    drain_timeout_s: float = 120.0


def _progress(text: str) -> None:
    print(f"bench live: {text}", file=sys.stderr, flush=True)


def _raise_file_limit(needed: int) -> None:
    """One descriptor per connection in the public app (which inherits this limit) and in the generator."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise RStatError(f"{needed} open files needed, the hard limit is {hard}: raise it (ulimit -Hn)")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        _progress(f"open files limit raised from {soft} to {needed}")


class _Clients:
    """One ``loadgen live`` run: started at once, ``ready()`` once every client holds its channels'
    states, ``expect()`` a notice id, ``finish()`` (end of stdin) for the final tallies."""

    def __init__(self, loadgen: Path, url: str, token: str, channels: list[str], count: int, **opts: Any) -> None:
        self.log = Path(opts.pop("log"))
        args = [str(loadgen), "live", "-url", url, "-token", token, "-channels", ",".join(channels)]
        args += ["-clients", str(count), *(x for k, v in opts.items() for x in (f"-{k}", str(v)))]
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1
            )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.stdin: IO[str] = self.proc.stdin
        self.stdout: IO[str] = self.proc.stdout

    def _line(self) -> dict[str, Any]:
        line = self.stdout.readline()
        if not line:
            raise RStatError(f"loadgen live exited ({self.proc.wait()}); see {self.log}")
        found: dict[str, Any] = json.loads(line)
        return found

    def ready(self) -> dict[str, Any]:
        found = self._line()
        if not found["ready"]:
            raise RStatError(f"no client got ready: {found['errors']} {found['error_sample']}; see {self.log}")
        return found

    def expect(self, notice_id: str) -> None:
        self.stdin.write(notice_id + "\n")
        self.stdin.flush()

    def finish(self) -> dict[str, Any]:
        self.stdin.close()
        found = self._line()
        self.proc.wait()
        return found

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


#: starts ``loadgen live``: (clients, channels, generator flags) -> the run
ClientsFactory = Callable[..., _Clients]


def bench_live(settings: Settings, options: LiveOptions | None = None) -> dict[str, Any]:
    opts = options or LiveOptions()
    loadgen = build_loadgen(settings, _progress)
    _raise_file_limit(max(opts.clients, opts.idle) + 1024)
    tag = uuid.uuid4().hex[:8]
    db, prefix, app_id = f"bench_live_{tag}", f"bench.{tag}.", f"bench-live-{tag}"
    home = settings.stack.home_path / f"bench-live-{tag}"
    home.mkdir(parents=True, exist_ok=True)
    ports = {"identity": free_port(), "public": free_port(), "idle": free_port()}
    env = {
        **chain_env(database=db, tag=tag, prefix=prefix, app_id=app_id, home=home),
        "RSTAT__API__KEYS_DIR": str(home / "keys"),
        "RSTAT__API__IDENTITY_PORT": str(ports["identity"]),
        "RSTAT__API__PUBLIC_REQUESTS_PER_MINUTE": "100000000",
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *command: str, **extra: str) -> subprocess.Popen[bytes]:
        with (home / f"{name}.log").open("wb") as out:
            procs[name] = subprocess.Popen([RSTAT, *command], env=env | extra, stdout=out, stderr=subprocess.STDOUT)
        if name in ports and not wait_until(functools.partial(_healthy, ports[name]), 60, 0.2):
            raise RStatError(f"rstat {' '.join(command)} did not start; see {home / (name + '.log')}")
        return procs[name]

    ok = False
    try:
        league = seed_league(create_database(settings, db, migrate=True))
        start("cdc", "cdc")
        start("streams", "streams")
        start("identity", "api", "identity")
        start("public", "api", "public", RSTAT__API__PUBLIC_PORT=str(ports["public"]))
        if not wait_until(lambda: "streaming slot" in (home / "cdc.log").read_text(errors="replace"), 60):
            raise RStatError(f"the reader did not start; see {home / 'cdc.log'}")
        token = _post(
            f"http://127.0.0.1:{ports['identity']}/v1/client-token",
            {"client_id": league.client_id, "client_secret": league.secret},
        )["access_token"]
        url = f"ws://127.0.0.1:{ports['public']}/v1/live"

        def clients(count: int, channels: list[str], **extra: Any) -> _Clients:
            return _Clients(loadgen, url, token, channels, count, log=home / "loadgen.log", **extra)

        with psycopg.connect(settings.postgres.admin_dsn(db), autocommit=True) as conn:
            _progress("warm-up: one client on every channel, one goal per match through the chain")
            _warm_up(conn, league, clients(1, league.channels(), timeout="300s"))
            result = _load(conn, league, opts, clients, procs["public"].pid)
        stop_processes([procs.pop("public")], timeout=30)
        url = f"ws://127.0.0.1:{ports['idle']}/v1/live"
        idle_app = start("idle", "api", "public", RSTAT__API__PUBLIC_PORT=str(ports["idle"]))
        result.update(_idle(idle_app.pid, league, opts, clients))
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise RStatError(f"rstat {name} exited during the bench; see {home / (name + '.log')}")
        ok = True
        return {**result, "targets": TARGETS}
    finally:
        stop_processes(procs.values(), timeout=30)
        drop_private(settings, database=db, slots=(f"bench_{tag}",), topic_prefixes=(prefix, app_id))
        if ok:
            shutil.rmtree(home, ignore_errors=True)
        else:
            _progress(f"logs kept in {home}")


def _warm_up(conn: Conn, league: League, probe: _Clients) -> None:
    try:
        probe.ready()
        for n in range(len(league.matches)):
            probe.expect(commit_goal(conn, league, n)[0])
        done = probe.finish()
    finally:
        probe.kill()
    if not done["complete"]:
        raise RStatError(f"the warm-up goals did not reach a client within 300 s: {_problems(done)}")


def _load(conn: Conn, league: League, opts: LiveOptions, clients: ClientsFactory, pid: int) -> dict[str, Any]:
    channels = league.channels()
    _progress(f"load: {opts.clients:,} clients, each on {len(channels)} channels")
    run = clients(
        opts.clients, channels, c=opts.concurrency, timeout=f"{opts.drain_timeout_s}s", **{"ready-timeout": "600s"}
    )
    try:
        ready = run.ready()
        _progress(
            f"load: {ready['ready']:,} clients ready in {ready['connect_s']:.1f} s ({ready['failed']} failed)"
            + (f"; errors {ready['errors']}" if ready["errors"] else "")
        )
        rss = _rss_kb(pid)
        total = round(opts.goals_per_s * opts.seconds)
        _progress(f"load: {total} goals at {opts.goals_per_s:g} per second")
        commits: dict[str, float] = {}
        start = time.perf_counter()
        first = len(league.matches)  # the warm-up's goals came first
        for n in range(total):
            time.sleep(max(0.0, start + n / opts.goals_per_s - time.perf_counter()))
            notice, committed = commit_goal(conn, league, first + n)
            commits[notice] = committed
            run.expect(notice)
        _progress("load: waiting for every client to receive every notice")
        done = run.finish()
    finally:
        run.kill()
    return {**_figures(done, commits, ready), "load_server_rss_kb": rss}


def _figures(done: dict[str, Any], commits: dict[str, float], ready: dict[str, Any]) -> dict[str, Any]:
    notices: dict[str, dict[str, Any]] = done["notices"]
    got = [notices[n] for n in commits if n in notices]
    clients = int(done["ready"])
    received = sum(int(n["count"]) for n in got)
    lost = len(commits) * clients - received + int(done["gaps"])
    to_client = [n["last_us"] / 1000 - n["ts_ms"] for n in got]
    commit_to_client = [notices[n]["last_us"] / 1000 - t * 1000 for n, t in commits.items() if n in notices]
    commit_to_notice = [notices[n]["ts_ms"] - t * 1000 for n, t in commits.items() if n in notices]
    to_first = [n["first_us"] / 1000 - n["ts_ms"] for n in got]
    spread = [(n["last_us"] - n["first_us"]) / 1000 for n in got]
    if lost or not done["complete"]:
        _progress(f"load: {lost} messages lost; {_problems(done)}")
    return {
        "clients": int(done["clients"]),
        "clients_ready": clients,
        "clients_failed": int(done["failed"]),
        "connect_s": round(float(ready["connect_s"]), 1),
        "goals": len(commits),
        "goals_per_s": round((len(commits) - 1) / (max(commits.values()) - min(commits.values())), 2)
        if len(commits) > 1
        else None,
        "notice_to_client_p50_ms": _pct(to_client, 0.5),
        "notice_to_client_p99_ms": _pct(to_client, 0.99),
        "commit_to_client_p50_ms": _pct(commit_to_client, 0.5),
        "commit_to_client_p99_ms": _pct(commit_to_client, 0.99),
        "commit_to_notice_p50_ms": _pct(commit_to_notice, 0.5),
        "commit_to_notice_p99_ms": _pct(commit_to_notice, 0.99),
        "notice_to_first_client_p50_ms": _pct(to_first, 0.5),
        "notice_to_first_client_p99_ms": _pct(to_first, 0.99),
        "fanout_spread_p99_ms": _pct(spread, 0.99),
        "messages_lost": lost,
        "messages_received": received,
        "messages_total": int(done["messages"]),
        "messages_by_kind": done["by_kind"],
        "seq_gaps": int(done["gaps"]),
        "duplicates": int(done["duplicates"]) + int(done["duplicate_ids"]),
        "closed_slow": int(done["closes"].get("4008", 0)),
        "closes": done["closes"],
        "errors": done["errors"],
    }


def _problems(done: dict[str, Any]) -> str:
    keys = ("ready", "failed", "gaps", "duplicates", "duplicate_ids", "epoch_changes", "closes", "errors")
    return json.dumps({k: done[k] for k in keys} | {"sample": done["error_sample"]})


def _pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile, in ms rounded to 0.1; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)


def _idle(pid: int, league: League, opts: LiveOptions, clients: ClientsFactory) -> dict[str, Any]:
    channel = [f"stage:{league.stage}"]
    _progress("idle: a fresh public app; 10 connections to warm it up")
    warm = clients(10, channel)
    try:
        warm.ready()
        warm.finish()
    finally:
        warm.kill()
    time.sleep(2)
    before = _rss_kb(pid)
    _progress(f"idle: {opts.idle:,} connections on {channel[0]} (server VmRSS {before:,} kB before)")
    run = clients(opts.idle, channel, c=opts.concurrency, **{"ready-timeout": "600s"})
    try:
        ready = run.ready()
        time.sleep(2)
        after = _rss_kb(pid)
        done = run.finish()
    finally:
        run.kill()
    held = int(ready["ready"])
    _progress(f"idle: {held:,} connections held in {ready['connect_s']:.1f} s, VmRSS {after:,} kB")
    return {
        "idle_connections": held,
        "idle_failed": int(ready["failed"]),
        "idle_connect_s": round(float(ready["connect_s"]), 1),
        "idle_closes": done["closes"],
        "rss_kb_before": before,
        "rss_kb_after": after,
        "rss_kb_per_connection": round((after - before) / held, 1) if held else None,
    }


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RStatError(f"no VmRSS for process {pid}")


def _post(url: str, data: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own loopback app
        url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback app
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
