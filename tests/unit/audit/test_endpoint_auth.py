"""The audit endpoint asks for its user and password the ways ClickHouse clients send them, and refuses to
listen beyond loopback without one (every organization's audit trail would be open)."""

from __future__ import annotations

import base64

import pytest
from prometheus_client import CollectorRegistry

from audit.config import AuditConfig
from audit.http import Endpoint
from rstat.settings import SettingsError, load_settings
from tests.unit.audit.fakes import FakeStore

SQL = "/?query=SELECT+1"


def endpoint(credentials: tuple[str, str] | None) -> Endpoint:
    store = FakeStore(answer=lambda _sql: b"1\n")
    return Endpoint(
        store, "changes", metrics=CollectorRegistry(), health=lambda: {"status": "ok"}, credentials=credentials
    )


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_sql_and_history_ask_for_the_user_and_password() -> None:
    guarded = endpoint(("analyst", "s3cret"))
    status, headers, body = guarded.answer("GET", SQL, b"")
    assert status == 401
    assert headers["X-ClickHouse-Exception-Code"] == "516"  # what ClickHouse answers: clients show it as such
    assert b"AUTHENTICATION_FAILED" in body
    assert headers["WWW-Authenticate"] == 'Basic realm="rstat-audit"'
    assert guarded.answer("POST", "/", b"SELECT 1")[0] == 401
    assert guarded.answer("GET", "/v1/history?table=matches&id=1", b"")[0] == 401
    assert guarded.answer("GET", SQL, b"", basic("analyst", "wrong"))[0] == 401
    assert guarded.answer("GET", SQL, b"", basic("someone", "s3cret"))[0] == 401
    assert guarded.answer("GET", SQL, b"", {"Authorization": "Basic !!not-base64"})[0] == 401


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (SQL, basic("analyst", "s3cret")),
        (SQL, {"x-clickhouse-user": "analyst", "X-ClickHouse-Key": "s3cret"}),  # header names in any case
        (SQL + "&user=analyst&password=s3cret", {}),
    ],
)
def test_each_way_clickhouse_clients_send_credentials_is_accepted(path: str, headers: dict[str, str]) -> None:
    status, _headers, body = endpoint(("analyst", "s3cret")).answer("GET", path, b"", headers)
    assert (status, body) == (200, b"1\n")


def test_probes_stay_open_and_an_endpoint_without_a_password_is_open() -> None:
    guarded = endpoint(("analyst", "s3cret"))
    for path in ("/ping", "/healthz", "/metrics", "/"):
        assert guarded.answer("GET", path, b"")[0] == 200, path
    assert endpoint(None).answer("GET", SQL, b"")[0] == 200


def test_listening_beyond_loopback_needs_a_password() -> None:
    with pytest.raises(SettingsError, match="RSTAT__AUDIT__PASSWORD"):
        load_settings({"RSTAT__AUDIT__HOST": "0.0.0.0"})
    settings = load_settings({"RSTAT__AUDIT__HOST": "0.0.0.0", "RSTAT__AUDIT__PASSWORD": "p@ss:word"})
    assert "p@ss:word" not in repr(settings)
    assert settings.audit.endpoint() == "http://0.0.0.0:8404"
    assert settings.audit.credentialed_endpoint() == "http://rstat:p%40ss%3Aword@0.0.0.0:8404"
    # the admin app reaches the writer by another name (api.audit_url): the same credentials go with it
    assert settings.audit.credentialed("http://audit.svc:8404") == "http://rstat:p%40ss%3Aword@audit.svc:8404"
    assert settings.audit.credentialed("http://other:pw@audit.svc:8404") == "http://other:pw@audit.svc:8404"
    assert load_settings({"RSTAT__AUDIT__HOST": "::1"}).audit.password == ""
    assert AuditConfig(host="10.0.0.5", port=0).port == 0  # no endpoint at all: nothing to protect
