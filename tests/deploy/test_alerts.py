"""The alert rules pass `promtool check rules` and their unit tests (`promtool test rules`,
promtool/alerts_test.yaml); they, the operations page's panels and the Grafana dashboard name only metrics
the processes export; the dashboard is the one generated from the panels; Prometheus scrapes every job the
panels name. Each check is proven to fail on a broken copy."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.deploy.support import K8S, ROOT, Doc, find, load_all, of_kind

ALERTS = K8S / "base" / "rstat" / "alerts.yaml"
UNIT_TESTS = Path(__file__).resolve().parent / "promtool" / "alerts_test.yaml"
QUERIES = ROOT / "deploy" / "metrics" / "queries.json"
DASHBOARD = K8S / "base" / "platform" / "dashboards" / "rstat-operations.json"
#: where the processes define their metrics (prometheus_client)
METRIC_SOURCES = ("cdc", "streams", "audit", "api", "notify", "crawlers")


def rules_of(alerts: Path) -> dict[str, object]:
    rule = next(d for d in load_all(alerts.read_text()) if d["kind"] == "PrometheusRule")
    return {"groups": rule["spec"]["groups"]}


def promtool_run(
    promtool: Path, folder: Path, alerts: Path = ALERTS, tests: Path = UNIT_TESTS
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """(check rules, test rules) of the PrometheusRule in ``alerts`` written as a rules file in ``folder``."""
    (folder / "rules.yaml").write_text(yaml.safe_dump(rules_of(alerts), sort_keys=False))
    shutil.copy(tests, folder / "alerts_test.yaml")
    check = subprocess.run(
        [str(promtool), "check", "rules", "rules.yaml"], cwd=folder, capture_output=True, text=True, check=False
    )
    test = subprocess.run(
        [str(promtool), "test", "rules", "alerts_test.yaml"], cwd=folder, capture_output=True, text=True, check=False
    )
    return check, test


def test_rules_pass_promtool(promtool: Path, tmp_path: Path) -> None:
    check, test = promtool_run(promtool, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 25 rules found" in check.stdout
    assert test.returncode == 0, test.stdout + test.stderr
    assert "SUCCESS" in test.stdout


def test_every_alert_has_a_unit_test() -> None:
    alerts = {r["alert"] for g in rules_of(ALERTS)["groups"] for r in g["rules"]}  # type: ignore[attr-defined]
    tested = set(re.findall(r"alertname: (\w+)", UNIT_TESTS.read_text()))
    assert sorted(alerts - tested) == []
    fired = yaml.safe_load(UNIT_TESTS.read_text())
    firing = {t["alertname"] for case in fired["tests"] for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert sorted(alerts - firing) == []  # each one is seen firing, not only quiet


def test_a_broken_rule_fails_the_check(promtool: Path, tmp_path: Path) -> None:
    broken = tmp_path / "alerts.yaml"
    broken.write_text(
        ALERTS.read_text().replace("max(rstat_cdc_slot_lag_seconds) > 60", "max(rstat_cdc_slot_lag_seconds) >> 60")
    )
    check, _test = promtool_run(promtool, tmp_path, alerts=broken)
    assert check.returncode != 0
    assert "parse error" in check.stdout + check.stderr


def test_a_changed_threshold_fails_the_unit_tests(promtool: Path, tmp_path: Path) -> None:
    broken = tmp_path / "alerts.yaml"
    broken.write_text(
        ALERTS.read_text().replace(
            "max(rstat_cdc_slot_lag_bytes) > 1073741824", "max(rstat_cdc_slot_lag_bytes) > 4294967296"
        )
    )
    check, test = promtool_run(promtool, tmp_path, alerts=broken)
    assert check.returncode == 0
    assert test.returncode != 0
    assert "alertname: RStatSlotLagBytes, time: 17m" in test.stdout + test.stderr


def exported_metrics() -> set[str]:
    """The metric names the processes define: string literals ``rstat_...`` in the modules that use
    prometheus_client."""
    names: set[str] = set()
    for folder in METRIC_SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if "prometheus_client" in text:
                names |= set(re.findall(r"\"(rstat_[a-z0-9_]+)\"", text))
    return names


def used_metrics(text: str) -> set[str]:
    """R-Stat's metric names an expression uses, without the histogram's series suffixes."""
    return {re.sub(r"_(bucket|count|sum)$", "", m) for m in re.findall(r"(?<![\"\w])rstat_[a-z0-9_]+", text)}


def unknown_metrics(texts: dict[str, str], exported: set[str]) -> list[str]:
    return sorted(f"{where}: {name}" for where, text in texts.items() for name in used_metrics(text) - exported)


def metric_texts() -> dict[str, str]:
    exprs = [r["expr"] for g in rules_of(ALERTS)["groups"] for r in g["rules"]]  # type: ignore[attr-defined]
    panels = json.loads(QUERIES.read_text())["panels"]
    return {
        "alerts.yaml": "\n".join(exprs),
        "queries.json": "\n".join(q["expr"] for p in panels for q in p["queries"]),
        "rstat-operations.json": DASHBOARD.read_text(),
    }


def test_only_exported_metrics_are_used() -> None:
    exported = exported_metrics()
    assert {"rstat_cdc_slot_lag_bytes", "rstat_streams_consumer_lag_messages", "rstat_audit_consumer_lag"} <= exported
    texts = metric_texts()
    assert len(used_metrics(texts["alerts.yaml"])) >= 10
    assert unknown_metrics(texts, exported) == []


def test_a_misspelled_metric_is_found() -> None:
    texts = metric_texts()
    texts["alerts.yaml"] = texts["alerts.yaml"].replace("rstat_cdc_slot_lag_seconds", "rstat_cdc_slot_lag_secs")
    assert unknown_metrics(texts, exported_metrics()) == ["alerts.yaml: rstat_cdc_slot_lag_secs"]


def scrape_jobs(docs: list[Doc]) -> set[str]:
    return {
        str(r["replacement"])
        for m in of_kind(docs, "PodMonitor", "ServiceMonitor")
        for e in m["spec"].get("podMetricsEndpoints", m["spec"].get("endpoints", []))
        for r in e.get("relabelings", [])
        if r.get("targetLabel") == "job"
    }


def test_prometheus_scrapes_every_job_of_the_panels(objects: dict[str, list[Doc]]) -> None:
    jobs = set(json.loads(QUERIES.read_text())["jobs"])
    for docs in objects.values():
        assert jobs <= scrape_jobs(docs)
        # and each job's port is the port its process serves its metrics on
        ports = {
            "rstat-cdc": "metrics",
            "rstat-streams": "metrics",
            "rstat-public": "http",
            "rstat-audit": "http",
        }
        for job, port in ports.items():
            monitor = find(docs, "PodMonitor", job)
            assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == port


def test_a_panel_job_without_a_scrape_is_found(objects: dict[str, list[Doc]]) -> None:
    docs = [d for d in objects["prod"] if not (d["kind"] == "PodMonitor" and d["metadata"]["name"] == "rstat-streams")]
    assert set(json.loads(QUERIES.read_text())["jobs"]) - scrape_jobs(docs) == {"rstat-streams"}


def dashboard_check(queries: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "grafana_dashboards.py"), "--check",
         "--queries", str(queries), "--output", str(output)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_dashboard_is_generated_from_the_panels() -> None:
    done = dashboard_check(QUERIES, DASHBOARD)
    assert done.returncode == 0, done.stderr
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    panels = json.loads(QUERIES.read_text())["panels"]
    assert exprs == [q["expr"] for p in panels for q in p["queries"]]
    assert [p["title"] for p in dashboard["panels"]] == [p["title"] for p in panels]


def test_a_stale_dashboard_is_found(tmp_path: Path) -> None:
    queries = json.loads(QUERIES.read_text())
    queries["panels"][0]["queries"][0]["expr"] = "max(rstat_cdc_slot_lag_bytes) / 2"
    changed = tmp_path / "queries.json"
    changed.write_text(json.dumps(queries))
    done = dashboard_check(changed, DASHBOARD)
    assert done.returncode == 1
    assert "is stale: run python tools/grafana_dashboards.py" in done.stderr
