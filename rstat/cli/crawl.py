"""``rstat crawl SPIDER``: import a competition's season from a public site; ``rstat scheduler``: run the crawl
jobs and follow live games."""

from __future__ import annotations

import argparse
import sys
import types
import typing
from pathlib import Path
from typing import Any

import msgspec

from rstat.errors import RStatError
from rstat.settings import Settings

__all__ = ["add_crawl_commands"]


def _plain(kind: Any) -> tuple[type, bool]:
    """(the argument's type, whether it may be left out) of a spider argument's annotation."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return options[0], True
    return kind, False


def _crawl(args: argparse.Namespace, settings: Settings) -> int:
    from crawlers.arguments import ARGUMENTS
    from crawlers.errors import CrawlError
    from rstat.boot.crawl import CrawlOptions, crawl

    spec = ARGUMENTS[args.spider]
    given = {k: v for k, v in vars(args).items() if k in spec.args.__struct_fields__ and v is not None}
    try:
        spider_args = spec.parse(given)
        options = CrawlOptions(
            org=args.org,
            output=args.output,
            results_csv=args.results_csv,
            cache=args.cache,
            actor=args.actor,
            request_id=args.request_id,
            progress_s=0.0 if args.quiet else 5.0,
        )
        summary = crawl(settings, args.spider, spider_args, options)
    except CrawlError as exc:
        raise RStatError(str(exc)) from exc
    if args.summary_json is not None:
        Path(args.summary_json).write_bytes(msgspec.json.encode(summary))
    for line in summary.lines():
        print(line, file=sys.stderr)
    return 0 if summary.ok else 1


def _scheduler(_args: argparse.Namespace, settings: Settings) -> int:
    from crawlers.errors import CrawlError
    from rstat.boot.crawl import run_scheduler

    try:
        run_scheduler(settings)
    except CrawlError as exc:
        raise RStatError(str(exc)) from exc
    return 0


def _spider_parser(crawl_sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str) -> None:
    from crawlers.arguments import ARGUMENTS

    spider = ARGUMENTS[name]
    parser = crawl_sub.add_parser(name, help=spider.summary, description=spider.summary)
    own = parser.add_argument_group(f"{name} arguments")
    for field in msgspec.structs.fields(spider.args):
        kind, optional = _plain(field.type)
        flag = "--" + field.name.replace("_", "-")
        required = field.required and not optional
        help_text = spider.help.get(field.name, "")
        if kind is bool:
            own.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        else:
            own.add_argument(flag, type=kind, required=required, default=None, help=help_text)
    out = parser.add_argument_group("where the items go (at least one)")
    out.add_argument("--org", help="write to the database, into this organization (slug or id)")
    out.add_argument("--output", type=Path, metavar="FILE.jsonl", help="write the items as JSON lines instead")
    out.add_argument(
        "--results-csv", type=Path, metavar="FILE", help="write the results as the CSV `rstat table` reads"
    )
    run = parser.add_argument_group("how it runs")
    run.add_argument(
        "--cache",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="keep every page in Scrapy's HTTP cache and serve re-crawls from it (default folder: "
        "RSTAT__CRAWLERS__CACHE_DIR, or crawl-cache in the stack home)",
    )
    run.add_argument("--summary-json", type=Path, metavar="FILE", help="also write the summary as JSON")
    run.add_argument("--actor", default="crawler", help="who the writes are attributed to (default crawler)")
    run.add_argument("--request-id", default="", help="request id of the writes' attribution (default: a new one)")
    run.add_argument("--quiet", action="store_true", help="no progress lines while it runs")
    parser.set_defaults(handler=_crawl, spider=name)


def add_crawl_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from crawlers.arguments import ARGUMENTS

    crawl = sub.add_parser(
        "crawl",
        help="import a competition's season from a public site (NHL, football-data.co.uk, openfootball, FBref)",
        description="Crawl a site with one of the spiders and write what it finds: to an organization's database "
        "(--org; each match with its protocol in one transaction, unchanged matches write nothing, hand edits are "
        "kept and reported as conflicts), to a JSON-lines file (--output) or to a results CSV (--results-csv). "
        "Progress while it runs; a summary at the end (pages, items, written, unchanged, dropped by reason, "
        "conflicts); exit status 1 when pages could not be read. Settings: RSTAT__CRAWLERS__*.",
    )
    crawl_sub = crawl.add_subparsers(dest="spider", required=True, metavar="SPIDER")
    for name in ARGUMENTS:
        _spider_parser(crawl_sub, name)
    sub.add_parser(
        "scheduler",
        help="run the crawl jobs on their schedules and follow live games",
        description="Run the organizations' crawl jobs (managed at /v1/orgs/{org}/crawl_jobs of the admin API) "
        "when they are due, one at a time per site, each as an `rstat crawl` process with its timeout; record each "
        "run (/crawl_jobs/{id}/runs) and retry failures with backoff. For jobs marked live, poll the play-by-play "
        "of their games from kick-off until final. One scheduler per database; SIGINT/SIGTERM stops it.",
    ).set_defaults(handler=_scheduler)
