"""``rstat up``: run every process of the project side by side, prefix their output, stop them together.

Each child runs in its own process group so a Ctrl-C reaches it through us, once, and we can escalate to
SIGKILL for a child that does not stop in time. A child that dies ends the whole run with its exit code:
a half-running pipeline would look alive while statistics silently stop.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

import msgspec

__all__ = ["ProcessSpec", "Supervisor"]


class ProcessSpec(msgspec.Struct, frozen=True):
    name: str
    argv: list[str]


class Supervisor:
    def __init__(self, specs: Sequence[ProcessSpec], stop_timeout: float = 20.0) -> None:
        self.specs = list(specs)
        self.stop_timeout = stop_timeout
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = False

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if not self._stopping:
            self._emit("rstat", f"received {signal.Signals(signum).name}, stopping every process")
        self._stopping = True

    def _emit(self, name: str, line: str) -> None:
        width = max([len(s.name) for s in self.specs] + [5])
        sys.stdout.write(f"{name:<{width}} | {line}\n")
        sys.stdout.flush()

    def run(self) -> int:
        """Start everything and block until a signal or a child's exit; returns the exit code."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        sel = selectors.DefaultSelector()
        for spec in self.specs:
            proc = subprocess.Popen(
                spec.argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            self.procs[spec.name] = proc
            assert proc.stdout is not None
            os.set_blocking(proc.stdout.fileno(), False)
            sel.register(proc.stdout, selectors.EVENT_READ, spec.name)
            self._emit("rstat", f"started {spec.name} (pid {proc.pid}): {' '.join(spec.argv)}")
        if not self.specs:
            self._emit("rstat", "no processes to run yet; the stack is up. Ctrl-C to leave.")
        self._emit("rstat", "everything is up; Ctrl-C stops it")
        code = 0
        buffers: dict[str, bytes] = {}
        while not self._stopping:
            for key, _ in sel.select(timeout=0.5):
                name = str(key.data)
                chunk = key.fileobj.read()  # type: ignore[union-attr]
                if chunk:
                    data = buffers.get(name, b"") + chunk
                    *lines, buffers[name] = data.split(b"\n")
                    for line in lines:
                        self._emit(name, line.decode(errors="replace"))
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    self._emit("rstat", f"{name} exited with code {proc.returncode}; stopping the others")
                    code = proc.returncode or 1
                    self._stopping = True
                    break
        self._stop_all()
        return code

    def _stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._emit("rstat", f"{name} did not stop within {self.stop_timeout:.0f} s; killing it")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self._emit("rstat", f"{name} stopped (exit {proc.returncode})")
