"""The whole product on private names for a browser bench: a migrated database of its own, a CDC reader, a
stream worker and the HTTP apps asked for, all real ``rstat`` processes on free ports, removed afterwards
(with their slot and topics) whatever happened; the logs are kept when the bench failed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rstat.bench.env import ROOT, RSTAT, chain_env, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings

__all__ = ["CHROMIUM", "DIST", "Product", "private_product", "sync_playwright_or_explain"]

CHROMIUM = "/usr/bin/chromium"
DIST = ROOT / "web" / "dist"


@dataclass
class Product:
    name: str
    home: Path
    dsn: str
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, app: str) -> str:
        return f"http://127.0.0.1:{self.ports[app]}"

    def start(self, env: dict[str, str]) -> None:
        """The CDC reader, the stream worker and the apps, once the database holds what the bench seeded."""
        commands = [("cdc", ["cdc"]), ("streams", ["streams"]), *((a, ["api", a]) for a in self.ports)]
        for name, command in commands:
            with (self.home / f"{name}.log").open("wb") as out:
                self.procs[name] = subprocess.Popen([RSTAT, *command], env=env, stdout=out, stderr=subprocess.STDOUT)
        for app in self.ports:
            if not wait_until(lambda app=app: _healthy(self.url(app)), 60, 0.2):  # type: ignore[misc]
                raise RStatError(f"rstat api {app} did not start; see {self.home / (app + '.log')}")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RStatError(f"rstat {name} exited during the bench; see {self.home / (name + '.log')}")


@contextmanager
def private_product(settings: Settings, name: str, apps: tuple[str, ...]) -> Iterator[tuple[Product, dict[str, str]]]:
    """A migrated private database and the environment of its processes (started by ``Product.start``)."""
    if not (DIST / "manifest.json").exists():
        raise RStatError("the browser bundles are not built: run `make web`")
    tag = uuid.uuid4().hex[:8]
    db, prefix, app_id = f"bench_{name}_{tag}", f"bench.{tag}.", f"bench-{name}-{tag}"
    home = settings.stack.home_path / f"bench-{name}-{tag}"
    (home / "site").mkdir(parents=True, exist_ok=True)
    ports = {app: free_port() for app in apps}
    env = {
        **chain_env(database=db, tag=tag, prefix=prefix, app_id=app_id, home=home),
        "RSTAT__API__KEYS_DIR": str(home / "keys"),
        **{f"RSTAT__API__{app.upper()}_PORT": str(port) for app, port in ports.items()},
        "RSTAT__API__PUBLIC_REQUESTS_PER_MINUTE": "100000000",
        "RSTAT__API__SITE_DIR": str(home / "site"),
        "RSTAT__API__WEB_DIST": str(DIST),
    }
    product = Product(name, home, "", ports)
    ok = False
    try:
        product.dsn = create_database(settings, db, migrate=True)
        yield product, env
        product.check_alive()
        ok = True
    finally:
        stop_processes(product.procs.values(), timeout=30)
        drop_private(settings, database=db, slots=(f"bench_{tag}",), topic_prefixes=(prefix, app_id))
        if ok:
            shutil.rmtree(home, ignore_errors=True)
        else:
            print(f"bench {name}: logs kept in {home}", file=sys.stderr, flush=True)


def sync_playwright_or_explain() -> Any:
    """Playwright's ``sync_playwright``, or an error that says how to install it."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a test dependency: `make install`
    except ImportError as exc:
        raise RStatError("the browser benches drive Chromium with Playwright: `make install` installs it") from exc
    return sync_playwright


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - http://127.0.0.1 built here
            return bool(response.status == 200)
    except OSError:
        return False
