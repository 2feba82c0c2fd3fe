"""The three-way merge that keeps organizers' hand edits: the site's value is taken only where nobody changed
the field since the crawl wrote it; an edit the site contradicts is a conflict, never overwritten."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from crawlers.store.merge import merge, plain


def test_the_four_cases() -> None:
    base = {"status": "scheduled", "venue_id": None, "round": 3, "home_score": None}
    ours = {"status": "scheduled", "venue_id": 7, "round": 4, "home_score": None}  # venue and round edited
    theirs = {"status": "finished", "venue_id": None, "round": 5, "home_score": 2}
    found = merge(base, ours, theirs)
    assert found.updates == {"status": "finished", "home_score": 2}  # untouched fields follow the site
    assert found.conflicts == [("round", 4, 5)]  # edited here, changed there: reported, ours kept
    assert found.base == {"status": "finished", "venue_id": None, "round": 3, "home_score": 2}  # venue: theirs = base


def test_an_edit_equal_to_the_site_settles_and_values_compare_in_json_form() -> None:
    kickoff = dt.datetime(2024, 5, 19, 15, tzinfo=dt.UTC)
    base = {"kickoff": "2024-05-19T14:00:00+00:00", "period_scores": [[1, 0]]}
    ours = {"kickoff": kickoff.astimezone(dt.timezone(dt.timedelta(hours=2))), "period_scores": [[1, 0]]}
    theirs = {"kickoff": kickoff, "period_scores": ((1, 0),)}
    found = merge(base, ours, theirs)
    assert (found.updates, found.conflicts) == ({}, [])
    assert found.base["kickoff"] == plain(kickoff)


values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b"]))


@given(base=values, ours=values, theirs=values)
def test_a_hand_edit_is_never_overwritten(base: object, ours: object, theirs: object) -> None:
    found = merge({"f": base}, {"f": ours}, {"f": theirs})
    if ours != base:
        assert "f" not in found.updates
        assert bool(found.conflicts) == (theirs not in (base, ours))
    else:
        assert found.updates == ({} if theirs == ours else {"f": theirs})
        assert not found.conflicts
