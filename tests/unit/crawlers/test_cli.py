"""``rstat crawl SPIDER`` and ``rstat scheduler``: every spider's options from its typed arguments, help on
every command, and arguments that make no crawl refused before anything starts."""

from __future__ import annotations

import argparse

import pytest

from crawlers.arguments import ARGUMENTS
from rstat.cli.crawl import add_crawl_commands
from rstat.errors import RStatError
from rstat.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rstat")
    add_crawl_commands(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.mark.parametrize("argv", [["crawl"], *(["crawl", s] for s in ARGUMENTS), ["scheduler"]])
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        _parser().parse_args([*argv, "--help"])
    assert done.value.code == 0
    assert "usage: rstat" in capsys.readouterr().out


def test_options_follow_the_spiders_arguments() -> None:
    args = _parser().parse_args(
        ["crawl", "football-data", "--season", "2324", "--no-fixtures", "--results-csv", "r.csv", "--cache"]
    )
    assert (args.spider, args.season, args.fixtures, args.division, args.cache) == ("football-data", "2324", False,
                                                                                    None, "")  # fmt: skip
    assert _parser().parse_args(["crawl", "nhl", "--season", "20242025", "--game", "2024020003"]).game == 2024020003


def test_arguments_that_make_no_crawl_are_refused_in_words(settings: Settings) -> None:
    args = _parser().parse_args(["crawl", "nhl", "--season", "20242025", "--output", "x.jsonl"])
    with pytest.raises(RStatError, match="give exactly one of --date, --team and --game"):
        args.handler(args, settings)
    args = _parser().parse_args(["crawl", "football-data", "--season", "23-24", "--output", "x.jsonl"])
    with pytest.raises(RStatError, match="should read like 2324"):
        args.handler(args, settings)
