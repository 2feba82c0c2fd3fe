"""Vendor the JSON schemas the deployment checks validate against (tests/deploy/schemas/), for the kinds the
overlays use and nothing more.

- Kubernetes: the OpenAPI-derived schemas the ``kubernetes-validate`` wheel (PyPI) bundles per Kubernetes
  version; each kind used is written standalone (the definitions it reaches copied under ``$defs``), in
  kubeconform's layout ``kubernetes/<version>-standalone-strict/<kind>-<group>-<version>.json``.
- Custom resources: the ``openAPIV3Schema`` of the CRDs of the operator versions k8s/ pins, converted to
  JSON schema (properties closed with ``additionalProperties: false`` unless the CRD preserves unknown
  fields, ``x-kubernetes-int-or-string`` as string-or-integer, ``nullable`` as a null type; descriptions,
  formats and CEL rules left out), in ``crds/<group>/<kind>_<version>.json``.

Maintenance only: the schemas are committed, and tests/deploy never runs this. It needs the network of a
machine that reaches PyPI and the Go module proxy, and local clones (``--mirror``) of the repositories
that publish no Go module (Strimzi is Java; the Go proxy refuses CloudNativePG's and Altinity's modules).
Run ``python tools/vendor_k8s_schemas.py --help``; PROVENANCE.md is written beside the schemas.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "deploy" / "schemas"
OVERLAYS = ("k8s/overlays/dev", "k8s/overlays/prod")
KUBERNETES_VERSION = "v1.34.0"
KUBERNETES_VALIDATE = "kubernetes-validate==1.37.0"

Json = dict[str, Any]


class Loader(yaml.SafeLoader):
    """YAML as Kubernetes reads it: a bare ``=`` (kustomize writes ``matchType: =``) is a string, not PyYAML's
    YAML 1.1 "value" tag."""


Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CrdSource:
    """Where one operator's CRDs come from: a Go module (``go``) or a tag of a repository clone (``git``)."""

    operator: str
    version: str
    origin: str  # "go" or "git"
    locator: str  # module path, or owner/name of the repository
    ref: str  # module version, or the tag
    paths: tuple[str, ...]


SOURCES = (
    CrdSource(
        "Strimzi",
        "1.2.0",
        "git",
        "strimzi/strimzi-kafka-operator",
        "1.2.0",
        (
            "packaging/install/cluster-operator/040-Crd-kafka.yaml",
            "packaging/install/cluster-operator/043-Crd-kafkatopic.yaml",
            "packaging/install/cluster-operator/044-Crd-kafkauser.yaml",
            "packaging/install/cluster-operator/045-Crd-kafkanodepool.yaml",
        ),
    ),
    CrdSource(
        "CloudNativePG",
        "1.30.0 (chart cloudnative-pg 0.29.0)",
        "git",
        "cloudnative-pg/cloudnative-pg",
        "v1.30.0",
        (
            "config/crd/bases/postgresql.cnpg.io_clusters.yaml",
            "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml",
            "config/crd/bases/postgresql.cnpg.io_publications.yaml",
        ),
    ),
    CrdSource(
        "Altinity ClickHouse operator",
        "0.25.6",
        "git",
        "Altinity/clickhouse-operator",
        "release-0.25.6",
        ("deploy/operator/parts/crd.yaml",),
    ),
    CrdSource(
        "cert-manager",
        "v1.21.2",
        "go",
        "github.com/cert-manager/cert-manager",
        "v1.21.2",
        (
            "deploy/crds/cert-manager.io_certificates.yaml",
            "deploy/crds/cert-manager.io_clusterissuers.yaml",
            "deploy/crds/cert-manager.io_issuers.yaml",
        ),
    ),
    CrdSource(
        "Traefik",
        "v3.7.11 (chart traefik 41.3.0)",
        "git",
        "traefik/traefik-helm-chart",
        "v41.3.0",
        (
            "traefik/crds/traefik.io_ingressroutes.yaml",
            "traefik/crds/traefik.io_middlewares.yaml",
            "traefik/crds/traefik.io_tlsoptions.yaml",
        ),
    ),
    CrdSource(
        "prometheus-operator",
        "v0.93.1 (chart kube-prometheus-stack 88.5.3)",
        "git",
        "prometheus-community/helm-charts",
        "kube-prometheus-stack-88.5.3",
        (
            "charts/kube-prometheus-stack/charts/crds/crds/crd-podmonitors.yaml",
            "charts/kube-prometheus-stack/charts/crds/crds/crd-prometheusrules.yaml",
            "charts/kube-prometheus-stack/charts/crds/crds/crd-alertmanagerconfigs.yaml",
        ),
    ),
    CrdSource(
        "Sealed Secrets",
        "v0.40.0 (its chart sealed-secrets 2.19.3)",
        "go",
        "github.com/bitnami-labs/sealed-secrets",
        "v0.40.0",
        ("helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml",),
    ),
    CrdSource(
        "Argo CD",
        "v3.4.4 (chart argo-cd 10.1.1)",
        "go",
        "github.com/argoproj/argo-cd/v3",
        "v3.4.4",
        ("manifests/crds/application-crd.yaml", "manifests/crds/appproject-crd.yaml"),
    ),
)


