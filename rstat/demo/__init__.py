"""``rstat demo``: a demo organization built through the public HTTP APIs from real data, then played live.

The demo is a client of the product like any organizer or scorer: it writes only through the admin API,
so what it shows (standings, leaders, live notices) is what the stream computed from those writes.
"""

__all__: list[str] = []
