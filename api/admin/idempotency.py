"""``Idempotency-Key`` on the admin API's create routes: the same key sent again by the same caller in the
same organization returns the first answer and writes nothing, so a request retried after a lost answer
(a scorer's offline queue replayed when the phone reconnects) never creates a second goal.

The key is claimed in the write's own transaction (``INSERT ... ON CONFLICT DO NOTHING``): a second request
with the key waits on the first one's row lock and then reads its committed answer; if the first fails, it
rolls back with its claim and the retry runs as new. Only successful answers are kept: a request refused by a
rule (a player not in the line-up) may succeed when retried after the line-up is fixed. A key reused for a
different request is refused (422), as Stripe and the IETF draft do, rather than answering something else.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from api.db import Row
from api.errors import InvalidError

__all__ = ["KEEP_DAYS", "MAX_KEY", "IdempotencyClaim", "claim"]

MAX_KEY = 200
KEEP_DAYS = 30


class IdempotencyClaim:
    """A key claimed for this request (``answered`` is None) or already answered (the first answer)."""

    def __init__(self, conn: AsyncConnection[Row], ident: tuple[int, str, str], answered: Any) -> None:
        self._conn = conn
        self._ident = ident
        self.answered = answered

    async def remember(self, answer: msgspec.Struct) -> None:
        """Keep the answer to give to a retry (in the same transaction as the write it answers)."""
        await self._conn.execute(
            "UPDATE idempotency_keys SET response = %s WHERE org_id = %s AND actor = %s AND key = %s",
            (Jsonb(msgspec.to_builtins(answer)), *self._ident),
        )


async def claim(
    conn: AsyncConnection[Row], *, org_id: int, actor: str, key: str, route: str, request: msgspec.Struct
) -> IdempotencyClaim:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise InvalidError(f"the Idempotency-Key header must be 1 to {MAX_KEY} printable characters")
    digest = hashlib.sha256(msgspec.json.encode(request)).hexdigest()
    ident = (org_id, actor, key)
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE org_id = %s AND created_at < now() - make_interval(days => %s)",
        (org_id, KEEP_DAYS),
    )
    fresh = await (
        await conn.execute(
            "INSERT INTO idempotency_keys (org_id, actor, key, route, request_hash) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING 1 AS ok",
            (*ident, route, digest),
        )
    ).fetchone()
    if fresh is not None:
        return IdempotencyClaim(conn, ident, None)
    first = await (
        await conn.execute(
            "SELECT route, request_hash, response FROM idempotency_keys WHERE org_id = %s AND actor = %s AND key = %s",
            ident,
        )
    ).fetchone()
    if first is None or first["response"] is None:  # a claim is committed only with its answer
        raise InvalidError(
            f"Idempotency-Key {key!r} is in use by a request that has not finished; retry it",
            extra={"rule": "idempotency_key_in_use"},
        )
    if first["route"] != route or first["request_hash"] != digest:
        raise InvalidError(
            f"Idempotency-Key {key!r} was already used for a different request; send a new key for a new request",
            extra={"rule": "idempotency_key_reused"},
        )
    return IdempotencyClaim(conn, ident, first["response"])
