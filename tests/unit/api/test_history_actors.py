"""Who changed a row, in the words the history shows organizers."""

from __future__ import annotations

import pytest

from api.admin.history import shown_actor


@pytest.mark.parametrize(
    ("actor", "source", "shown"),
    [
        ("user:7", "admin-api", "ann@club.example"),
        ("user:8", "admin-api", "user:8"),  # a user since deleted: the id is all there is
        ("crawl-job:3", "crawler:nhl", "crawler: nhl"),
        ("crawler:football-data", "crawler", "crawler: football-data"),
        ("cli:root", "cli", "command line (root)"),
        ("", "", "by hand in SQL"),
        ("scheduler", "scheduler", "scheduler"),
    ],
)
def test_actors_in_words(actor: str, source: str, shown: str) -> None:
    assert shown_actor(actor, source, {7: "ann@club.example"}) == shown
