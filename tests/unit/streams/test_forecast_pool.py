"""A worker killed with -9 leaves no forecast process behind (each would wait on its task queue for ever)."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests.waiting import eventually

SCRIPT = r"""
import os, signal, sys
from streams.predictions_worker import forecast_pool

pool = forecast_pool(1)
child = pool.submit(os.getpid).result()
print(child, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the worker dies without a word: no shutdown of its pool
"""


def alive(pid: int) -> bool:
    """Running: a process that has ended but is not reaped yet (a zombie, if nothing reaps orphans) is not."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_forecast_processes_end_with_a_worker_killed_with_minus_9() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    child = int(done.stdout.split()[0])
    eventually(lambda: not alive(child), message=f"forecast process {child} to end after its worker was killed")
