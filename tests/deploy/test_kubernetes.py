"""Every overlay builds with kustomize, and every object it builds validates with kubeconform (strict: no
unknown field, no duplicate key) against the vendored schemas of Kubernetes 1.34 and of the pinned operators'
CRDs (schemas/PROVENANCE.md); a kind without a vendored schema is an error, not a skip."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.deploy.support import K8S, OVERLAYS, Doc, Tools, build, copy_k8s, kubeconform, load_all, patch_findings


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds(overlay: str, objects: dict[str, list[Doc]]) -> None:
    docs = objects[overlay]
    kinds = Counter(str(d["kind"]) for d in docs)
    print(f"{overlay}: {len(docs)} objects: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    assert len(docs) > 100
    names = Counter((d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs)
    assert [n for n, c in names.items() if c > 1] == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_validates(overlay: str, tools: Tools, built: dict[str, str]) -> None:
    done = kubeconform(tools, built[overlay])
    print(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(
        r"(\d+) resources found.*Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)", done.stdout
    )
    assert summary is not None, done.stdout
    found, valid, invalid, errors, skipped = map(int, summary.groups())
    assert (found, invalid, errors, skipped) == (len(load_all(built[overlay])), 0, 0, 0)
    assert valid == found


def break_file(k8s: Path, relative: str, old: str, new: str) -> None:
    path = k8s / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def test_a_broken_custom_resource_fails(tools: Tools, tmp_path: Path) -> None:
    k8s = copy_k8s(tmp_path)
    break_file(k8s, "base/rstat/postgres.yaml", "  instances: 3\n", "  instancez: 3\n")
    break_file(k8s, "base/rstat/kafka-topics.yaml", "  partitions: 3\n", "  partitions: three\n")
    done = build(tools, k8s / "overlays" / "prod")
    assert done.returncode == 0, done.stderr
    checked = kubeconform(tools, done.stdout)
    assert checked.returncode != 0
    assert "Cluster rstat-pg is invalid" in checked.stdout
    assert "additional properties 'instancez' not allowed" in checked.stdout
    assert "missing property 'instances'" in checked.stdout
    assert re.search(r"KafkaTopic \S+ is invalid.*at '/spec/partitions': got string, want integer", checked.stdout)
    assert "Invalid: 2," in checked.stdout


def test_a_broken_kubernetes_object_fails(tools: Tools, tmp_path: Path) -> None:
    k8s = copy_k8s(tmp_path)
    break_file(
        k8s,
        "base/rstat/streams.yaml",
        "  podManagementPolicy: Parallel\n",
        "  podManagementPolicy: Parallel\n  replica: 2\n",
    )
    break_file(k8s, "base/rstat/public.yaml", "          periodSeconds: 5\n", "          periodSeconds: often\n")
    done = build(tools, k8s / "overlays" / "dev")
    checked = kubeconform(tools, done.stdout)
    assert checked.returncode != 0
    assert "StatefulSet rstat-streams is invalid" in checked.stdout
    assert "additional properties 'replica' not allowed" in checked.stdout
    assert "Deployment rstat-public is invalid" in checked.stdout
    assert re.search(r"periodSeconds': got string, want (null or )?integer", checked.stdout)


def test_a_kind_without_a_vendored_schema_fails(tools: Tools, tmp_path: Path) -> None:
    k8s = copy_k8s(tmp_path)
    (k8s / "base" / "rstat" / "extra.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: stray\nspec: {}\n"
    )
    break_file(k8s, "base/rstat/kustomization.yaml", "  - namespace.yaml\n", "  - namespace.yaml\n  - extra.yaml\n")
    done = build(tools, k8s / "overlays" / "prod")
    checked = kubeconform(tools, done.stdout)
    assert checked.returncode != 0
    assert "Ingress stray failed validation: could not find schema for Ingress" in checked.stdout


def test_a_broken_overlay_does_not_build(tools: Tools, tmp_path: Path) -> None:
    k8s = copy_k8s(tmp_path)
    (k8s / "base" / "rstat" / "cdc.yaml").unlink()
    done = build(tools, k8s / "overlays" / "dev")
    assert done.returncode != 0
    assert "cdc.yaml" in done.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_patch_of_an_overlay_changes_something(overlay: str, tools: Tools) -> None:
    assert patch_findings(tools, K8S / "overlays" / overlay) == []


def test_a_patch_that_matches_nothing_is_found(tools: Tools, tmp_path: Path) -> None:
    """kustomize applies a patch whose target matches no object to nothing, silently: a renamed object
    would leave production on the base's values. The check finds such a patch."""
    k8s = copy_k8s(tmp_path)
    break_file(k8s, "overlays/prod/kustomization.yaml", "      name: rstat-public\n", "      name: rstat-publik\n")
    assert build(tools, k8s / "overlays" / "prod").returncode == 0  # kustomize itself says nothing
    assert patch_findings(tools, k8s / "overlays" / "prod") == [
        "overlays/prod: the patch of HorizontalPodAutoscaler rstat-publik matches no object"
    ]
