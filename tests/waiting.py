"""The one way a test waits: poll the condition it needs until it holds, never sleep for a guessed time.

A sleep that is long enough here is too short on a machine three times slower (CI) and wasted time on a
faster one; a poll returns as soon as the condition holds and waits as long as the slowest machine needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["DEFAULT_INTERVAL_S", "DEFAULT_TIMEOUT_S", "StopWaiting", "eventually"]

T = TypeVar("T")

#: generous on purpose: a wait costs only as long as its condition takes, and CI may be 3x slower than a laptop
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_INTERVAL_S = 0.1
#: how much of the last value seen a timeout message shows
_SHOWN = 2000


class StopWaiting(Exception):
    """Raised by a condition when waiting longer cannot help (a process it depends on has exited):
    ``eventually`` fails at once with an AssertionError saying so."""


def eventually(
    condition: Callable[[], T | None],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    interval: float = DEFAULT_INTERVAL_S,
    message: str = "",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``condition`` every ``interval`` seconds until it returns a truthy value, and return that value.

    A falsy value, an ``AssertionError`` (so a condition may say what it expects with ``assert`` and show the
    difference) or an exception of a type in ``ignore`` (say, a connection refused while a server starts)
    mean "not yet". Any other exception propagates at once; ``StopWaiting`` becomes an AssertionError at once.
    When ``timeout`` seconds have passed without success, raises an AssertionError that names ``message``
    (what was awaited) and the last value or exception the condition gave.

    So an ``assert`` inside a condition means "not yet": a check that must never fail (an invariant of what
    is read) raises ``StopWaiting`` there, or is made outside. A falsy result is "not yet" too, so a
    condition whose answer may be empty returns something else (True, a tuple).
    """
    what = message or getattr(condition, "__name__", repr(condition))
    started = time.monotonic()
    deadline = started + timeout
    attempts = 0
    last: object = None
    failure: BaseException | None = None
    while True:
        attempts += 1
        try:
            value = condition()
        except StopWaiting as exc:
            raise AssertionError(f"gave up waiting for {what}: {exc}") from exc
        except AssertionError as exc:
            failure, last = exc, None
        except ignore as exc:
            failure, last = exc, None
        else:
            if value:
                return value
            failure, last = None, value
        now = time.monotonic()
        if now >= deadline:
            break
        time.sleep(min(interval, deadline - now))
    if failure is not None:
        seen = f"the last attempt raised {type(failure).__name__}: {_shorten(str(failure))}"
    else:
        seen = f"the last value was {_shorten(repr(last))}"
    raise AssertionError(
        f"timed out after {time.monotonic() - started:.1f} s ({attempts} attempts) waiting for {what}; {seen}"
    ) from failure


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN // 2]} ... {text[-_SHOWN // 2 :]}"
