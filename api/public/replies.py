"""Cacheable answers: a strong ``ETag`` (a digest of the body), ``Cache-Control`` and ``Vary``; a request
whose ``If-None-Match`` names the ETag gets a 304 without the body.

The body is encoded here, before the response, because the ETag is its digest; the response is typed with
what the body holds, so the OpenAPI document describes it.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

__all__ = ["Answers", "reply", "reply_json"]

T = TypeVar("T")

_encoder = msgspec.json.Encoder()


def reply(request: Request[Any, Any, Any], max_age: int, payload: T) -> Response[T]:
    return reply_json(request, max_age, _encoder.encode(payload))


def reply_json(request: Request[Any, Any, Any], max_age: int, body: bytes) -> Response[Any]:
    """``body`` is JSON already (built by PostgreSQL, or encoded by :func:`reply`)."""
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Authorization"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


class Answers:
    """Answers a process built recently, by key, reused for ``ttl_s`` (0: never): standings are the
    most-read answer by far, and a second of staleness is far below what max-age already allows clients."""

    def __init__(self, ttl_s: float, size: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._answers: dict[tuple[int, int, bool], tuple[float, bytes]] = {}

    def get(self, key: tuple[int, int, bool]) -> bytes | None:
        cached = self._answers.get(key)
        if cached is None or time.monotonic() - cached[0] >= self.ttl_s:
            return None
        return cached[1]

    def put(self, key: tuple[int, int, bool], body: bytes) -> None:
        if len(self._answers) >= self.size:
            self._answers.clear()
        self._answers[key] = (time.monotonic(), body)
