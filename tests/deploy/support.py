"""What the deployment checks share: reading YAML as Kubernetes does, building overlays, running kubeconform,
and the checks themselves as functions that return their findings (so that each test can also prove, on a
broken copy, that its check finds what it should)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
OVERLAYS = ("dev", "prod")
#: the Kubernetes version the schemas are of (Kubespray's kube_version, README)
KUBERNETES_VERSION = "1.34.0"

#: kubeconform's file names of the vendored Kubernetes schemas
KUBERNETES_LAYOUT = (
    "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)

Doc = dict[str, Any]


class Loader(yaml.SafeLoader):
    """YAML as Kubernetes reads it: a bare ``=`` (kustomize writes ``matchType: =``) is the string "=", not
    PyYAML's YAML 1.1 "value" tag."""


Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def load_all(text: str) -> list[Doc]:
    return [doc for doc in yaml.load_all(text, Loader=Loader) if doc]


@dataclass(frozen=True)
class Tools:
    kustomize: Path
    kubeconform: Path
    hclfmt: Path


def build(tools: Tools, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tools.kustomize), "build", str(folder)], capture_output=True, text=True, check=False)


def kubeconform(tools: Tools, manifests: str) -> subprocess.CompletedProcess[str]:
    """kubeconform -strict against the vendored schemas only (no download: a kind without one is an error)."""
    return subprocess.run(
        [
            str(tools.kubeconform),
            "-strict",
            "-summary",
            "-kubernetes-version",
            KUBERNETES_VERSION,
            "-schema-location",
            str(SCHEMAS / "kubernetes") + "/" + KUBERNETES_LAYOUT,
            "-schema-location",
            str(SCHEMAS / "crds") + "/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
            "-",
        ],
        input=manifests,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_k8s(target: Path) -> Path:
    """A copy of k8s/ to break on purpose; returns the copy's k8s folder."""
    copy = target / "k8s"
    shutil.copytree(K8S, copy)
    return copy


def name_of(doc: Doc) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc.get('kind')}/{meta.get('namespace', '-')}/{meta.get('name')}"


