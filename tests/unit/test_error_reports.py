"""Error reports reach a Sentry server over its real HTTP protocol, and carry no secret or personal data.

The Sentry server is a local HTTP endpoint that keeps the envelopes it receives; the process that reports
is a fresh interpreter, because the SDK is global to a process and must not stay on in the test runner.
"""

from __future__ import annotations

import gzip
import http.server
import importlib
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

SCRIPT = r"""
import logging, sys
import sentry_sdk
from rstat.error_reports import init_error_reports
from rstat.settings import load_settings

logging.basicConfig()
started = init_error_reports(load_settings(), "rstat test")
print("started" if started else "off")
password = "hunter2-local-variable"
try:
    raise RuntimeError("the stream worker lost postgresql://rstat:hunter2-dsn@db:5432/rstat")
except RuntimeError:
    logging.getLogger("rstat.test").exception("failed at /v1/live?token=eyJ-query-token while serving")
sentry_sdk.add_breadcrumb(message="called https://api.telegram.org/bot123456:AAsecret-bot-token/sendMessage")
sentry_sdk.capture_message("second with Authorization: Bearer eyJ-bearer-token")
sentry_sdk.flush(10)
"""

SECRETS = ("hunter2", "eyJ-query-token", "AAsecret-bot-token", "eyJ-bearer-token")


class Envelopes(http.server.BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK prefers brotli when the module is installed (urllib3 brings it)
            body = importlib.import_module("brotli").decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads what arrived, not the access log."""


@pytest.fixture
def sentry() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Handler", (Envelopes,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/42", received
    server.shutdown()
    server.server_close()


def run(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_errors_are_sent_with_secrets_masked(sentry: tuple[str, list[bytes]]) -> None:
    dsn, received = sentry
    assert run({"RSTAT__SENTRY__DSN": dsn, "RSTAT__SENTRY__ENVIRONMENT": "ci"}) == "started"
    text = b"\n".join(received).decode()
    assert "RuntimeError" in text  # the exception logged with its stack
    assert "the stream worker lost" in text
    assert "second with Authorization" in text
    assert '"environment":"ci"' in text.replace(" ", "")
    for secret in SECRETS:
        assert secret not in text, secret
    assert "[Filtered]" in text


def test_nothing_is_sent_without_a_dsn(sentry: tuple[str, list[bytes]]) -> None:
    _dsn, received = sentry
    assert run({}) == "off"
    assert received == []


def test_a_trace_rate_out_of_range_is_refused() -> None:
    from rstat.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="traces_sample_rate"):
        load_settings({"RSTAT__SENTRY__TRACES_SAMPLE_RATE": "2"})
