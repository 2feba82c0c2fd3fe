"""Match dates as ISO days: the files we read write them as ``2023-08-11``, ``11/08/2023`` or ``11/08/23``.

The time decay of the ratings and the ``--as-of`` cut compare days, so every date is made ISO once here.
"""

from __future__ import annotations

from datetime import date, datetime

from predict.errors import PredictError

__all__ = ["days_between", "iso_date"]

_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%Y/%m/%d", "%d.%m.%Y")


def iso_date(text: str) -> str | None:
    """``text`` as ``YYYY-MM-DD``; None when empty. A time after the day (``2023-08-11T20:00``) is dropped."""
    value = text.strip()
    if not value:
        return None
    day = value.split("T", 1)[0].split(" ", 1)[0]
    for fmt in _FORMATS:
        try:
            return datetime.strptime(day, fmt).date().isoformat()
        except ValueError:
            continue
    raise PredictError(f"unreadable date {text!r}: expected YYYY-MM-DD or DD/MM/YYYY")


def days_between(earlier: str, later: str) -> int:
    """Days from one ISO day to another (negative when ``earlier`` is later)."""
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days
