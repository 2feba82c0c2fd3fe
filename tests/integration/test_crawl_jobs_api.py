"""Crawl jobs through the management API: editors and owners manage them, every member reads them and their
runs, values the table would refuse are refused in words, and another organization's job does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from rstat.settings import Settings
from tests.integration.api_support import Apis, start_apis
from tests.integration.test_api_admin import Org


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory, stack: Settings) -> Iterator[Apis]:
    yield from start_apis(stack, tmp_path_factory.mktemp("apis"))


def test_crawl_jobs_are_managed_by_editors_and_read_with_their_runs(apis: Apis) -> None:
    org, other = Org(apis, f"c{uuid.uuid4().hex[:8]}"), Org(apis, f"d{uuid.uuid4().hex[:8]}")
    body: dict[str, Any] = {
        "spider": "nhl", "arguments": {"season": "20242025", "date": "2024-10-08"}, "every_s": 600, "live": True,
    }  # fmt: skip
    job = org.create("crawl_jobs", **body)
    for role in ("scorer", "viewer"):
        assert org.call(role, "POST", "/crawl_jobs", json=body).status_code == 403
    read = org.get("viewer", f"/crawl_jobs/{job}").json()
    assert read | {"next_run_at": None, "created_at": None} == {
        "id": job, "org_id": org.id, "spider": "nhl", "arguments": body["arguments"], "every_s": 600,
        "timeout_s": 1800, "enabled": True, "live": True, "failures": 0, "next_run_at": None, "created_at": None,
    }  # fmt: skip
    assert org.call("owner", "PATCH", f"/crawl_jobs/{job}", json={"enabled": False}).json()["enabled"] is False
    # what the table would refuse, refused in words
    bad = [
        {"spider": "espn"},
        {"spider": "nhl", "every_s": 0},
        {"spider": "nhl", "arguments": {"Bad-Name": "x"}},
    ]
    for wrong in bad:
        r = org.call("editor", "POST", "/crawl_jobs", json=wrong)
        assert r.status_code == 422, (wrong, r.text)
    live_football = org.call("editor", "POST", "/crawl_jobs", json={"spider": "fbref", "live": True})
    assert live_football.status_code == 422, live_football.text
    assert live_football.json()["rule"] == "crawl_jobs_live_nhl_only"  # only NHL games are followed live
    # runs, as the scheduler records them
    with apis.connect() as conn:
        conn.execute(
            "INSERT INTO crawl_runs (job_id, ended_at, outcome, summary) VALUES (%s, now(), 'succeeded', %s)",
            (job, Jsonb({"items": 2, "written": 2})),
        )
        conn.execute("INSERT INTO crawl_runs (job_id) VALUES (%s)", (job,))
    runs = org.get("viewer", f"/crawl_jobs/{job}/runs").json()
    assert runs["total"] == 2
    assert [r["outcome"] for r in runs["items"]] == ["running", "succeeded"]
    assert runs["items"][1]["summary"] == {"items": 2, "written": 2}
    # another organization's job is not there
    for path in (f"/crawl_jobs/{job}", f"/crawl_jobs/{job}/runs"):
        assert other.get("owner", path).status_code == 404
    assert org.call("editor", "DELETE", f"/crawl_jobs/{job}").status_code == 204
