"""``rstat demo`` end to end: wait for the apps, build (or reuse) the organization, write the website,
say where to look, then play live steps until stopped."""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

import httpx

from rstat.demo.build import Builder
from rstat.demo.client import AdminApi, ApiRefusedError, DemoError, StopRequestedError
from rstat.demo.plan import Plan
from rstat.demo.player import Player
from rstat.demo.site import write_site
from rstat.demo.state import DemoState, load_state, save_state
from rstat.settings import Settings

__all__ = ["run_demo"]

log = logging.getLogger(__name__)


def _urls(settings: Settings) -> dict[str, str]:
    api = settings.api
    ports = {"identity": api.identity_port, "admin": api.admin_port, "public": api.public_port}
    return {app: f"http://{api.host}:{port}" for app, port in ports.items()}


def wait_for_apps(urls: dict[str, str], stop: threading.Event, timeout: float) -> None:
    """Until identity and admin answer ``/healthz`` (``rstat up`` starts them next to the demo)."""
    started = time.monotonic()
    said = 0.0
    for app in ("identity", "admin"):
        while True:
            try:
                if httpx.get(f"{urls[app]}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            now = time.monotonic()
            if now - said >= 30:
                log.info(
                    "waiting for the %s app to answer %s/healthz (rstat up starts it; or run: rstat api %s)",
                    app,
                    urls[app],
                    app,
                )
                said = now
            if timeout and now - started > timeout:
                raise DemoError(f"the {app} app at {urls[app]} did not answer /healthz within {timeout:.0f} s")
            if stop.wait(1.0):
                raise StopRequestedError(f"stopped while waiting for the {app} app")
    log.info("the identity and admin apps answer")


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def create_owner(settings: Settings, email: str, password: str, slug: str) -> None:
    """The organization's first owner, exactly as ``rstat users create EMAIL --password-stdin --org SLUG``
    makes it (the bootstrap of a new installation: there is no API to create the first user)."""
    from rstat.cli.api import _create_user  # noqa: PLC0415 - the CLI's own bootstrap code, run in-process

    args = argparse.Namespace(email=email, name="Demo organizer", org=slug, password_stdin=True)
    with _stdin(password + "\n"), contextlib.redirect_stdout(io.StringIO()):
        _create_user(args, settings)


def reuse(urls: dict[str, str], state: DemoState, stop: threading.Event) -> AdminApi | None:
    """A session of the saved owner if the organization still exists (the database may have been wiped)."""
    api = AdminApi(
        urls["identity"], urls["admin"], state.owner_email, state.owner_password, org=state.org_id, stop=stop
    )
    try:
        api.login()
        if any(o["id"] == state.org_id for o in api.orgs()):
            return api
        log.info("the saved owner no longer belongs to organization %d", state.org_id)
    except ApiRefusedError as exc:
        log.info("the saved demo owner cannot log in (%s): the database was probably recreated", exc.detail)
    api.close()
    return None


def new_organization(settings: Settings, urls: dict[str, str], stop: threading.Event) -> tuple[AdminApi, DemoState]:
    suffix = secrets.token_hex(3)
    email, slug = f"organizer-{suffix}@demo.rstat.example", f"demo-{suffix}"
    password = secrets.token_urlsafe(18)
    create_owner(settings, email, password, slug)
    api = AdminApi(urls["identity"], urls["admin"], email, password, stop=stop)
    api.login()
    org = next(o for o in api.orgs() if o["slug"] == slug)
    api.call("PATCH", f"/v1/orgs/{org['id']}", {"name": "R-Stat Demo League"})
    api.org = int(org["id"])
    client = api.call("POST", f"/v1/orgs/{api.org}/api-clients", {"name": "Demo website"})
    scorer, scorer_password = f"scorer-{suffix}@demo.rstat.example", secrets.token_urlsafe(18)
    member = {"email": scorer, "role": "scorer", "password": scorer_password, "display_name": "Demo scorer"}
    api.call("POST", f"/v1/orgs/{api.org}/members", member)
    state = DemoState(
        org_id=api.org,
        org_slug=slug,
        owner_email=email,
        owner_password=password,
        scorer_email=scorer,
        scorer_password=scorer_password,
        client_id=client["client_id"],
        client_secret=client["client_secret"],
    )
    return api, state


def _announce(settings: Settings, urls: dict[str, str], state: DemoState, path: str, *, new: bool) -> None:
    lines = [
        "",
        "R-Stat demo is ready:",
        f"  demo website     {urls['public']}/site/",
        f"  console          {urls['admin']}/console/  (organizers and scorers; installs on a phone)",
        f"  operations page  {urls['admin']}/ops",
        f"  OpenAPI docs     {urls['identity']}/schema  {urls['admin']}/schema  {urls['public']}/schema",
    ]
    if new:
        lines += [
            "  demo organizer (shown once; kept in " + path + "):",
            f"    organization   {state.org_slug} (id {state.org_id})",
            f"    email          {state.owner_email}",
            f"    password       {state.owner_password}",
            f"    scorer         {state.scorer_email} / {state.scorer_password}",
            f"    website key    {state.api_key}",
        ]
    else:
        lines.append(f"  demo organizer credentials and the website key: {path} (mode 0600)")
    print("\n".join(lines) + "\n", flush=True)


def run_demo(settings: Settings, *, play: bool, match_seconds: float, rounds: int | None) -> int:
    """Exit code 0 when stopped by a signal (at any point: a stop is the normal end of the demo)."""
    try:
        return _run(settings, play=play, match_seconds=match_seconds, rounds=rounds)
    except StopRequestedError as exc:
        log.info("stopped (%s)", exc)
        return 0


def _run(settings: Settings, *, play: bool, match_seconds: float, rounds: int | None) -> int:
    config = settings.demo
    data = config.data_path()
    if not (data / "football" / "2023-24_en.1.json").is_file():
        raise DemoError(
            f"no demo data in {data} (football/, hockey/ of the repository's tests/data): set RSTAT__DEMO__DATA_DIR "
            "to that folder, or RSTAT__DEMO__ENABLED=false to run rstat up without the demo"
        )
    urls = _urls(settings)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current request", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    wait_for_apps(urls, stop, config.wait_apps_s)

    path = settings.stack.home_path / "demo.json"
    state = load_state(path)
    api = reuse(urls, state, stop) if state is not None else None
    new = api is None
    if api is None or state is None:
        log.info("building a new demo organization through the admin API (about a minute)")
        api, state = new_organization(settings, urls, stop)
        save_state(path, state)
    else:
        log.info("reusing demo organization %s (id %d) from %s", state.org_slug, state.org_id, path)
    sessions = [api]
    try:
        if not state.complete:
            started = time.monotonic()
            try:
                Builder(api, state, config, lambda: save_state(path, state)).build()
            except StopRequestedError:
                log.info(
                    "stopped during the build after %d requests; built so far: %s. The next start resumes "
                    "(a half-built competition is deleted and built again)",
                    api.requests,
                    ", ".join(sorted(state.stages)) or "nothing",
                )
                return 0
            state.complete = True
            save_state(path, state)
            log.info("the demo organization is built (%d requests in %.0f s)", api.requests, time.monotonic() - started)
        site = settings.site_path()
        plan = Plan(api, state, config) if play else None
        upcoming = plan.step(state.steps_played) if plan is not None else None
        if upcoming is not None:
            state.current_match = upcoming.featured
        live_from = config.pl_finished_rounds + 1
        write_site(site, state, pl_live_from=live_from, pl_round=upcoming.pl_round if upcoming else live_from)
        save_state(path, state)
        _announce(settings, urls, state, str(path), new=new)
        if plan is None:
            return 0
        # the matches are played by the organization's scorer, whose role allows the protocol and nothing else
        scorer = api
        if state.scorer_email:
            scorer = AdminApi(
                urls["identity"], urls["admin"], state.scorer_email, state.scorer_password, org=state.org_id, stop=stop
            )
            sessions.append(scorer)
            scorer.login()
        player = Player(scorer, state, match_seconds, stop, editor=api)
        played = 0
        while not stop.is_set() and (rounds is None or played < rounds):
            step = plan.step(state.steps_played)
            state.current_match = step.featured
            write_site(site, state, pl_live_from=live_from, pl_round=step.pl_round)
            save_state(path, state)
            try:
                if not player.play(step):
                    break
            except httpx.TransportError as exc:
                # an app restarting (rstat up restarts nothing, but a developer may): wait, play the step again
                log.warning("lost the admin app during step %d (%s); waiting for it to answer again", step.number, exc)
                wait_for_apps(urls, stop, config.wait_apps_s)
                continue
            state.steps_played += 1
            played += 1
            save_state(path, state)
            if rounds is None or played < rounds:
                stop.wait(config.round_pause_s)
        log.info("the demo player stopped after %d step(s); the state is in %s", played, path)
        return 0
    finally:
        for session in sessions:
            session.close()
