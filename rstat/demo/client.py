"""The demo's HTTP client of the identity and admin apps: an organizer's session with one access token.

Every refusal becomes a :class:`ApiRefusedError` naming the request and the API's own ``detail`` (and the
rows a bulk import refused), so the log says what the API objected to. An expired access token is
renewed by logging in again once; the demo runs for hours and tokens live minutes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from rstat.errors import RStatError

__all__ = ["AdminApi", "ApiRefusedError", "DemoError", "StopRequestedError"]

log = logging.getLogger(__name__)


class DemoError(RStatError):
    """The demo cannot go on; the message says why and what to do."""


class StopRequestedError(DemoError):
    """SIGTERM or SIGINT arrived: the demo stops before its next request."""


class ApiRefusedError(DemoError):
    """An app answered a request with an error status."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        detail = body.get("detail", body) if isinstance(body, dict) else body
        rows = body.get("rows") if isinstance(body, dict) else None
        extra = f"; rows: {rows[:5]}" if rows else ""
        super().__init__(f"{method} {path} was refused with {status}: {detail}{extra}")
        self.status = status
        self.detail = detail


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class AdminApi:
    """An owner's session: log in through identity, write through admin."""

    def __init__(
        self,
        identity_url: str,
        admin_url: str,
        email: str,
        password: str,
        *,
        org: int = 0,
        stop: threading.Event | None = None,
    ) -> None:
        self.stop = stop
        self.identity = httpx.Client(base_url=identity_url, timeout=60)
        self.admin = httpx.Client(base_url=admin_url, timeout=120)
        self.email = email
        self._password = password
        self.org = org
        self.requests = 0

    def close(self) -> None:
        self.identity.close()
        self.admin.close()

    def login(self) -> None:
        """``POST /v1/token`` with the owner's email and password; the token goes on every admin request."""
        r = self.identity.post("/v1/token", json={"email": self.email, "password": self._password})
        if r.status_code != 200:
            raise ApiRefusedError("POST", "/v1/token", r.status_code, _body(r))
        self.admin.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if self.stop is not None and self.stop.is_set():
            raise StopRequestedError(f"stopped before {method} {path}")
        for attempt in (1, 2):
            r = self.admin.request(method, path, json=body)
            self.requests += 1
            if r.status_code == 401 and attempt == 1:
                log.info("the access token expired; logging in again")
                self.login()
                continue
            if r.status_code >= 400:
                raise ApiRefusedError(method, path, r.status_code, _body(r))
            return _body(r) if r.content else None
        raise AssertionError("unreachable")

    def orgs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call("GET", "/v1/orgs")
        return found

    def create(self, resource: str, **body: Any) -> int:
        return int(self.call("POST", f"/v1/orgs/{self.org}/{resource}", body)["id"])

    def update(self, resource: str, item: int, **body: Any) -> dict[str, Any]:
        row: dict[str, Any] = self.call("PATCH", f"/v1/orgs/{self.org}/{resource}/{item}", body)
        return row

    def delete(self, resource: str, item: int) -> None:
        self.call("DELETE", f"/v1/orgs/{self.org}/{resource}/{item}")

    def get(self, resource: str, item: int) -> dict[str, Any]:
        row: dict[str, Any] = self.call("GET", f"/v1/orgs/{self.org}/{resource}/{item}")
        return row

    def listing(self, resource: str, **filters: Any) -> list[dict[str, Any]]:
        """Every row of a list route (it pages by 500)."""
        rows: list[dict[str, Any]] = []
        while True:
            query = "&".join(f"{k}={v}" for k, v in {**filters, "limit": 500, "offset": len(rows)}.items())
            page = self.call("GET", f"/v1/orgs/{self.org}/{resource}?{query}")
            rows += page["items"]
            if len(rows) >= page["total"] or not page["items"]:
                return rows

    def import_rows(self, kind: str, rows: list[dict[str, Any]]) -> list[int]:
        """``POST /v1/orgs/{org}/import/{kind}``: all rows or none; the new ids in the rows' order."""
        ids: list[int] = []
        for start in range(0, len(rows), 5000):
            ids += self.call("POST", f"/v1/orgs/{self.org}/import/{kind}", rows[start : start + 5000])["ids"]
        return ids
