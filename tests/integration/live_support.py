"""Clients of the live feed for the tests: a WebSocket client that keeps what it received, an SSE reader,
and a league built through the management API with a website's credential."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.api_support import Apis, start_apis
from tests.integration.cdc_support import CdcEnv, drop_env, make_env, start_streams
from tests.waiting import DEFAULT_TIMEOUT_S, eventually

Message = dict[str, Any]


def start_product(settings: Settings, tmp: Path, **env: str) -> Iterator[tuple[CdcEnv, Apis]]:
    """The whole product on a database and topics of its own: a CDC reader, a stream worker and the three
    apps reading the worker's topics; ``env`` adds settings (``RSTAT__...``) to every process."""
    chain = make_env(settings, tmp)
    chain.env.update(
        {
            "RSTAT__STREAMS__APP_ID": unique("streams"),
            "RSTAT__STREAMS__STANDINGS_TOPIC": f"{chain.prefix}stats.standings",
            "RSTAT__STREAMS__NOTICES_TOPIC": f"{chain.prefix}notices",
            "RSTAT__STREAMS__TEAMS_TOPIC": f"{chain.prefix}stats.teams",
            "RSTAT__STREAMS__LIVE_STANDINGS_TOPIC": f"{chain.prefix}stats.live-standings",
            "RSTAT__STREAMS__PLAYERS_TOPIC": f"{chain.prefix}stats.players",
            "RSTAT__STREAMS__PREDICTIONS_TOPIC": f"{chain.prefix}stats.predictions",
            "RSTAT__STREAMS__DATA_DIR": str(tmp / "streams"),
            "RSTAT__STREAMS__PREDICTION_SIMS": "0",  # forecasts have tests of their own (predictions_support)
            **env,
        }
    )
    try:
        chain.start()
        chain.wait_streaming()
        start_streams(chain, tmp / "streams.log")
        shared = {k: v for k, v in chain.env.items() if k.startswith(("RSTAT__STREAMS__", "RSTAT__LIVE__"))}
        for apis in start_apis(settings, tmp, database=chain.name, **{**shared, **env}):
            yield chain, apis
    finally:
        drop_env(chain)


