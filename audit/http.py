"""The writer's HTTP endpoint: the analysts' read-only SQL, the history for the admin app, metrics, health.

- ``/`` (GET or POST): ClickHouse's HTTP interface for reads (audit/sql.py); a GET without a query answers
  ``Ok.`` like ClickHouse, and so does ``/ping``.
- ``/v1/history?table=T&id=N`` (or ``&key={"id":N}``; ``&match=N`` adds the match's events and line-ups;
  ``limit``, ``offset``): one row's field-level changes, newest first, as JSON (audit/history.py).
- ``/metrics`` (Prometheus) and ``/healthz`` (JSON: the store, Kafka, rows written).

With a password set (``RSTAT__AUDIT__PASSWORD``), the SQL and the history ask for it the ways ClickHouse's
HTTP interface does (basic authentication, ``X-ClickHouse-User``/``X-ClickHouse-Key``, ``user``/``password``
parameters), so ClickHouse clients connect unchanged; health, metrics and ping stay open for probes.

A thread per request (the embedded store gives each its own connection), HTTP/1.1 with keep-alive.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from audit.errors import ClickHouseError
from audit.history import History, entity_key, read_history
from audit.sql import content_type, http_status, output_format, parse_request, require_read
from audit.store import AuditStore

__all__ = ["Endpoint"]

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024
MAX_PAGE = 500


class _BadRequestError(Exception):
    pass


def _int(query: dict[str, list[str]], name: str, default: int | None = None) -> int | None:
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        raise _BadRequestError(f"{name} must be an integer") from None


class Endpoint:
    def __init__(
        self,
        store: AuditStore,
        table: str,
        *,
        metrics: CollectorRegistry,
        health: Callable[[], dict[str, Any]],
        credentials: tuple[str, str] | None = None,
    ) -> None:
        """``credentials``: the (user, password) the SQL and the history ask for; None: open (loopback only)."""
        self.credentials = credentials
        self.store = store
        self.table = table
        self.metrics = metrics
        self.health = health
        self._server: ThreadingHTTPServer | None = None

    # -- what each route answers: (status, headers, body) ----------------------------------------------------

    def sql(self, query: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, str], bytes]:
        request = parse_request(query, body)
        query_id = request.query_id or str(uuid.uuid4())
        headers = {"X-ClickHouse-Query-Id": query_id, "X-ClickHouse-Server-Display-Name": "rstat-audit"}
        started = time.monotonic()
        try:
            require_read(request.sql)
            answer = self.store.read(
                request.sql,
                fmt=request.default_format,
                settings=request.settings,
                params=request.params,
                database=request.database,
            )
        except ClickHouseError as exc:
            log.info("sql refused or failed (%s): %.200s", exc.code, request.sql)
            headers |= {"X-ClickHouse-Exception-Code": str(exc.code), "Content-Type": "text/plain; charset=UTF-8"}
            return http_status(exc), headers, (exc.message + "\n").encode()
        elapsed = time.monotonic() - started
        log.info("sql answered in %.3f s (%d bytes): %.200s", elapsed, len(answer), request.sql)
        fmt = output_format(request.sql, request.default_format)
        summary = {"read_rows": "0", "read_bytes": "0", "written_rows": "0", "written_bytes": "0",
                   "total_rows_to_read": "0", "result_rows": "0", "result_bytes": str(len(answer)),
                   "elapsed_ns": str(int(elapsed * 1e9))}  # fmt: skip
        headers |= {
            "Content-Type": content_type(fmt),
            "X-ClickHouse-Format": fmt,
            "X-ClickHouse-Timezone": "UTC",
            "X-ClickHouse-Summary": json.dumps(summary, separators=(",", ":")),
        }
        return 200, headers, answer

    def history(self, query: dict[str, list[str]]) -> History:
        table = (query.get("table") or [""])[-1]
        if not table:
            raise _BadRequestError("table is required")
        item = _int(query, "id")
        key = (query.get("key") or [""])[-1] or (entity_key(item) if item is not None else "")
        if not key:
            raise _BadRequestError("id or key is required")
        limit = _int(query, "limit", 50) or 50
        offset = _int(query, "offset", 0) or 0
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise _BadRequestError(f"limit must be 1 to {MAX_PAGE}, offset at least 0")
        return read_history(
            self.store, self.table, table=table, key=key, match=_int(query, "match"), limit=limit, offset=offset
        )

    def authorized(self, query: dict[str, list[str]], headers: Mapping[str, str]) -> bool:
        """Whether the request carries the endpoint's user and password, in any of ClickHouse's ways."""
        if self.credentials is None:
            return True
        headers = {name.lower(): value for name, value in headers.items()}
        user, password = headers.get("x-clickhouse-user"), headers.get("x-clickhouse-key")
        if user is None and "user" in query:
            user, password = query["user"][-1], (query.get("password") or [""])[-1]
        scheme, _, encoded = (headers.get("authorization") or "").partition(" ")
        if user is None and scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
        want_user, want_password = self.credentials
        return hmac.compare_digest((user or "").encode(), want_user.encode()) & hmac.compare_digest(
            (password or "").encode(), want_password.encode()
        )

    def answer(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        query = parse_qs(url.query, keep_blank_values=True)
        text = {"Content-Type": "text/plain; charset=UTF-8"}
        as_json = {"Content-Type": "application/json"}
        guarded = (url.path == "/" and (method == "POST" or bool(query.get("query")))) or url.path == "/v1/history"
        if guarded and not self.authorized(query, headers or {}):
            log.warning("refused a request to %s without the endpoint's user and password", url.path)
            refusal = f"Code: 516. {self.credentials[0] if self.credentials else ''}: Authentication failed: "
            refusal += "password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)\n"
            return (
                401,
                {**text, "WWW-Authenticate": 'Basic realm="rstat-audit"', "X-ClickHouse-Exception-Code": "516"},
                refusal.encode(),
            )
        if url.path == "/":
            if method == "GET" and not query.get("query"):
                return 200, text, b"Ok.\n"
            return self.sql(query, body)
        if url.path == "/ping":
            return 200, text, b"Ok.\n"
        if url.path == "/metrics":
            return 200, {"Content-Type": CONTENT_TYPE_LATEST}, generate_latest(self.metrics)
        if url.path == "/healthz":
            return 200, as_json, msgspec.json.encode(self.health())
        if url.path == "/v1/history" and method == "GET":
            try:
                return 200, as_json, msgspec.json.encode(self.history(query))
            except _BadRequestError as exc:
                return 400, as_json, msgspec.json.encode({"error": str(exc)})
            except ClickHouseError as exc:
                return 503, as_json, msgspec.json.encode({"error": exc.message})
        return 404, text, b"not found\n"

    # -- serving --------------------------------------------------------------------------------------------

    def start(self, host: str, port: int) -> None:
        """Serve from daemon threads until :meth:`close`."""
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, method: str) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                if size > MAX_BODY:
                    status, headers, body = 413, {"Content-Type": "text/plain"}, b"request body too large\n"
                    self.close_connection = True
                else:
                    body = self.rfile.read(size) if size else b""
                    status, headers, body = endpoint.answer(method, self.path, body, dict(self.headers.items()))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._reply("GET")

            def do_POST(self) -> None:
                self._reply("POST")

            def log_message(self, format: str, *args: object) -> None:
                return  # the SQL answers log themselves, with what was asked

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="audit-http", daemon=True).start()
        log.info("SQL (ClickHouse HTTP interface), history, /metrics and /healthz on http://%s:%d", host, port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
