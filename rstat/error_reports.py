"""Error aggregation with Sentry, for every process, when ``RSTAT__SENTRY__DSN`` is set.

Off by default: without a DSN the SDK is never initialised and nothing leaves the machine. With one, an
unhandled exception or an ERROR log line becomes an event. Events must never carry secrets or personal
data, so the SDK's own defaults are tightened: no personal data (``send_default_pii``), no request bodies,
no local variables in stack frames (a frame of the identity app holds a password), and a last pass over the
event that masks what our logs and URLs could still carry (tokens in a query, ``Authorization`` headers,
DSNs with passwords in them).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from rstat.settings import Settings

__all__ = ["init_error_reports", "scrub_event"]

log = logging.getLogger(__name__)

#: keys whose values are masked wherever they appear in an event (headers, extra data, breadcrumbs)
DENYLIST = [
    *DEFAULT_DENYLIST,
    "dsn",
    "client_secret",
    "refresh_token",
    "access_token",
    "idempotency-key",
    "x-telegram-bot-api-secret-token",
    "bot_token",
    "email",
]
_MASK = "[Filtered]"
#: credentials inside text: ``token=...`` in a URL's query, a password in a DSN, a bearer token
_IN_TEXT = (
    (re.compile(r"(?i)\b(token|api_key|access_token|refresh_token|secret|password)=[^&\s\"']*"), r"\1=" + _MASK),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s/]+@"), r"\1:" + _MASK + "@"),
    (re.compile(r"(?i)\bbearer\s+[a-z0-9._~+/=-]+"), "Bearer " + _MASK),
    (re.compile(r"/bot\d+:[A-Za-z0-9_-]+"), "/bot" + _MASK),  # a Telegram Bot API URL holds the token
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, replacement in _IN_TEXT:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def scrub_event(event: Any, _hint: Any) -> Any:
    """The last pass before an event leaves: no user, no cookies, credentials in text masked."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
    return _clean(event)


def init_error_reports(settings: Settings, process: str) -> bool:
    """Start sending errors of ``process`` to Sentry if a DSN is set; whether it did. Safe to call twice."""
    dsn = settings.sentry.dsn.reveal()
    if not dsn:
        return False
    if sentry_sdk.get_client().is_active():
        return True
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry.environment,
        server_name=process,
        traces_sample_rate=settings.sentry.traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=lambda crumb, _hint: _clean(crumb),
    )
    sentry_sdk.set_tag("process", process)
    log.info("error reports: sending errors of %s to Sentry (environment %s)", process, settings.sentry.environment)
    return True
