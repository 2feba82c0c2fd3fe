"""The audit package's exceptions: one root, small subclasses, ClickHouse's own errors kept word for word."""

from __future__ import annotations

import re

__all__ = ["AuditError", "ClickHouseError", "SchemaMissingError"]

_CODE = re.compile(r"Code: (\d+)\.")


class AuditError(Exception):
    """Root of every error the audit raises."""


class ClickHouseError(AuditError):
    """An error ClickHouse reported, with its code and its message as ClickHouse wrote it: the SQL endpoint
    answers with exactly this text, as a ClickHouse server would."""

    def __init__(self, message: str, code: int | None = None) -> None:
        text = message.strip()
        if code is None:
            found = _CODE.search(text)
            code = int(found.group(1)) if found else 1001  # STD_EXCEPTION: ClickHouse's code for "no code"
        super().__init__(text)
        self.code = code
        self.message = text


class SchemaMissingError(AuditError):
    """A message whose schema is not on the registry topic even after reading it again: writing on would
    lose an audit row, so the writer stops with what to do."""
