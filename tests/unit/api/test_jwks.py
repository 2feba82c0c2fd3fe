"""The JWKS cache on a fake key source and a fake clock: any machine speed can be played without waiting.

The bug these guard against: a token signed with a key the identity app already serves was refused for up to
a second after any fetch (a rotation seen by a fast client). The rate limit must hold all the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.errors import UnauthorizedError
from api.tokens import JwksCache

INTERVAL = 1.0


class FakeClock:
    """Time that moves only when the code under test sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class FakeSource:
    """The identity app's JWKS: the kids it serves now, and how often it was asked."""

    def __init__(self, clock: FakeClock, *kids: str, fetch_takes_s: float = 0.0) -> None:
        self.kids = list(kids)
        self.fetches = 0
        self.clock = clock
        self.fetch_takes_s = fetch_takes_s
        self.fail = False

    async def fetch(self) -> dict[str, Any]:
        self.fetches += 1
        if self.fetch_takes_s:
            await self.clock.sleep(self.fetch_takes_s)
        else:
            await asyncio.sleep(0)  # let other requests queue behind this fetch, as a real download would
        if self.fail:
            raise OSError("connection refused")
        return {kid: f"key-{kid}" for kid in self.kids}


def cache(clock: FakeClock, source: FakeSource, ttl_s: float = 300.0) -> JwksCache:
    return JwksCache(source, ttl_s, INTERVAL, clock=clock, sleep=clock.sleep)


@pytest.mark.asyncio
async def test_a_key_rotated_in_right_after_a_fetch_is_accepted_on_first_sight() -> None:
    clock = FakeClock()
    source = FakeSource(clock, "k1")
    jwks = cache(clock, source)
    assert await jwks.key("k1") == "key-k1"
    source.kids.insert(0, "k2")  # rstat keys rotate; a login is signed with k2 at once
    for elapsed in (0.0, 1e-6, 0.3, 0.999):  # a machine of any speed: the next request comes this soon
        clock.now += elapsed
        assert await jwks.key("k2") == "key-k2"
        assert await jwks.key("k1") == "key-k1"
    assert source.fetches == 2
    assert sum(clock.slept) <= INTERVAL  # it waited for the interval instead of refusing


@pytest.mark.asyncio
async def test_made_up_kids_cost_at_most_one_fetch_per_interval() -> None:
    clock = FakeClock()
    source = FakeSource(clock, "k1")
    jwks = cache(clock, source)
    await jwks.key("k1")
    start = clock.now

    async def garbage(i: int) -> str:
        try:
            await jwks.key(f"made-up-{i}")
        except UnauthorizedError as exc:
            return str(exc)
        return "accepted"

    answers = await asyncio.gather(*(garbage(i) for i in range(200)))
    assert set(answers) == {"the token's key id is not one of the issuer's keys"}
    # 200 concurrent made-up kids: one fetch after the interval, the rest answered by it
    assert source.fetches == 2
    for i in range(50):  # then a steady stream of them, one after the other
        await garbage(1000 + i)
    elapsed = clock.now - start
    assert source.fetches - 1 <= elapsed / INTERVAL + 1
    assert await jwks.key("k1") == "key-k1"  # known kids never wait


@pytest.mark.asyncio
async def test_requests_queued_behind_a_slow_fetch_share_it() -> None:
    clock = FakeClock()
    source = FakeSource(clock, "k1", fetch_takes_s=3.0)
    jwks = cache(clock, source)
    results = await asyncio.gather(*(jwks.key("k1") for _ in range(3)))
    assert results == ["key-k1"] * 3
    assert source.fetches == 1


@pytest.mark.asyncio
async def test_a_stale_jwks_is_refetched_and_an_outage_keeps_the_known_keys() -> None:
    clock = FakeClock()
    source = FakeSource(clock, "k1")
    jwks = cache(clock, source, ttl_s=60)
    await jwks.key("k1")
    clock.now += 30
    await jwks.key("k1")
    assert source.fetches == 1
    clock.now += 31
    source.fail = True
    assert await jwks.key("k1") == "key-k1"  # identity unreachable: the keys we have still verify
    assert source.fetches == 2


@pytest.mark.asyncio
async def test_no_keys_at_all_is_a_clear_401() -> None:
    clock = FakeClock()
    source = FakeSource(clock, "k1")
    source.fail = True
    jwks = cache(clock, source)
    with pytest.raises(UnauthorizedError, match="cannot fetch the signing keys: connection refused"):
        await jwks.key("k1")