@dataclass
class League:
    """One organization's league: ids, an admin client, and a website's credentials."""

    org: int
    season: int
    stage: int
    teams: list[int]
    matches: list[dict[str, Any]]
    player: int
    admin: httpx.Client
    token: str
    api_key: str

    def create(self, resource: str, **body: Any) -> int:
        r = self.admin.post(f"/v1/orgs/{self.org}/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def patch_match(self, match_id: int, **body: Any) -> None:
        r = self.admin.patch(f"/v1/orgs/{self.org}/matches/{match_id}", json=body)
        assert r.status_code == 200, r.text

    def goal(self, match: dict[str, Any], minute: int, *, home: bool = True) -> int:
        team = match["home_team_id"] if home else match["away_team_id"]
        player = self.player if home else None
        return self.create(
            "match_events", match_id=match["id"], team_id=team, kind="goal", player_id=player, period=1, minute=minute
        )


def build_league(apis: Apis, slug: str) -> League:
    """A four-team league through the management API, its first match live, and a website client."""
    owner_email = f"owner@{slug}.example"
    apis.user(owner_email, org=slug)
    admin = apis.client("admin", apis.login(owner_email)["access_token"])
    org = next(o["id"] for o in admin.get("/v1/orgs").json() if o["slug"] == slug)

    def create(resource: str, **body: Any) -> int:
        r = admin.post(f"/v1/orgs/{org}/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    comp = create("competitions", sport="football", slug=f"{slug}-league", name=f"{slug} league")
    season = create("seasons", competition_id=comp, name="2026")
    stage = create("stages", season_id=season, name="Regular season", kind="league", regulation="premier-league")
    teams = [create("teams", name=f"{slug} {n}") for n in ("Lions", "Tigers", "Bears", "Wolves")]
    player = create("players", last_name=f"{slug} Striker")
    calendar = admin.post(
        f"/v1/orgs/{org}/stages/{stage}/calendar",
        json={"team_ids": teams, "first_kickoff": "2026-09-05T14:00:00Z", "double": False, "seed": 3},
    )
    assert calendar.status_code == 201, calendar.text
    matches = calendar.json()["matches"]
    client = admin.post(f"/v1/orgs/{org}/api-clients", json={"name": f"{slug} website"}).json()
    with apis.client("identity") as c:
        token = c.post(
            "/v1/client-token", json={"client_id": client["client_id"], "client_secret": client["client_secret"]}
        ).json()["access_token"]
    league = League(
        org=org,
        season=season,
        stage=stage,
        teams=teams,
        matches=matches,
        player=player,
        admin=admin,
        token=token,
        api_key=f"{client['client_id']}:{client['client_secret']}",
    )
    league.patch_match(matches[0]["id"], status="live")
    return league


@dataclass
class LiveClient:
    """A WebSocket client of the feed; a thread keeps every message it receives, in order."""

    socket: ClientConnection
    exits: contextlib.ExitStack
    received: list[Message] = field(default_factory=list)
    closed: list[tuple[int | None, str | None]] = field(default_factory=list)
    failure: list[BaseException] = field(default_factory=list)

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> LiveClient:
        exits = contextlib.ExitStack()
        client = cls(exits.enter_context(connect(url, open_timeout=30, **kwargs)), exits)
        threading.Thread(target=client._read, daemon=True).start()
        return client

    def _read(self) -> None:
        try:
            for raw in self.socket:
                for line in str(raw).splitlines():  # a frame carries one message per line
                    self.received.append(json.loads(line))
        except Exception as exc:  # kept for wait_for to report: the close code below tells the usual reasons
            self.failure.append(exc)
        self.closed.append((self.socket.close_code, self.socket.close_reason))

    def send(self, message: Message | str | bytes) -> None:
        self.socket.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def wait_for(self, match: Callable[[Message], bool], what: str, timeout: float = DEFAULT_TIMEOUT_S) -> Message:
        """The first message (kept or still to come) that ``match`` accepts."""

        def found() -> Message | None:
            if self.failure:
                raise AssertionError(f"the client's reader failed: {self.failure[0]!r}")
            return next((m for m in list(self.received) if match(m)), None)

        return eventually(found, timeout=timeout, message=f"the client to receive {what}")

    def on(self, channel: str, kind: str | None = None) -> list[Message]:
        """What was received on ``channel`` (of ``kind``), in order."""
        return [m for m in list(self.received) if m.get("channel") == channel and kind in (None, m.get("kind"))]

    def position(self, channel: str) -> dict[str, Any]:
        last = [m for m in self.on(channel) if "seq" in m][-1]
        return {"epoch": last["epoch"], "seq": last["seq"]}

    def close(self) -> None:
        self.exits.close()


@dataclass
class SseClient:
    """An SSE stream read by a thread, like :class:`LiveClient`: (event id, message) as they arrive.

    ``stop`` ends it at the next line the server sends (the heartbeats of the tests come every second)."""

    received: list[tuple[str | None, Message]] = field(default_factory=list)
    error: list[BaseException] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def open(cls, url: str, headers: dict[str, str] | None = None) -> SseClient:
        client = cls()
        threading.Thread(target=client._read, args=(url, headers or {}), daemon=True).start()
        return client

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(30, read=DEFAULT_TIMEOUT_S)) as http,
                http.stream("GET", url, headers=headers) as response,
            ):
                assert response.status_code == 200, response.read().decode()
                event_id, data = None, []
                for line in response.iter_lines():
                    if self.stopped.is_set():
                        return
                    if line.startswith("id:"):
                        event_id = line[3:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif not line and data:
                        self.received.append((event_id, json.loads("\n".join(data))))
                        event_id, data = None, []
        except Exception as exc:  # kept for wait_for to report
            self.error.append(exc)
        finally:
            self.done.set()

    def stop(self) -> None:
        self.stopped.set()
        eventually(self.done.is_set, message="the SSE stream to end")

    def messages(self) -> list[Message]:
        return [m for _id, m in list(self.received)]

    def wait_for(self, match: Callable[[Message], bool], what: str) -> tuple[str | None, Message]:
        def found() -> tuple[str | None, Message] | None:
            if self.error:
                raise AssertionError(f"the SSE stream failed: {self.error[0]!r}")
            return next(((i, m) for i, m in list(self.received) if match(m)), None)

        return eventually(found, message=f"the SSE client to receive {what}")
