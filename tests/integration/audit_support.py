"""The audit writer as a real process (``rstat audit``) beside a private CDC reader, and a ClickHouse server's
HTTP interface over chdb for the server adapter's contract test."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import chdb
import httpx

from audit.errors import ClickHouseError
from audit.sql import http_status
from audit.table import quote_name
from tests.conftest import unique
from tests.integration.cdc_support import RSTAT, free_port
from tests.waiting import DEFAULT_TIMEOUT_S, StopWaiting, eventually

_INPUT = re.compile(r"input\(('(?:[^'\\]|\\.)*')\)\s+FORMAT\s+Avro\s*$", re.DOTALL)


class ClickHouseHttp:
    """What a ClickHouse server does with an HTTP request, done by chdb in this process: the query from the
    URL or the body, ``database``, ``default_format``, settings in URL order, ``param_`` values, errors
    with their code and status. One difference: chdb cannot read ``input()`` from a request body, so the
    body goes to a file that ``file()`` reads instead."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        shim = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                status, headers, body = shim.answer(self.path, self.rfile.read(size))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        params = parse_qsl(urlsplit(path).query, keep_blank_values=True)
        named = dict(params)
        query, data = (named["query"], body) if "query" in named else (body.decode(), b"")
        conn = chdb.connect(str(self.path))  # type: ignore[no-untyped-call]
        try:
            with tempfile.NamedTemporaryFile(dir=self.path, suffix=".avro") as staged:
                if data:
                    staged.write(data)
                    staged.flush()
                    query = _INPUT.sub(lambda m: f"file('{staged.name}', 'Avro', {m.group(1)})", query)
                if named.get("database"):
                    conn.query(f"USE {quote_name(named['database'])}")
                for name, value in params:
                    if name not in ("query", "database", "default_format") and not name.startswith("param_"):
                        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
                        conn.query(f"SET {quote_name(name)} = '{escaped}'")
                values = {k[6:]: v for k, v in params if k.startswith("param_")}
                result = conn.query(query, named.get("default_format") or "TabSeparated", params=values)
                return 200, {}, bytes(result.bytes() or b"")
        except Exception as exc:
            error = ClickHouseError(str(exc))
            headers = {"X-ClickHouse-Exception-Code": str(error.code)}
            return http_status(error), headers, error.message.encode()
        finally:
            conn.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class AuditProcess:
    """``rstat audit`` on the topics of a CDC environment, with its own engine folder, group and port."""

    env: dict[str, str]
    log: Path
    url: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        return self.procs[-1]

    def start(self, **settings: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                [RSTAT, "audit"], env={**self.env, **settings}, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs.append(proc)
        return proc

    def running(self) -> None:
        if self.proc.poll() is not None:
            raise StopWaiting(f"rstat audit exited with {self.proc.returncode}:\n{self.tail()}")

    def sql(self, query: str, **params: str) -> httpx.Response:
        return httpx.post(self.url, params=params, content=query.encode(), timeout=30)

    def scalar(self, query: str, **settings: str) -> int:
        answer = self.sql(query, **settings)
        assert answer.status_code == 200, answer.text
        return int(answer.text)

    def wait_rows(self, count: int, where: str = "1", timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Until the audit shows ``count`` rows (each change once) matching ``where``."""

        def written() -> bool:
            self.running()
            found = self.scalar(f"SELECT count() FROM changes WHERE {where}")
            assert found == count, f"{found} rows so far"
            return True

        eventually(written, ignore=(httpx.TransportError,), timeout=timeout, message=f"{count} audit rows ({where})")

    def metric(self, series: str) -> float:
        """One series of the writer's /metrics (``name`` or ``name{labels}``), 0 when absent."""
        for line in httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines():
            if line.startswith(series + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def metric_sum(self, name: str) -> float:
        """The sum of every series of metric ``name``."""
        lines = httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines()
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith((name + " ", name + "{")))

    def rstat(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RSTAT, *args], env=self.env, capture_output=True, text=True, timeout=DEFAULT_TIMEOUT_S, check=False
        )

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def audit_process(base: dict[str, str], tmp: Path, **settings: str) -> AuditProcess:
    """The writer's environment: ``base`` (a CDC environment's, with its topics), and an engine folder,
    consumer group and port of its own."""
    port = free_port()
    env = {
        **base,
        "RSTAT__CLICKHOUSE__PATH": str(tmp / "clickhouse"),
        "RSTAT__AUDIT__GROUP": unique("audit"),
        "RSTAT__AUDIT__PORT": str(port),
        "RSTAT__AUDIT__BATCH_WAIT_S": "0.05",
        **settings,
    }
    return AuditProcess(env=env, log=tmp / "audit.log", url=f"http://127.0.0.1:{port}")


def running_audit(base: dict[str, str], tmp: Path, **settings: str) -> Iterator[AuditProcess]:
    """A started writer, answering; stopped afterwards."""
    audit = audit_process(base, tmp, **settings)
    audit.start()
    try:

        def answers() -> bool:
            audit.running()
            return httpx.get(f"{audit.url}/ping", timeout=5).status_code == 200

        eventually(answers, ignore=(httpx.TransportError,), message=f"rstat audit to answer (see {audit.log})")
        yield audit
    finally:
        audit.stop()


def rows(answer: httpx.Response) -> list[dict[str, Any]]:
    """The rows of a JSONEachRow answer."""
    assert answer.status_code == 200, answer.text
    return [json.loads(line) for line in answer.text.splitlines() if line]
