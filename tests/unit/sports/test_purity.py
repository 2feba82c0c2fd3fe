"""``sports/`` imports nothing but the standard library, msgspec and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import sports

ALLOWED = {"msgspec", "sports", "__future__"}
#: standard modules that do I/O or read the clock: rules must not depend on them
FORBIDDEN = {
    "os",
    "io",
    "pathlib",
    "shutil",
    "socket",
    "subprocess",
    "asyncio",
    "urllib",
    "http",
    "sqlite3",
    "time",
    "logging",
    "tempfile",
    "glob",
    "threading",
    "multiprocessing",
}


def test_sports_imports_only_stdlib_and_msgspec() -> None:
    offenders = []
    for path in Path(sports.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            for name in names:
                top = name.split(".")[0]
                if top in FORBIDDEN or (top not in ALLOWED and top not in sys.stdlib_module_names):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
