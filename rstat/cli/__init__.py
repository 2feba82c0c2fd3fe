"""The ``rstat`` command: one module per command group, ``main`` parses and dispatches."""

from __future__ import annotations

from rstat.cli.main import main

__all__ = ["main"]
