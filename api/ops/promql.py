"""The subset of PromQL the shared panels use (deploy/metrics/queries.json), evaluated over the page's own scrapes.

Why evaluate PromQL here rather than compute each panel in Python: the panels file is the one definition
the operations page and the Grafana dashboards share; evaluating its expressions as written means a panel
changed there changes on both, and nothing can drift. The subset is small on purpose, and anything outside
it is refused when the file is loaded (:func:`parse`), so a panel Grafana could draw but this page could not
is found at start, not on screen:

- selectors ``name``, ``name{l="v", l!="v", l=~"re", l!~"re"}`` (regexes anchored, as in PromQL);
- ``rate(selector[d])`` and ``increase(selector[d])`` with d in s, m or h;
- ``sum``, ``max``, ``min``, ``avg``, ``count``, each with an optional ``by (labels)`` before its argument;
- ``histogram_quantile(φ, expr)``.

Semantics, and where they differ from Prometheus: an instant vector is each series' newest scraped sample
(no 5-minute staleness lookback: a series missing from the last scrape of its target is gone). ``rate`` and
``increase`` are Prometheus' own arithmetic: the growth between the first and last sample inside the
window, counter resets added back, extrapolated towards the window's edges as Prometheus does (at most
half a scrape interval past a sample when the edge is further than 1.1 intervals, never below zero). A
series with fewer than two samples in the window has no rate (the page shows no value until its second
scrape). tests/unit/ops/test_promtool.py checks these answers against Prometheus' own ``promtool``.
``histogram_quantile`` is Prometheus' algorithm: the rank's
bucket found by the cumulative counts, linear interpolation inside it, the lowest bucket starting at 0, the
``+Inf`` bucket answered with the highest finite bound, NaN when the histogram is empty.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Aggregate",
    "Expr",
    "Labels",
    "PromQLError",
    "Quantile",
    "Range",
    "Samples",
    "Selector",
    "Vector",
    "evaluate",
    "histogram_quantile",
    "longest_range",
    "parse",
]

#: a series' labels, ``__name__`` included, as a sorted tuple (hashable)
Labels = tuple[tuple[str, str], ...]
#: what a scrape history answers: each series' samples ``(time_s, value)``, oldest first
Samples = Mapping[Labels, Sequence[tuple[float, float]]]
#: an instant vector: labels -> value
Vector = dict[Labels, float]

AGGREGATIONS = ("sum", "max", "min", "avg", "count")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


class PromQLError(ValueError):
    """An expression outside the subset, or malformed."""


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str  # = != =~ !~
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        found = labels.get(self.label, "")
        if self.op == "=":
            return found == self.value
        if self.op == "!=":
            return found != self.value
        hit = re.fullmatch(self.value, found) is not None
        return hit if self.op == "=~" else not hit


@dataclass(frozen=True)
class Selector:
    name: str
    matchers: tuple[Matcher, ...] = ()

    def selects(self, labels: Labels) -> bool:
        found = dict(labels)
        return found.get("__name__") == self.name and all(m.matches(found) for m in self.matchers)


@dataclass(frozen=True)
class Range:
    function: str  # rate | increase
    selector: Selector
    seconds: float


@dataclass(frozen=True)
class Aggregate:
    op: str
    by: tuple[str, ...] | None  # None: aggregate everything into one series with no labels
    expr: Expr


@dataclass(frozen=True)
class Quantile:
    q: float
    expr: Expr


Expr = Selector | Range | Aggregate | Quantile

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?![\w]))|(?P<duration>\d+[smh])|(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r'|(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>=~|!~|!=|[(){}\[\],=]))'
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PromQLError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = m.lastgroup
        assert kind is not None
        found.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        found_kind, found = self.peek()
        if found_kind != kind or (value is not None and found != value):
            raise PromQLError(f"expected {value or kind}, found {found or 'the end'} in {self.text!r}")
        self.pos += 1
        return found

    def expr(self) -> Expr:
        name = self.take("name")
        if name in AGGREGATIONS:
            by: tuple[str, ...] | None = None
            if self.peek() == ("name", "by"):
                self.take("name")
                by = self.labels()
            self.take("op", "(")
            inner = self.expr()
            self.take("op", ")")
            return Aggregate(name, by, inner)
        if name in ("rate", "increase"):
            self.take("op", "(")
            selector = self.selector(self.take("name"))
            self.take("op", "[")
            duration = self.take("duration")
            self.take("op", "]")
            self.take("op", ")")
            return Range(name, selector, float(duration[:-1]) * _UNITS[duration[-1]])
        if name == "histogram_quantile":
            self.take("op", "(")
            q = float(self.take("number"))
            self.take("op", ",")
            inner = self.expr()
            self.take("op", ")")
            return Quantile(q, inner)
        if self.peek() == ("op", "("):
            raise PromQLError(f"{name}() is not in the subset the operations page evaluates ({self.text!r})")
        return self.selector(name)

    def labels(self) -> tuple[str, ...]:
        self.take("op", "(")
        names = [self.take("name")]
        while self.peek() == ("op", ","):
            self.take("op", ",")
            names.append(self.take("name"))
        self.take("op", ")")
        return tuple(names)

    def selector(self, name: str) -> Selector:
        matchers: list[Matcher] = []
        if self.peek() == ("op", "{"):
            self.take("op", "{")
            while self.peek() != ("op", "}"):
                label = self.take("name")
                op = self.take("op")
                if op not in ("=", "!=", "=~", "!~"):
                    raise PromQLError(f"unknown label matcher {op!r} in {self.text!r}")
                raw = self.take("string")[1:-1]
                matchers.append(Matcher(label, op, re.sub(r"\\(.)", r"\1", raw)))
                if self.peek() == ("op", ","):
                    self.take("op", ",")
            self.take("op", "}")
        return Selector(name, tuple(matchers))


def parse(text: str) -> Expr:
    """Parse ``text``; :class:`PromQLError` when it is outside the subset."""
    parser = _Parser(text)
    expr = parser.expr()
    if parser.peek()[0] != "end":
        raise PromQLError(f"unexpected {parser.peek()[1]!r} in {text!r}")
    return expr


def _rate(points: Sequence[tuple[float, float]], seconds: float, now: float, function: str) -> float | None:
    """Prometheus' ``extrapolatedRate`` (promql/functions.go, 2.x) over the samples in ``(now - seconds, now]``."""
    inside = [(t, v) for t, v in points if now - seconds < t <= now]
    if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
        return None
    growth = inside[-1][1] - inside[0][1]
    for (_t0, v0), (_t1, v1) in itertools.pairwise(inside):
        if v1 < v0:
            growth += v0  # a reset: the counter restarted from 0
    first_t, first_v = inside[0]
    last_t = inside[-1][0]
    sampled = last_t - first_t
    average = sampled / (len(inside) - 1)
    to_start, to_end = first_t - (now - seconds), now - last_t
    if growth > 0 and first_v >= 0:
        to_start = min(to_start, sampled * (first_v / growth))  # a counter does not extrapolate below zero
    threshold = average * 1.1
    extrapolate_to = sampled
    extrapolate_to += to_start if to_start < threshold else average / 2
    extrapolate_to += to_end if to_end < threshold else average / 2
    factor = extrapolate_to / sampled
    if function == "rate":
        factor /= seconds
    return growth * factor  # in Prometheus' order of operations, so the answers agree to the last digit


