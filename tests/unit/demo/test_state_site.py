"""The state file (secrets: owner-only), the demo page, and the demo in the CLI and in ``rstat up``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rstat.cli.main import build_parser
from rstat.demo.site import render_site, write_site
from rstat.demo.state import DemoState, load_state, save_state
from rstat.ops.processes import main_processes
from rstat.settings import load_settings


def demo_state() -> DemoState:
    return DemoState(
        org_id=3,
        org_slug="demo-abc",
        owner_email="o@example.org",
        owner_password="pw-1234567890",
        client_id="rs_1",
        client_secret="s3cret",
        seasons={"pl": 11, "wc": 12, "nhl_pbp": 14},
        stages={"pl": 21, "wc_groups": 22, "wc_knockout": 23, "nhl": 24, "nhl_pbp": 25},
        current_match=99,
        teams={"pl|Manchester City FC": 5},
    )


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "home" / "demo.json"
    save_state(path, demo_state())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_state(path) == demo_state()
    path.write_text("{not json")
    assert load_state(path) is None
    assert load_state(tmp_path / "absent.json") is None


def test_the_page_embeds_every_widget_for_the_demo_organization(tmp_path: Path) -> None:
    page = render_site(demo_state(), pl_live_from=31, pl_round=33)
    assert '<meta name="rstat-api-key" content="rs_1:s3cret">' in page
    assert '<script type="module" src="/widgets/rstat-widgets.js"></script>' in page
    for widget in (
        '<rstat-standings stage="21" live>',
        '<rstat-scoreboard stage="21" round="33">',
        '<rstat-match match="99">',
        '<rstat-leaders season="11" stat="goals">',
        '<rstat-calendar stage="21" team="5">',
        '<rstat-standings stage="22">',
        '<rstat-standings stage="24">',
    ):
        assert widget in page
    written = write_site(tmp_path / "site", demo_state(), pl_live_from=31, pl_round=33)
    assert written.read_text() == page


def test_rstat_demo_has_its_options() -> None:
    args = build_parser().parse_args(["demo", "--no-play", "--speed", "4"])
    assert (args.no_play, args.speed, args.rounds) == (True, 4.0, None)


@pytest.mark.parametrize(("value", "runs"), [(None, True), ("false", False), ("true", True)])
def test_rstat_up_runs_the_demo_unless_it_is_disabled(value: str | None, runs: bool) -> None:
    settings = load_settings({} if value is None else {"RSTAT__DEMO__ENABLED": value})
    names = [p.name for p in main_processes(settings)]
    assert ("demo" in names) is runs
    assert names[:5] == ["cdc", "streams", "identity", "admin", "public"]


def test_the_data_folder_defaults_to_the_repository_tests_data() -> None:
    folder = load_settings({}).demo.data_path()
    assert (folder / "football" / "2023-24_en.1.json").exists()
    assert load_settings({"RSTAT__DEMO__DATA_DIR": "/x"}).demo.data_path() == Path("/x")
