"""The operations page's configuration section (``RSTAT__OPS__*`` once ``rstat.settings`` composes it).

Until then the bootstrap (``rstat.boot.api``) builds it with every empty field derived from the other
sections: the CDC reader's and the stream processor's metrics ports, the public app's address, the
identity app's URL.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["OpsConfig", "parse_targets"]


def parse_targets(value: str) -> dict[str, str]:
    """``rstat-cdc=http://h:9401/metrics,rstat-streams=...`` -> ``{"rstat-cdc": "http://h:9401/metrics", ...}``."""
    found: dict[str, str] = {}
    for spec in (part.strip() for part in value.split(",")):
        if not spec:
            continue
        job, _, url = spec.partition("=")
        if not job.strip() or not url.strip().startswith(("http://", "https://")):
            raise ValueError(f"{spec!r} should read job=http://host:port/metrics")
        found[job.strip()] = url.strip()
    return found


class OpsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The operations page of the admin app (``/ops``, ``/v1/ops/metrics``)."""

    env_parsers: ClassVar[dict[str, Any]] = {"targets": parse_targets}

    #: Metrics endpoints scraped, by job name (``job=url,...``); empty: rstat-cdc, rstat-streams and
    #: rstat-public at the ports the other sections give. Job names are those of deploy/metrics/queries.json.
    targets: dict[str, str] = msgspec.field(default_factory=dict)
    #: Seconds a scrape may take before its process counts as down.
    timeout_s: float = 1.5
    #: Seconds between scrapes while someone watches the page.
    interval_s: float = 2.0
    #: Scraping stops this many seconds after the page's last request.
    idle_s: float = 600.0
    #: Requests closer together than this share one scrape.
    min_interval_s: float = 1.0
    #: Seconds of scrapes kept in memory (at least the longest range of a panel's rate: 5m).
    keep_s: float = 600.0
    #: The panels file; empty: deploy/metrics/queries.json of the installation.
    queries: str = ""
    #: The identity app's URL as the browser reaches it (the page logs in there); empty: from the api section.
    identity_url: str = ""
