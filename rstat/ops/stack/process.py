"""Helpers for the processes the local stack starts: pid files, port probes, waiting for readiness."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

from rstat.errors import PortInUseError

__all__ = ["PidFile", "port_open", "require_free_port", "wait_until"]


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port nothing listens on now (for a private process of a bench or a test)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_free_port(port: int, what: str, setting: str) -> None:
    """Refuse to start ``what`` on a port another program already listens on; we report, we do not fight."""
    if port_open(port):
        raise PortInUseError(
            f"port {port} on 127.0.0.1 is already in use by another program, so {what} cannot start there; "
            f"stop that program or choose another port with {setting}"
        )


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    """Poll ``check`` until it returns true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class PidFile:
    """The pid of a process the stack started, with a marker that must appear in its command line.

    The marker guards against pid reuse: after a reboot the number in a stale file may belong to an
    unrelated process, which ``down`` must never signal.
    """

    def __init__(self, path: Path, marker: str) -> None:
        self.path = path
        self.marker = marker

    def write(self, pid: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n")

    def pid(self) -> int | None:
        """The live pid this file points at, or None when the file is missing or stale."""
        try:
            pid = int(self.path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return None
        if self.marker not in cmdline:
            return None
        with contextlib.suppress(FileNotFoundError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] == "Z":
                return None
        return pid

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM the process, SIGKILL it after ``timeout`` seconds; True when something was running."""
        pid = self.pid()
        if pid is None:
            self.path.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not wait_until(lambda: self.pid() is None, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: self.pid() is None, 10)
        self.path.unlink(missing_ok=True)
        return True
