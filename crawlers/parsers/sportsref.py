"""What FBref and hockey-reference pages share (both are Sports Reference sites): many tables are sent inside
HTML comments and shown by the page's script, so a parser that reads the HTML as served must take the
commented tables out of their comments first. Ids of players, squads and matches are the 8-hex segment of
their links (``/en/players/5083a734/Yangel-Herrera``)."""

from __future__ import annotations

import re

__all__ = ["link_id", "uncomment_tables"]

COMMENTED = re.compile(r"<!--(\s*<(?:div|table)\b.*?)-->", re.DOTALL)
LINK_ID = re.compile(r"/(?:players|squads|matches)/([0-9a-f]{8})(?:/|$)")


def uncomment_tables(html: str) -> str:
    """``html`` with every comment that holds markup (a table, the div around one) made part of the page."""
    return COMMENTED.sub(lambda found: found.group(1), html)


def link_id(href: str | None) -> str | None:
    """The id in a player's, squad's or match's link, or None."""
    found = LINK_ID.search(href or "")
    return found.group(1) if found else None
