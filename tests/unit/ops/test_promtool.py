"""The page's PromQL answers are Prometheus' answers: the same series and expressions given to Prometheus'
own ``promtool test rules``, which fails unless it computes the values our evaluator computed.

``promtool`` is the one on the PATH, or the one ``tools/ensure-prereqs.sh`` (run by ``make``) takes out of
Debian's ``prometheus`` package into ``.rstat/tools``. Evaluation times fall
between samples, so the left edge of a range (closed in Prometheus 2, open in 3) never decides a result.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from api.ops.promql import Labels, evaluate, parse

LOCAL_PROMTOOL = Path(__file__).resolve().parents[3] / ".rstat" / "tools" / "promtool"
PROMTOOL = shutil.which("promtool") or (str(LOCAL_PROMTOOL) if LOCAL_PROMTOOL.exists() else None)
STEP_S = 15

#: series in promtool's notation (``a+bxN``: N+1 samples from a, b apart), one sample every 15 s
SERIES = {
    'c_total{t="a"}': "0+5x40",
    'c_total{t="b"}': "100 130 5 15 20 40 60 80 100 150 170 200 210 260 270 300 320 330 340 400 450",
    'late_total{t="c"}': "_x30 0 10 25 60",  # appears late: its window is not full
    'h_bucket{le="0.1"}': "0+1x40",
    'h_bucket{le="0.5"}': "0+3x40",
    'h_bucket{le="1"}': "0+4x40",
    'h_bucket{le="+Inf"}': "0+5x40",
    'lag{group="g",topic="x",partition="0",instance="w1"}': "5x40",
    'lag{group="g",topic="x",partition="0",instance="w2"}': "5x40",
    'lag{group="g",topic="x",partition="1",instance="w1"}': "7x40",
    'lag{group="h",topic="x",partition="0",instance="w1"}': "1x40",
}

EXPRESSIONS = [
    "rate(c_total[1m])",
    "increase(c_total[1m])",
    "sum(rate(c_total[1m]))",
    "sum by (t) (rate(c_total[5m]))",
    "rate(late_total[1m])",
    "histogram_quantile(0.5, sum by (le) (rate(h_bucket[5m])))",
    "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
    "sum by (group, topic) (max by (group, topic, partition) (lag))",
    'max(lag{group=~"g|h", partition!="1"})',
    "count(lag)",
    "avg by (group) (lag)",
]


def expand(notation: str) -> list[float | None]:
    values: list[float | None] = []
    for part in notation.split():
        if part.startswith("_x"):
            values += [None] * int(part[2:])
        elif "x" in part:
            start, _, count = part.partition("x")
            base, plus, step = start.partition("+")
            values += [float(base) + (float(step) if plus else 0.0) * i for i in range(int(count) + 1)]
        else:
            values.append(float(part))
    return values


def labels_of(selector: str) -> Labels:
    name, _, rest = selector.partition("{")
    found = {"__name__": name}
    for pair in rest.rstrip("}").split('",'):
        key, _, value = pair.partition("=")
        found[key.strip()] = value.strip('"')
    return tuple(sorted(found.items()))


def samples() -> dict[Labels, list[tuple[float, float]]]:
    return {
        labels_of(selector): [(i * STEP_S, v) for i, v in enumerate(expand(notation)) if v is not None]
        for selector, notation in SERIES.items()
    }


def promql_labels(labels: Labels) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels if k != "__name__")
    name = dict(labels).get("__name__", "")
    return f"{name}{{{inner}}}"


@pytest.mark.parametrize("eval_s", [127, 307, 487])
def test_promtool_computes_what_the_page_computes(eval_s: int, tmp_path: Path) -> None:
    assert PROMTOOL is not None, "promtool is missing: `tools/ensure-prereqs.sh` puts it in .rstat/tools"
    data = samples()
    tests = []
    for text in EXPRESSIONS:
        found = evaluate(parse(text), data, float(eval_s))
        expected = [
            f"          - labels: '{promql_labels(labels)}'\n            value: {value!r}"
            for labels, value in sorted(found.items())
            if not math.isnan(value)
        ]
        body = "\n".join(expected) if expected else ""
        tests.append(
            f"      - expr: '{text}'\n        eval_time: {eval_s}s\n        exp_samples:\n{body}"
            if body
            else f"      - expr: '{text}'\n        eval_time: {eval_s}s\n        exp_samples: []"
        )
    series = "\n".join(f"      - series: '{s}'\n        values: '{v}'" for s, v in SERIES.items())
    (tmp_path / "rules.yaml").write_text("groups: []\n")
    (tmp_path / "test.yaml").write_text(
        "rule_files: [rules.yaml]\nevaluation_interval: 15s\ntests:\n"
        f"  - interval: {STEP_S}s\n    input_series:\n{series}\n    promql_expr_test:\n" + "\n".join(tests) + "\n"
    )
    assert PROMTOOL is not None
    done = subprocess.run(
        [PROMTOOL, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