# --- the kinds the overlays use -------------------------------------------------------------------------------


def used_kinds(kustomize: Path) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every object the overlays build to."""
    found: set[tuple[str, str]] = set()
    for overlay in OVERLAYS:
        built = subprocess.run(
            [str(kustomize), "build", str(ROOT / overlay)], capture_output=True, text=True, check=True
        )
        for doc in yaml.load_all(built.stdout, Loader=Loader):
            if doc:
                found.add((str(doc["apiVersion"]), str(doc["kind"])))
    return found


# --- Kubernetes -----------------------------------------------------------------------------------------------


def kubernetes_schemas(kinds: Iterable[tuple[str, str]], work: Path) -> list[str]:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(work), KUBERNETES_VALIDATE],
        check=True,
    )
    wheel = next(work.glob("kubernetes_validate-*.whl"))
    folder = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES_VERSION}-local-strict/"
    out = OUT / "kubernetes" / f"{KUBERNETES_VERSION}-standalone-strict"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with zipfile.ZipFile(wheel) as archive:
        definitions = json.loads(archive.read(folder + "_definitions.json"))["$defs"]
        for api_version, kind in sorted(kinds):
            group, _, version = api_version.rpartition("/")
            name = f"{kind.lower()}-{group.split('.')[0]}-{version}" if group else f"{kind.lower()}-{version}"
            try:
                schema = json.loads(archive.read(f"{folder}{name}.json"))
            except KeyError:
                continue  # not a Kubernetes kind: a custom resource
            (out / f"{name}.json").write_text(json.dumps(standalone(schema, definitions), sort_keys=True) + "\n")
            written.append(f"{api_version} {kind}")
    return written


def standalone(schema: Json, definitions: Json) -> Json:
    """The schema with every definition it reaches copied under ``$defs`` and its references made local."""
    wanted: dict[str, Json] = {}

    def walk(node: Any, names: bool = False) -> Any:
        if isinstance(node, dict):
            if names:  # the keys of "properties" are property names, not keywords
                return {k: walk(v) for k, v in node.items()}
            result = {
                k: walk(v, k in ("properties", "patternProperties")) for k, v in node.items() if k != "description"
            }
            ref = node.get("$ref")
            if isinstance(ref, str) and "#/$defs/" in ref:
                name = ref.rsplit("/", 1)[1]
                result["$ref"] = f"#/$defs/{name}"
                if name not in wanted:
                    wanted[name] = {}
                    wanted[name] = walk(definitions[name])
            return result
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    top = walk(schema)
    top["$defs"] = dict(sorted(wanted.items()))
    return dict(top)


# --- custom resources -----------------------------------------------------------------------------------------


def crd_documents(source: CrdSource, mirrors: dict[str, Path]) -> Iterable[Json]:
    for path in source.paths:
        if source.origin == "go":
            found = subprocess.run(
                ["go", "mod", "download", "-json", f"{source.locator}@{source.ref}"],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "GOFLAGS": "-mod=mod"},
            )
            text = (Path(json.loads(found.stdout)["Dir"]) / path).read_text()
        else:
            repo = mirrors.get(source.locator) or Path("/work/.mirror") / source.locator.replace("/", "+") / "repo"
            text = subprocess.run(
                ["git", "-C", str(repo), "show", f"{source.ref}:{path}"], capture_output=True, text=True, check=True
            ).stdout
        for doc in yaml.load_all(text, Loader=Loader):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                yield doc


def to_json_schema(node: Any) -> Any:
    """An OpenAPI v3 schema of a CRD as a strict JSON schema."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    skip = {"description", "format", "example", "externalDocs"}
    result: Json = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs", "definitions") and isinstance(value, dict):
            result[key] = {name: to_json_schema(sub) for name, sub in value.items()}  # names, not keywords
        elif key not in skip and not key.startswith("x-kubernetes"):
            result[key] = to_json_schema(value)
    if node.get("x-kubernetes-int-or-string"):
        result.pop("type", None)
        if "anyOf" not in result and "oneOf" not in result:
            result["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if node.get("nullable"):
        result.pop("nullable", None)
        if isinstance(result.get("type"), str):
            result["type"] = [result["type"], "null"]
    if (
        "properties" in result
        and "additionalProperties" not in result
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    return result


def crd_schemas(kinds: set[tuple[str, str]], mirrors: dict[str, Path]) -> list[tuple[CrdSource, str]]:
    written = []
    for source in SOURCES:
        for crd in crd_documents(source, mirrors):
            spec = crd["spec"]
            group, kind = spec["group"], spec["names"]["kind"]
            for version in spec["versions"]:
                if (f"{group}/{version['name']}", kind) not in kinds:
                    continue
                schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
                schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                converted = to_json_schema(schema)
                converted["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
                converted["properties"]["kind"] = {"type": "string", "enum": [kind]}
                folder = OUT / "crds" / group
                folder.mkdir(parents=True, exist_ok=True)
                name = f"{kind.lower()}_{version['name']}.json"
                (folder / name).write_text(json.dumps(converted, sort_keys=True) + "\n")
                written.append((source, f"{group}/{version['name']} {kind}"))
    return written


def provenance(kubernetes: list[str], crds: list[tuple[CrdSource, str]], commits: dict[str, str]) -> str:
    lines = [
        "# Where the vendored schemas come from",
        "",
        "Written by `tools/vendor_k8s_schemas.py`; only the kinds the overlays use. kubeconform validates every built",
        "object against them in `tests/deploy/test_kubernetes.py`.",
        "",
        f"## Kubernetes {KUBERNETES_VERSION} (`kubernetes/{KUBERNETES_VERSION}-standalone-strict/`)",
        "",
        f"From the PyPI package `{KUBERNETES_VALIDATE}`, folder",
        f"`kubernetes-json-schema/{KUBERNETES_VERSION}-local-strict/` (Kubernetes' OpenAPI as JSON schema, closed",
        "objects), each kind made standalone, descriptions left out:",
        "",
        *(f"- {k}" for k in kubernetes),
        "",
        "## Custom resources (`crds/<group>/<kind>_<version>.json`)",
        "",
        "Converted from each CRD's `openAPIV3Schema` (objects closed unless the CRD preserves unknown fields;",
        "descriptions, formats and CEL validation rules left out: the API server checks those, not this).",
        "",
        "| operator | version | source | kinds |",
        "|---|---|---|---|",
    ]
    for source in SOURCES:
        kinds = ", ".join(k for s, k in crds if s is source)
        where = (
            f"Go module `{source.locator}@{source.ref}` (Go module proxy)"
            if source.origin == "go"
            else f"GitHub `{source.locator}` at tag `{source.ref}` (commit {commits.get(source.locator, '?')[:12]})"
        )
        files = ", ".join(f"`{p}`" for p in source.paths)
        lines.append(f"| {source.operator} | {source.version} | {where}: {files} | {kinds} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vendor the Kubernetes and CRD JSON schemas of tests/deploy.")
    parser.add_argument("--kustomize", type=Path, default=ROOT / ".rstat" / "tools" / "kustomize")
    parser.add_argument(
        "--mirror",
        action="append",
        default=[],
        metavar="OWNER/NAME=PATH",
        help="a local clone of a repository of SOURCES (default: /work/.mirror/OWNER+NAME/repo)",
    )
    args = parser.parse_args(argv)
    mirrors = {k: Path(v) for k, _, v in (m.partition("=") for m in args.mirror)}
    kinds = used_kinds(args.kustomize)
    for stale in OUT.glob("**/*.json"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as work:
        kubernetes = kubernetes_schemas(kinds, Path(work))
    crds = crd_schemas(kinds, mirrors)
    commits = {
        s.locator: subprocess.run(
            ["git", "-C", str(mirrors.get(s.locator) or Path("/work/.mirror") / s.locator.replace("/", "+") / "repo"),
             "rev-parse", f"{s.ref}^{{commit}}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for s in SOURCES
        if s.origin == "git"
    }  # fmt: skip
    (OUT / "PROVENANCE.md").write_text(provenance(kubernetes, crds, commits))
    covered = set(kubernetes) | {k for _s, k in crds}
    missing = sorted(f"{a} {k}" for a, k in kinds if f"{a} {k}" not in covered)
    print(f"vendored {len(kubernetes)} Kubernetes and {len(crds)} custom resource schemas into {OUT}")
    if missing:
        print(f"no schema for: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
