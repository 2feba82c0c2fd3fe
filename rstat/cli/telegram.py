"""``rstat telegram``: the Telegram bots (commands) and the sender (notices), and the delivery log's status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rstat.settings import Settings

__all__ = ["add_telegram_commands", "main"]


def _telegram(args: argparse.Namespace, settings: Settings) -> int:
    if args.telegram_command == "status":
        from rstat.boot.telegram import delivery_status

        print(delivery_status(settings, limit=args.limit))
        return 0
    from rstat.boot.telegram import run_telegram_process

    return run_telegram_process(settings)


def add_telegram_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    telegram = sub.add_parser(
        "telegram",
        help="run the Telegram bots and the notice sender",
        description="Answer the bots' commands (/start, /follow, /unfollow, /list, /lang, /stop) by long polling "
        "or a webhook, and send the notices of rstat.notices to every chat that follows their match, team or "
        "competition, within Telegram's limits and exactly once per chat (settings RSTAT__TELEGRAM__*: the "
        "shared bot's TOKEN, UPDATES=polling|webhook, API_URL, the limits). SIGINT/SIGTERM stops it cleanly.",
    )
    telegram.set_defaults(handler=_telegram, telegram_command="run")
    actions = telegram.add_subparsers(dest="telegram_command", metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="deliveries by state, and the unconfirmed ones",
        description="Count the delivery log's rows by state and list the unconfirmed deliveries: messages that "
        "were in flight when a sender stopped, which Telegram may or may not have delivered (never resent).",
    )
    status.add_argument("--limit", type=int, default=20, help="unconfirmed deliveries listed (default 20)")
    status.set_defaults(handler=_telegram)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rstat.cli.telegram``: the same command outside ``rstat`` (tests and the bench use it)."""
    from rstat.logs import configure_logging
    from rstat.settings import load_settings

    parser = argparse.ArgumentParser(prog="rstat")
    add_telegram_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(["telegram", *(sys.argv[1:] if argv is None else argv)])
    configure_logging()
    status: int = args.handler(args, load_settings())
    return status


if __name__ == "__main__":
    sys.exit(main())
