"""Exceptions of the composition root; each carries a message meant for the person at the terminal."""

from __future__ import annotations

__all__ = ["MigrationError", "MissingPrerequisiteError", "PortInUseError", "RStatError", "StackError"]


class RStatError(Exception):
    """Root of the errors the CLI reports as one line and a non-zero exit."""


class StackError(RStatError):
    """A local service could not be prepared, started, checked or stopped."""


class MissingPrerequisiteError(StackError):
    """A program the stack needs is not installed; the message says what to install."""


class PortInUseError(StackError):
    """A port the stack wants is held by a process the stack did not start."""


class MigrationError(RStatError):
    """A migration failed or an applied migration file was changed afterwards."""
