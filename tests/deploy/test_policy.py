"""Rules of our own over the built objects: every container pinned, limited and locked down, every
long-running process probed, the HTTP apps autoscaled and protected against disruption, no plain secret,
every Service selecting pods; each R-Stat process's settings load as the process would load them; the
Kafka topics, users and the publication are the ones the code uses. Each rule is proven on a broken copy."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.deploy.support import (
    OVERLAYS,
    Doc,
    Tools,
    build,
    copy_k8s,
    find,
    kafka_findings,
    kafka_user_findings,
    load_all,
    policy_findings,
    publication_findings,
    settings_findings,
)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_policy(overlay: str, objects: dict[str, list[Doc]]) -> None:
    assert policy_findings(objects[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_settings_load(overlay: str, objects: dict[str, list[Doc]]) -> None:
    assert settings_findings(objects[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_are_the_code_s(overlay: str, objects: dict[str, list[Doc]]) -> None:
    assert kafka_findings(objects[overlay]) == []
    assert kafka_user_findings(objects[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_publication_is_the_reader_s(overlay: str, objects: dict[str, list[Doc]]) -> None:
    assert publication_findings(objects[overlay]) == []


def test_the_processes_are_shaped_as_they_must_run(objects: dict[str, list[Doc]]) -> None:
    for docs in objects.values():
        cdc = find(docs, "Deployment", "rstat-cdc")
        assert cdc["spec"]["replicas"] == 1
        assert cdc["spec"]["strategy"] == {"type": "Recreate"}  # one slot reader, never two
        streams = find(docs, "StatefulSet", "rstat-streams")
        data_dir = find(docs, "ConfigMap", "rstat-env")["data"]["RSTAT__STREAMS__DATA_DIR"]
        mounts = {
            m["name"]: m["mountPath"] for m in streams["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        }
        assert [t["metadata"]["name"] for t in streams["spec"]["volumeClaimTemplates"]] == ["rocksdb"]
        assert mounts["rocksdb"] == data_dir
        partitions = int(find(docs, "ConfigMap", "rstat-env")["data"]["RSTAT__STREAMS__PARTITIONS"])
        assert 1 <= streams["spec"]["replicas"] <= partitions
        migrate = find(docs, "Job", "rstat-migrate")
        assert migrate["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        assert migrate["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "Sync"
        waves = {
            d["metadata"]["name"]: int(d["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", 0))
            for d in docs
            if d["kind"] in ("Deployment", "StatefulSet", "Job")
        }
        assert all(
            waves[name] > waves["rstat-migrate"]
            for name in waves
            if name.startswith("rstat-") and name not in ("rstat-migrate", "rstat-clickhouse-init")
        )


def prod(objects: dict[str, list[Doc]]) -> list[Doc]:
    return copy.deepcopy(objects["prod"])


def test_policy_finds_a_container_without_limits(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    del find(docs, "Deployment", "rstat-public")["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert policy_findings(docs) == [
        "Deployment/rstat/rstat-public container public: no resources.limits.cpu",
        "Deployment/rstat/rstat-public container public: no resources.limits.memory",
    ]


def test_policy_finds_a_latest_tag_and_an_untagged_image(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    find(docs, "Deployment", "rstat-admin")["spec"]["template"]["spec"]["containers"][0]["image"] = (
        "ghcr.io/rstat/rstat:latest"
    )
    find(docs, "CronJob", "rstat-pg-dump")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
        "image"
    ] = "amazon/aws-cli"
    unpinned = "is not pinned to a version (no tag, or latest)"
    assert sorted(policy_findings(docs)) == [
        f"CronJob/rstat/rstat-pg-dump container upload: image 'amazon/aws-cli' {unpinned}",
        f"Deployment/rstat/rstat-admin container admin: image 'ghcr.io/rstat/rstat:latest' {unpinned}",
    ]


def test_policy_finds_a_deployment_without_probes(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    container = find(docs, "Deployment", "rstat-identity")["spec"]["template"]["spec"]["containers"][0]
    del container["livenessProbe"]
    container["readinessProbe"] = {"tcpSocket": {"port": "http"}}
    del find(docs, "Deployment", "rstat-cdc")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert policy_findings(docs) == [
        "Deployment/rstat/rstat-cdc container cdc: no readinessProbe",
        "Deployment/rstat/rstat-identity container identity: no livenessProbe",
        "Deployment/rstat/rstat-identity: readinessProbe is not an HTTP GET of /healthz",
        "Deployment/rstat/rstat-identity: livenessProbe is not an HTTP GET of /healthz",
    ]


def test_policy_finds_a_loose_security_context(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    spec = find(docs, "StatefulSet", "rstat-streams")["spec"]["template"]["spec"]
    spec["securityContext"]["runAsNonRoot"] = False
    security = spec["containers"][0]["securityContext"]
    security["readOnlyRootFilesystem"] = False
    security["allowPrivilegeEscalation"] = True
    security["capabilities"] = {"drop": ["NET_RAW"]}
    assert policy_findings(docs) == [
        "StatefulSet/rstat/rstat-streams: the pod does not set securityContext.runAsNonRoot: true",
        "StatefulSet/rstat/rstat-streams container streams: allowPrivilegeEscalation is not false",
        "StatefulSet/rstat/rstat-streams container streams: readOnlyRootFilesystem is not true",
        "StatefulSet/rstat/rstat-streams container streams: capabilities do not drop ALL",
    ]


def test_policy_finds_an_app_without_autoscaler_or_disruption_budget(objects: dict[str, list[Doc]]) -> None:
    docs = [
        d
        for d in prod(objects)
        if not (
            d["kind"] in ("HorizontalPodAutoscaler", "PodDisruptionBudget") and d["metadata"]["name"] == "rstat-admin"
        )
    ]
    assert policy_findings(docs) == [
        "Deployment/rstat/rstat-admin: no HorizontalPodAutoscaler",
        "Deployment/rstat/rstat-admin: no PodDisruptionBudget",
    ]


def test_policy_finds_a_plain_secret_and_a_service_that_selects_nothing(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "oops", "namespace": "rstat"},
            "stringData": {"k": "v"},
        }
    )
    find(docs, "Service", "rstat-audit")["spec"]["selector"]["app.kubernetes.io/component"] = "auditor"
    assert policy_findings(docs) == [
        "Secret/rstat/oops: a plain Secret with data in the repository (seal it: SealedSecret)",
        "Service/rstat/rstat-audit: selects no pods",
    ]


def test_settings_check_finds_a_typo(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    env = find(docs, "ConfigMap", "rstat-env")["data"]
    env["RSTAT__STREAMS__METRIC_HOST"] = env.pop("RSTAT__STREAMS__METRICS_HOST")
    found = settings_findings(docs)
    assert len(found) == 9  # every R-Stat container reads the ConfigMap
    assert any(
        f.startswith("Deployment/rstat/rstat-cdc container cdc: RSTAT__STREAMS__METRIC_HOST: unknown key 'metric_host'")
        for f in found
    )


def test_settings_check_finds_a_setting_the_process_refuses(objects: dict[str, list[Doc]]) -> None:
    """The audit writer refuses to listen beyond loopback without a password (audit/config.py)."""
    docs = prod(objects)
    env = find(docs, "Deployment", "rstat-audit")["spec"]["template"]["spec"]["containers"][0]["env"]
    env[:] = [v for v in env if v["name"] != "RSTAT__AUDIT__PASSWORD"]
    found = settings_findings(docs)
    assert len(found) == 1
    assert found[0].startswith("Deployment/rstat/rstat-audit container audit: invalid setting: audit.host '0.0.0.0'")
    assert "set RSTAT__AUDIT__PASSWORD" in found[0]


def test_topic_check_finds_a_missing_topic_and_wrong_partitions(objects: dict[str, list[Doc]]) -> None:
    docs = [
        d
        for d in prod(objects)
        if not (d["kind"] == "KafkaTopic" and d["metadata"]["name"] == "rstat.cdc.match-events")
    ]
    find(docs, "KafkaTopic", "rstat.stats.standings")["spec"]["partitions"] = 6
    find(docs, "KafkaTopic", "rstat.schemas")["spec"]["config"]["cleanup.policy"] = "delete"
    assert kafka_findings(docs) == [
        "topic rstat.cdc.match_events: the code uses it, no KafkaTopic declares it",
        "topic rstat.schemas: not compacted, the code says otherwise",
        "topic rstat.stats.standings: 6 partitions declared, the code makes 3",
    ]


def test_publication_check_finds_a_leaked_column_and_a_missing_table(objects: dict[str, list[Doc]]) -> None:
    docs = prod(objects)
    objects_ = find(docs, "Publication", "rstat-pub")["spec"]["target"]["objects"]
    users = next(o for o in objects_ if o["table"]["name"] == "users")
    users["table"]["columns"] = [*users["table"]["columns"], "password_hash"]
    objects_[:] = [o for o in objects_ if o["table"]["name"] != "lineups"]
    assert publication_findings(docs) == [
        "publication: table lineups is missing",
        "publication: table users columns ['id', 'email', 'display_name', 'is_active', 'created_at', 'password_hash'], "
        "the reader sends ['id', 'email', 'display_name', 'is_active', 'created_at']",
    ]


def test_the_checks_run_on_files_too(tools: Tools, tmp_path: Path) -> None:
    """The same rules on a copy of the files, broken in its YAML (not only in parsed objects)."""
    k8s = copy_k8s(tmp_path)
    path = k8s / "base" / "rstat" / "scheduler.yaml"
    path.write_text(path.read_text().replace("            memory: 1Gi\n", "", 1))
    done = build(tools, k8s / "overlays" / "dev")
    assert policy_findings(load_all(done.stdout)) == [
        "Deployment/rstat/rstat-scheduler container scheduler: no resources.limits.memory"
    ]
