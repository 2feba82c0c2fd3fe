"""Where a crawl's items go: the organization's database (``--org``), a JSON-lines file (``--output``) and
the R-Stat results CSV that ``rstat table`` reads (``--results-csv``); at least one.

The object travels to the pipelines inside Scrapy's settings, which Scrapy logs: its repr never shows the
database's DSN."""

from __future__ import annotations

from pathlib import Path

__all__ = ["Outputs"]


class Outputs:
    def __init__(
        self,
        *,
        dsn: str | None = None,
        org_id: int | None = None,
        actor: str = "crawler",
        request_id: str = "",
        jsonl: Path | None = None,
        results_csv: Path | None = None,
    ) -> None:
        self._dsn = dsn
        self.org_id = org_id
        self.actor = actor
        self.request_id = request_id
        self.jsonl = jsonl
        self.results_csv = results_csv

    def dsn(self) -> str | None:
        """The database's DSN (with its password): only for opening the connection."""
        return self._dsn

    def __repr__(self) -> str:
        return (
            f"Outputs(org_id={self.org_id!r}, actor={self.actor!r}, jsonl={self.jsonl!r}, "
            f"results_csv={self.results_csv!r})"
        )
