"""Logging set-up for entrypoints; library code only calls ``logging.getLogger(__name__)``."""

from __future__ import annotations

import copy
import logging
import re
import sys
from typing import Any

__all__ = ["RedactCredentials", "configure_logging", "uvicorn_log_config"]


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        force=True,
    )


_CREDENTIAL = re.compile(r"(?i)\b(token|api_key|access_token)=[^&\s\"']*")


class RedactCredentials(logging.Filter):
    """Masks credentials in URLs before a line is written: browsers pass them in the query of a WebSocket
    or EventSource URL (``?token=``), and uvicorn logs every WebSocket's path with its query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _CREDENTIAL.sub(r"\1=***", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_CREDENTIAL.sub(r"\1=***", a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with credentials masked on every handler."""
    from uvicorn.config import LOGGING_CONFIG  # noqa: PLC0415 - uvicorn only where an app is served

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactCredentials}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    return config