def of_kind(docs: Iterable[Doc], *kinds: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") in kinds]


def find(docs: Iterable[Doc], kind: str, name: str) -> Doc:
    for doc in docs:
        if doc.get("kind") == kind and doc["metadata"]["name"] == name:
            return doc
    raise KeyError(f"no {kind} {name}")


# --- workloads -------------------------------------------------------------------------------------------------

WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet")


def pod_spec(doc: Doc) -> Doc:
    if doc["kind"] == "CronJob":
        return dict(doc["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return dict(doc["spec"]["template"]["spec"])


def pod_labels(doc: Doc) -> dict[str, str]:
    template = doc["spec"]["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else doc["spec"]["template"]
    return dict(template.get("metadata", {}).get("labels", {}))


def containers(doc: Doc) -> Iterator[tuple[str, Doc]]:
    spec = pod_spec(doc)
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or []:
            yield group, container


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# --- the policy of our own -------------------------------------------------------------------------------------

HTTP_APPS = {"rstat-identity": 8401, "rstat-admin": 8402, "rstat-public": 8403}
NO_PROBES = "rstat.io/no-probes"


def policy_findings(docs: list[Doc]) -> list[str]:
    """Every way the built objects break the rules we hold our manifests to; empty when they break none."""
    found: list[str] = []
    for doc in of_kind(docs, *WORKLOADS):
        where = name_of(doc)
        spec = pod_spec(doc)
        pod_security = spec.get("securityContext") or {}
        if pod_security.get("runAsNonRoot") is not True:
            found.append(f"{where}: the pod does not set securityContext.runAsNonRoot: true")
        if (pod_security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            found.append(f"{where}: the pod does not set seccompProfile RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            found.append(f"{where}: the pod mounts a service account token it does not need")
        for group, container in containers(doc):
            c = f"{where} {group[:-1]} {container['name']}"
            image = str(container.get("image", ""))
            if image.endswith(":latest") or ("@sha256:" not in image and ":" not in image.rsplit("/", 1)[-1]):
                found.append(f"{c}: image {image!r} is not pinned to a version (no tag, or latest)")
            resources = container.get("resources") or {}
            for kind in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in (resources.get(kind) or {}):
                        found.append(f"{c}: no resources.{kind}.{what}")
            security = container.get("securityContext") or {}
            if security.get("allowPrivilegeEscalation") is not False:
                found.append(f"{c}: allowPrivilegeEscalation is not false")
            if security.get("readOnlyRootFilesystem") is not True:
                found.append(f"{c}: readOnlyRootFilesystem is not true")
            if "ALL" not in ((security.get("capabilities") or {}).get("drop") or []):
                found.append(f"{c}: capabilities do not drop ALL")
            if security.get("privileged"):
                found.append(f"{c}: privileged")
            long_running = doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet") and group == "containers"
            exempt = NO_PROBES in (doc["metadata"].get("annotations") or {})
            if long_running and not exempt:
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe not in container:
                        found.append(f"{c}: no {probe}")
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] in HTTP_APPS:
            found += http_app_findings(doc, docs)
    for doc in of_kind(docs, "Secret"):
        if doc.get("data") or doc.get("stringData"):
            found.append(f"{name_of(doc)}: a plain Secret with data in the repository (seal it: SealedSecret)")
    found += service_findings(docs)
    return found


def http_app_findings(doc: Doc, docs: list[Doc]) -> list[str]:
    name, where = doc["metadata"]["name"], name_of(doc)
    found = []
    container = pod_spec(doc)["containers"][0]
    port = {p["name"]: p["containerPort"] for p in container.get("ports", [])}.get("http")
    if port != HTTP_APPS[name]:
        found.append(f"{where}: serves on {port}, not on its setting's port {HTTP_APPS[name]}")
    for probe in ("readinessProbe", "livenessProbe"):
        path = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
        if path != "/healthz":
            found.append(f"{where}: {probe} is not an HTTP GET of /healthz")
    hpas = [h for h in of_kind(docs, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == name]
    if not hpas:
        found.append(f"{where}: no HorizontalPodAutoscaler")
    labels = pod_labels(doc)
    if not [p for p in of_kind(docs, "PodDisruptionBudget") if selects(p["spec"]["selector"]["matchLabels"], labels)]:
        found.append(f"{where}: no PodDisruptionBudget")
    return found


def service_findings(docs: list[Doc]) -> list[str]:
    """Every Service selects pods of some workload, on a port those pods name."""
    found = []
    workloads = of_kind(docs, *WORKLOADS)
    for service in of_kind(docs, "Service"):
        selector = service["spec"].get("selector") or {}
        matching = [w for w in workloads if selects(selector, pod_labels(w))]
        if not matching:
            found.append(f"{name_of(service)}: selects no pods")
            continue
        named = {p.get("name") for w in matching for _g, c in containers(w) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            if isinstance(port.get("targetPort"), str) and port["targetPort"] not in named:
                found.append(f"{name_of(service)}: target port {port['targetPort']} is no port of its pods")
    return found


# --- settings ----------------------------------------------------------------------------------------------------


def process_environments(docs: list[Doc]) -> dict[str, dict[str, str]]:
    """Per R-Stat container, the RSTAT__ variables it gets (ConfigMap values, literal values, and a stand-in
    for values from secrets and fields)."""
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in of_kind(docs, "ConfigMap")}
    found: dict[str, dict[str, str]] = {}
    for doc in of_kind(docs, *WORKLOADS):
        for group, container in containers(doc):
            if not str(container.get("image", "")).startswith("ghcr.io/rstat/rstat"):
                continue
            env: dict[str, str] = {}
            for source in container.get("envFrom") or []:
                env.update(configmaps.get(source.get("configMapRef", {}).get("name"), {}))
            for var in container.get("env") or []:
                env[var["name"]] = str(var["value"]) if "value" in var else "from-a-secret"
            found[f"{name_of(doc)} {group[:-1]} {container['name']}"] = {
                k: v for k, v in env.items() if k.startswith("RSTAT__")
            }
    return found


def settings_findings(docs: list[Doc]) -> list[str]:
    """Each R-Stat container's settings load (rstat.settings.load_settings refuses unknown names and values of
    the wrong type, so a process would stop at start)."""
    from rstat.settings import SettingsError, load_settings

    found = []
    for where, env in process_environments(docs).items():
        try:
            load_settings(env)
        except SettingsError as exc:
            found.append(f"{where}: {exc}")
    return found


def rstat_sections(text: str) -> set[str]:
    return set(re.findall(r"RSTAT__([A-Z]+)__", text))


# --- Kafka topics and the publication against the code --------------------------------------------------------

MIGRATIONS = ROOT / "schemas" / "sql"


def public_tables() -> dict[str, list[str]]:
    """The tables the migrations create in the public schema, with their columns in order (CREATE TABLE and
    ALTER TABLE ... ADD COLUMN)."""
    text = "\n".join(f.read_text() for f in sorted(MIGRATIONS.glob("*.sql")))
    tables: dict[str, list[str]] = {}
    for match in re.finditer(r"^CREATE TABLE ([a-z_]+) \((.*?)^\);", text, re.M | re.S):
        columns = []
        for line in match.group(2).splitlines():
            word = (line.split() or [""])[0]
            if re.fullmatch(r"[a-z_]+", word) and word not in ("primary", "unique", "check", "foreign", "constraint"):
                columns.append(word)
        tables[match.group(1)] = columns
    for table, column in re.findall(
        r"ALTER TABLE (?:public\.)?([a-z_]+)\s+ADD COLUMN (?:IF NOT EXISTS )?([a-z_]+)", text
    ):
        if table in tables:
            tables[table].append(column)
    return tables


def expected_topics(partitions: dict[str, int]) -> dict[str, tuple[int, bool]]:
    """Every topic the code creates or reads, with its partitions and whether it is compacted: the CDC reader's
    per-table topics and schema registry (cdc/publisher.py) and the stream processor's topology
    (streams/topology.py), with the partition counts the ConfigMap gives them."""
    from cdc.config import CdcConfig
    from streams.config import StreamsConfig
    from streams.topology import CdcTopics, Topology

    cdc = CdcConfig(partitions=partitions["cdc"])
    streams = StreamsConfig(partitions=partitions["streams"])
    topics = {
        cdc.topic_prefix + table: (cdc.partitions, False)
        for table in public_tables()
        if table not in cdc.exclude_tables
    }
    topology = Topology(
        streams, CdcTopics(prefix=cdc.topic_prefix, schema_topic=cdc.schema_topic, partitions=cdc.partitions)
    )
    for topic, (count, config) in topology.to_create().items():
        topics[topic] = (count, config.get("cleanup.policy") == "compact")
    return topics


def kafka_findings(docs: list[Doc]) -> list[str]:
    env = find(docs, "ConfigMap", "rstat-env")["data"]
    partitions = {"cdc": int(env["RSTAT__CDC__PARTITIONS"]), "streams": int(env["RSTAT__STREAMS__PARTITIONS"])}
    replication = int(env["RSTAT__STREAMS__REPLICATION_FACTOR"])
    declared = {}
    found = []
    for doc in of_kind(docs, "KafkaTopic"):
        spec = doc["spec"]
        topic = spec.get("topicName", doc["metadata"]["name"])
        declared[topic] = (int(spec["partitions"]), spec.get("config", {}).get("cleanup.policy") == "compact")
        if int(spec["replicas"]) < replication:
            found.append(f"topic {topic}: {spec['replicas']} replicas, fewer than the streams replication factor")
    expected = expected_topics(partitions)
    for topic in sorted(set(expected) - set(declared)):
        found.append(f"topic {topic}: the code uses it, no KafkaTopic declares it")
    for topic in sorted(set(declared) - set(expected)):
        found.append(f"topic {topic}: declared, but no code uses it")
    for topic in sorted(set(expected) & set(declared)):
        (want_p, want_c), (got_p, got_c) = expected[topic], declared[topic]
        if want_p != got_p:
            found.append(f"topic {topic}: {got_p} partitions declared, the code makes {want_p}")
        if want_c != got_c:
            found.append(f"topic {topic}: {'compacted' if got_c else 'not compacted'}, the code says otherwise")
    return found


def kafka_user_findings(docs: list[Doc]) -> list[str]:
    """The consumer groups of the settings are the ones the users' ACLs name."""
    from audit.config import AuditConfig
    from notify.config import TelegramConfig
    from streams.config import StreamsConfig

    groups = {
        "rstat-audit": AuditConfig().group,
        "rstat-telegram": TelegramConfig().consumer_group,
        "rstat-streams": StreamsConfig().app_id + "-",
    }
    found = []
    users = {d["metadata"]["name"]: d for d in of_kind(docs, "KafkaUser")}
    for user, group in groups.items():
        if user not in users:
            found.append(f"no KafkaUser {user}")
            continue
        named = [a["resource"].get("name", "") for a in users[user]["spec"]["authorization"]["acls"]]
        named_groups = [
            a["resource"].get("name", "")
            for a in users[user]["spec"]["authorization"]["acls"]
            if a["resource"]["type"] == "group"
        ]
        if not any(group.startswith(n) for n in named_groups):
            found.append(f"KafkaUser {user}: no ACL for its consumer group {group} (has {named})")
    return found


def publication_findings(docs: list[Doc]) -> list[str]:
    """The declared publication is what the CDC reader sets (cdc/slot.py): every table of the public schema
    but the excluded ones, with column lists without the excluded columns."""
    from cdc.config import CdcConfig

    cdc = CdcConfig()
    publication = find(docs, "Publication", "rstat-pub")["spec"]
    found = []
    if publication["name"] != cdc.publication:
        found.append(f"publication {publication['name']}: the reader reads {cdc.publication}")
    declared = {o["table"]["name"]: o["table"].get("columns") for o in publication["target"]["objects"]}
    tables = {t: c for t, c in public_tables().items() if t not in cdc.exclude_tables}
    for table in sorted(set(tables) - set(declared)):
        found.append(f"publication: table {table} is missing")
    for table in sorted(set(declared) - set(tables)):
        found.append(f"publication: table {table} is not one the reader captures")
    for table in sorted(set(tables) & set(declared)):
        excluded = cdc.exclude_columns.get(table)
        want = [c for c in tables[table] if c not in excluded] if excluded else None
        if declared[table] != want:
            found.append(f"publication: table {table} columns {declared[table]}, the reader sends {want}")
    return found


def patch_findings(tools: Tools, overlay: Path) -> list[str]:
    """Each targeted patch of an overlay matches an object of what the overlay builds on."""
    kustomization = load_all((overlay / "kustomization.yaml").read_text())[0]
    bases = [overlay / r for r in kustomization.get("resources", []) if (overlay / r).is_dir()]
    docs = [d for base in bases for d in load_all(build(tools, base).stdout)]
    found = []
    for patch in kustomization.get("patches", []):
        target = patch.get("target")
        if not target:
            continue
        matching = [
            d
            for d in docs
            if d["kind"] == target.get("kind", d["kind"])
            and re.fullmatch(target.get("name", ".*"), d["metadata"]["name"])
        ]
        if not matching:
            found.append(
                f"overlays/{overlay.name}: the patch of {target.get('kind', 'any kind')} "
                f"{target.get('name', '(any name)')} matches no object"
            )
    return found
