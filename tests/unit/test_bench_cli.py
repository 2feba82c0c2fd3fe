"""The bench command's output contract (figures are measured, never asserted: machines are noisy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RSTAT = str(Path(sys.executable).parent / "rstat")


def test_bench_sports_prints_one_json_object_with_the_figures() -> None:
    result = subprocess.run(
        [RSTAT, "bench", "sports", "--json"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["part"] == "sports"
    assert isinstance(report["table_20x380_ms"], float)
    assert report["table_20x380_ms"] > 0
    assert report["schedule_32_double_ms"] > 0
