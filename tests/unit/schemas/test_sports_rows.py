"""The ``sports`` rows of the schema are the sports the rules know: a sport added to one and not the other
would be accepted by the API and then computed as football, or refused by the API while the rules know it."""

from __future__ import annotations

import re
from importlib import resources

from api.admin.resources import SPORTS as API_SPORTS
from sports.registry import REGULAR_PERIODS


def _sports_rows() -> dict[str, int]:
    folder = resources.files("schemas").joinpath("sql")
    sql = "\n".join(entry.read_text() for entry in folder.iterdir() if entry.name.endswith(".sql"))
    rows = re.findall(r"\('([a-z-]+)', '[^']*', (\d+), \d+, \d+, \d+, \d+\)", sql)
    return {code: int(periods) for code, periods in rows}


def test_the_schema_the_rules_and_the_api_know_the_same_sports() -> None:
    rows = _sports_rows()
    assert rows == REGULAR_PERIODS  # same sports, same regular periods
    assert set(API_SPORTS) == set(rows)