def _without_name(labels: Labels) -> Labels:
    return tuple((k, v) for k, v in labels if k != "__name__")


_AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "sum": sum,  # plain float addition, as Prometheus adds (math.fsum would differ in the last digit)
    "max": max,
    "min": min,
    "avg": lambda values: sum(values) / len(values),
    "count": lambda values: float(len(values)),
}


def histogram_quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float:
    """Prometheus' quantile of cumulative ``buckets`` (upper bound, count), ``+Inf`` included."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(buckets)
    if not ordered or not math.isinf(ordered[-1][0]):
        return math.nan
    counts: list[float] = []
    for _bound, count in ordered:  # rates of buckets may be slightly non-monotonic: make them so
        counts.append(max(count, counts[-1]) if counts else count)
    total = counts[-1]
    if len(ordered) < 2 or total <= 0:
        return math.nan
    rank = q * total
    index = next(i for i, count in enumerate(counts) if count >= rank)
    if index == len(ordered) - 1:
        return ordered[-2][0]
    end = ordered[index][0]
    if index == 0:
        if end <= 0:
            return end
        start, below = 0.0, 0.0
    else:
        start, below = ordered[index - 1][0], counts[index - 1]
    inside = counts[index] - below
    return end if inside <= 0 else start + (end - start) * ((rank - below) / inside)  # Prometheus' order


def evaluate(expr: Expr, samples: Samples, now: float) -> Vector:
    """The instant vector ``expr`` gives at ``now`` over ``samples``."""
    if isinstance(expr, Selector):
        return {labels: points[-1][1] for labels, points in samples.items() if points and expr.selects(labels)}
    if isinstance(expr, Range):
        found: Vector = {}
        for labels, points in samples.items():
            if expr.selector.selects(labels):
                value = _rate(points, expr.seconds, now, expr.function)
                if value is not None:
                    found[_without_name(labels)] = value
        return found
    if isinstance(expr, Aggregate):
        groups: dict[Labels, list[float]] = {}
        for labels, value in evaluate(expr.expr, samples, now).items():
            key = () if expr.by is None else tuple((k, v) for k, v in labels if k in expr.by)
            groups.setdefault(key, []).append(value)
        return {key: _AGGREGATE[expr.op](values) for key, values in groups.items()}
    histograms: dict[Labels, list[tuple[float, float]]] = {}
    for labels, value in evaluate(expr.expr, samples, now).items():
        le = dict(labels).get("le")
        if le is None:
            continue
        key = tuple((k, v) for k, v in labels if k not in ("le", "__name__"))
        histograms.setdefault(key, []).append((float(le), value))
    return {key: histogram_quantile(expr.q, buckets) for key, buckets in histograms.items()}


def longest_range(expr: Expr) -> float:
    """The longest range ``expr`` reads (0 for an instant query): until the scrapes cover it, a rate is
    extrapolated from less than its window, as in a Prometheus that has just started."""
    if isinstance(expr, Range):
        return expr.seconds
    if isinstance(expr, Aggregate | Quantile):
        return longest_range(expr.expr)
    return 0.0
