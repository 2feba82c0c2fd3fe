"""The shared panels (deploy/metrics/queries.json) loaded and evaluated for the operations page."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from api.ops.promql import Expr, Samples, evaluate, longest_range, parse

__all__ = ["Panel", "PanelValue", "Query", "SeriesValue", "evaluate_panels", "load_panels"]


@dataclass(frozen=True)
class Query:
    legend: str
    text: str
    expr: Expr


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    unit: str
    description: str
    queries: tuple[Query, ...]


class SeriesValue(msgspec.Struct, frozen=True, kw_only=True):
    #: the query's legend with ``{label}`` filled in from the series (``p99``, ``rstat-streams stats.teams``)
    name: str
    labels: dict[str, str]
    #: None when there is nothing to say yet (one scrape of a rate) or the quantile is undefined (no samples)
    value: float | None


class PanelValue(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    unit: str
    description: str
    queries: list[str]
    #: the longest range the panel's queries read (seconds; 0: instant values only)
    range_s: float
    series: list[SeriesValue]


def load_panels(path: Path) -> list[Panel]:
    """The panels of ``path``; every expression parsed now, so one outside the subset fails at start."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Panel(
            id=str(p["id"]),
            title=str(p["title"]),
            unit=str(p["unit"]),
            description=str(p.get("description", "")),
            queries=tuple(Query(str(q["legend"]), str(q["expr"]), parse(str(q["expr"]))) for q in p["queries"]),
        )
        for p in data["panels"]
    ]


def _legend(template: str, labels: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: labels.get(m.group(1), ""), template).strip()


def evaluate_panels(panels: Sequence[Panel], samples: Samples, now: float) -> list[PanelValue]:
    found = []
    for panel in panels:
        series = []
        for query in panel.queries:
            for labels, value in sorted(evaluate(query.expr, samples, now).items()):
                named = dict(labels)
                finite = value if math.isfinite(value) else None
                series.append(SeriesValue(name=_legend(query.legend, named), labels=named, value=finite))
        found.append(
            PanelValue(
                id=panel.id,
                title=panel.title,
                unit=panel.unit,
                description=panel.description,
                queries=[q.text for q in panel.queries],
                range_s=max((longest_range(q.expr) for q in panel.queries), default=0.0),
                series=series,
            )
        )
    return found
