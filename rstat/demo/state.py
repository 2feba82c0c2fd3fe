"""``<stack home>/demo.json``: what a second ``rstat demo`` needs to find the organization it built.

It holds the owner's password and the website's API secret, so it is written with mode 0600 (readable by
its owner only) and replaced atomically: an interrupted write never leaves half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

__all__ = ["DemoState", "load_state", "save_state"]


class DemoState(msgspec.Struct, kw_only=True):
    org_id: int
    org_slug: str
    owner_email: str
    owner_password: str
    #: the member with role ``scorer`` who plays the matches live (empty: the owner plays them)
    scorer_email: str = ""
    scorer_password: str = ""
    client_id: str = ""
    client_secret: str = ""
    #: competition, season and stage ids by key (``pl``, ``wc_groups``, ``wc_knockout``, ``nhl``...)
    competitions: dict[str, int] = msgspec.field(default_factory=dict)
    seasons: dict[str, int] = msgspec.field(default_factory=dict)
    stages: dict[str, int] = msgspec.field(default_factory=dict)
    #: team ids by (competition key, team name) joined as "key|name"; player ids by "team id|player key"
    teams: dict[str, int] = msgspec.field(default_factory=dict)
    players: dict[str, int] = msgspec.field(default_factory=dict)
    #: the match the website's match widget shows (one of the round in play)
    current_match: int = 0
    #: the live rounds played so far (the player resumes after them)
    steps_played: int = 0
    #: false until every competition is built: an interrupted build is not reused
    complete: bool = False

    @property
    def api_key(self) -> str:
        return f"{self.client_id}:{self.client_secret}"


def load_state(path: Path) -> DemoState | None:
    if not path.exists():
        return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=DemoState)
    except msgspec.DecodeError:
        return None  # an unreadable file is a demo to build again


def save_state(path: Path, state: DemoState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(msgspec.json.format(msgspec.json.encode(state)))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
