"""The admin handlers' injected parameters, named explicitly (Litestar 3 drops inferred dependencies):
``principal`` (the authenticated caller, set by the app's guard) and ``db``."""

from __future__ import annotations

from litestar.di import NamedDependency

from api.auth import Principal
from api.db import Database

__all__ = ["Caller", "Db"]

Caller = NamedDependency[Principal]
Db = NamedDependency[Database]
