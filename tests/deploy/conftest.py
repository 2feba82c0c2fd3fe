"""The deployment checks' tools: kustomize and kubeconform built from the Go module proxy by
tools/deploy-tools.sh into .rstat/tools (once; a minute on a fresh clone), promtool from Debian's package
(tools/ensure-prereqs.sh), and each overlay built once for every test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.support import K8S, OVERLAYS, ROOT, Doc, Tools, build, load_all


@pytest.fixture(scope="session")
def tools() -> Tools:
    done = subprocess.run([str(ROOT / "tools" / "deploy-tools.sh")], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"tools/deploy-tools.sh failed:\n{done.stdout}\n{done.stderr}")
    folder = ROOT / ".rstat" / "tools"
    return Tools(kustomize=folder / "kustomize", kubeconform=folder / "kubeconform", hclfmt=folder / "hclfmt")


@pytest.fixture(scope="session")
def promtool() -> Path:
    found = shutil.which("promtool") or ROOT / ".rstat" / "tools" / "promtool"
    if not Path(found).exists():
        pytest.fail("promtool is missing: make install runs tools/ensure-prereqs.sh, which extracts it")
    return Path(found)


@pytest.fixture(scope="session")
def built(tools: Tools) -> dict[str, str]:
    """Each overlay's `kustomize build` output."""
    out = {}
    for overlay in OVERLAYS:
        done = build(tools, K8S / "overlays" / overlay)
        assert done.returncode == 0, done.stderr
        out[overlay] = done.stdout
    return out


@pytest.fixture(scope="session")
def objects(built: dict[str, str]) -> dict[str, list[Doc]]:
    return {overlay: load_all(text) for overlay, text in built.items()}
