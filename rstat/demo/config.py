"""The demo's configuration section (``RSTAT__DEMO__*``), composed by ``rstat.settings``."""

from __future__ import annotations

from pathlib import Path

import msgspec

__all__ = ["DemoConfig"]


class DemoConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What ``rstat demo`` builds and how fast it plays."""

    #: ``rstat up`` runs the demo as one more process (false: the main job starts on an empty database).
    enabled: bool = True
    #: Folder of the real data files (``football/``, ``hockey/``); empty: the repository's ``tests/data``.
    data_dir: str = ""
    #: Wall-clock seconds of a 90-minute football match (a hockey game's 60 minutes take the same).
    match_seconds: float = 120.0
    #: Premier League rounds 1..N are imported finished; the rounds after N are played live.
    pl_finished_rounds: int = 30
    #: NHL season of ``hockey/game.csv`` imported finished (the file holds 20132014 to 20152016).
    nhl_season: str = "20152016"
    #: Enter every World Cup group match's line-ups, substitutions, goals and cards (about 2,500 requests);
    #: false: group results only (faster builds in tests).
    world_cup_protocols: bool = True
    #: Seconds between two live rounds (the standings settle, the page shows the finished round).
    round_pause_s: float = 10.0
    #: How long to wait for the identity and admin apps to answer before giving up (0: forever).
    wait_apps_s: float = 0.0

    def data_path(self) -> Path:
        """The data folder: the setting, or ``tests/data`` of the repository this package belongs to."""
        if self.data_dir:
            return Path(self.data_dir)
        return Path(__file__).resolve().parents[2] / "tests" / "data"
