"""The preset reports: their SQL over the configured table, placeholders filled from the options."""

from __future__ import annotations

import pytest

from audit.reports import PRESETS, report


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_reads_the_table_with_parameters_only(name: str) -> None:
    sql, params = report(name, "changes", days=7, org=3, match=12)
    assert "FROM `changes`" in sql
    assert "{target}" not in sql
    assert all("{" + key + ":" in sql for key in params)
    assert set(params.values()) <= {"7", "3", "12"}


def test_a_match_history_needs_its_match() -> None:
    with pytest.raises(ValueError, match="needs --match"):
        report("match-history", "changes", days=30, org=None, match=None)


def test_all_organizations_unless_one_is_named() -> None:
    assert report("activity", "changes", days=30, org=None, match=None)[1] == {"days": "30", "org": "0"}
