"""The spiders, by name (the name is also the ``source`` of the ``external_ids`` they write)."""

from __future__ import annotations

from typing import Any

from crawlers.spiders.base import SiteSpider
from crawlers.spiders.fbref import FbrefSpider
from crawlers.spiders.football_data import FootballDataSpider
from crawlers.spiders.nhl import NhlSpider
from crawlers.spiders.openfootball import OpenfootballSpider

__all__ = ["SPIDERS"]

SPIDERS: dict[str, type[SiteSpider[Any]]] = {
    s.name: s for s in (NhlSpider, FootballDataSpider, OpenfootballSpider, FbrefSpider)
}
