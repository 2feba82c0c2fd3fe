"""A four-team league with zones, two rounds played and one to go, on the whole product with forecasts:
shared by the predictions integration test and the odds widget's browser test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.api_support import Apis, start_apis
from tests.integration.cdc_support import CdcEnv, drop_env, ensure_running, make_env, start_streams
from tests.waiting import eventually

__all__ = ["PLAYED", "SIMS", "TO_PLAY", "ZONES", "League", "Product", "start_product"]

SIMS = 2000
ZONES: list[dict[str, Any]] = [
    {"name": "title", "first": 1, "last": 1},
    {"name": "relegation", "first": 4, "last": 4},
]
#: rounds 1 and 2 as (home, away, home goals, away goals) by team index; round 3 (0-3, 1-2) is to play.
#: Team 0 has 6 points, the others 2, 1 and 1: nobody can catch it, the title is clinched.
PLAYED = [(0, 1, 2, 0), (2, 3, 1, 1), (0, 2, 2, 0), (1, 3, 0, 0)]
TO_PLAY = [(0, 3), (1, 2)]


class Product:
    """The chain (CDC reader, stream worker) and the three apps on a database and topics of their own."""

    def __init__(self, chain: CdcEnv, apis: Apis, log: Path) -> None:
        self.chain, self.apis, self.log = chain, apis, log


def start_product(stack: Settings, tmp_path: Path, **env: str) -> Iterator[Product]:
    """The chain and the apps (``env`` adds settings to every process), with forecasts of ``SIMS`` seasons;
    the apps start once the worker has created the predictions topic, which their live feed reads."""
    chain = make_env(stack, tmp_path)
    chain.env.update(
        {
            "RSTAT__STREAMS__APP_ID": unique("streams"),
            **{
                f"RSTAT__STREAMS__{name.upper()}_TOPIC": f"{chain.prefix}{topic}"
                for name, topic in (
                    ("standings", "stats.standings"),
                    ("notices", "notices"),
                    ("teams", "stats.teams"),
                    ("live_standings", "stats.live-standings"),
                    ("players", "stats.players"),
                    ("predictions", "stats.predictions"),
                )
            },
            "RSTAT__STREAMS__DATA_DIR": str(tmp_path / "streams"),
            "RSTAT__STREAMS__PREDICTION_SIMS": str(SIMS),
            "RSTAT__STREAMS__PREDICTION_QUIET_S": "0.3",
            "RSTAT__LIVE__HEARTBEAT_S": "1",
            **env,
        }
    )
    try:
        chain.start()
        chain.wait_streaming()
        log = tmp_path / "streams.log"
        worker = start_streams(chain, log)
        admin = AdminClient({"bootstrap.servers": stack.kafka.bootstrap()})
        topic = chain.env["RSTAT__STREAMS__PREDICTIONS_TOPIC"]

        def created() -> bool:
            ensure_running(worker, "rstat streams", log)
            return topic in admin.list_topics(timeout=10).topics

        eventually(created, message=f"the stream worker to create {topic}")  # the live feed reads it from its start
        shared = {k: v for k, v in chain.env.items() if k.startswith(("RSTAT__STREAMS__", "RSTAT__LIVE__"))}
        for apis in start_apis(stack, tmp_path, database=chain.name, **{**shared, **env}):
            yield Product(chain, apis, log)
    finally:
        drop_env(chain)


class League:
    def __init__(self, apis: Apis) -> None:
        slug = unique("odds").replace("_", "-")
        email = f"owner@{slug}.example"
        apis.user(email, org=slug)
        self.admin = apis.client("admin", apis.login(email)["access_token"])
        self.org = next(o["id"] for o in self.admin.get("/v1/orgs").json() if o["slug"] == slug)
        comp = self.create("competitions", sport="football", slug="league", name="League")
        self.season = self.create("seasons", competition_id=comp, name="2026")
        self.stage = self.create(
            "stages", season_id=self.season, name="League", kind="league", regulation="premier-league", zones=ZONES
        )
        self.teams = [self.create("teams", name=f"{slug} {n}") for n in ("Lions", "Tigers", "Bears", "Wolves")]
        self.matches: dict[tuple[int, int], int] = {}
        kickoff = dt.datetime(2026, 9, 5, 14, tzinfo=dt.UTC)
        for n, (home, away) in enumerate([(h, a) for h, a, _hs, _as in PLAYED] + TO_PLAY):
            self.matches[(home, away)] = self.create(
                "matches",
                stage_id=self.stage,
                round=n // 2 + 1,
                home_team_id=self.teams[home],
                away_team_id=self.teams[away],
                kickoff=(kickoff + dt.timedelta(days=7 * (n // 2))).isoformat(),
            )
        for home, away, hs, as_ in PLAYED:
            self.result(home, away, hs, as_)
        client = self.admin.post(f"/v1/orgs/{self.org}/api-clients", json={"name": "website"}).json()
        self.api_key = f"{client['client_id']}:{client['client_secret']}"
        with apis.client("identity") as c:
            self.token = c.post(
                "/v1/client-token", json={"client_id": client["client_id"], "client_secret": client["client_secret"]}
            ).json()["access_token"]

    def create(self, resource: str, **body: Any) -> int:
        r = self.admin.post(f"/v1/orgs/{self.org}/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def result(self, home: int, away: int, hs: int, as_: int) -> None:
        r = self.admin.patch(
            f"/v1/orgs/{self.org}/matches/{self.matches[(home, away)]}",
            json={"status": "finished", "home_score": hs, "away_score": as_, "decided_in": "REG"},
        )
        assert r.status_code == 200, r.text
