"""Password hashing, the sliding-window limiter and the key store without services."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jwt
import pytest

from api.keys import KeyStore
from api.passwords import hash_secret, verify_secret
from api.ratelimit import SlidingWindow
from api.tokens import issue_token


def test_scrypt_hashes_are_salted_and_verify_only_the_right_secret() -> None:
    first, second = hash_secret("s3cret-password"), hash_secret("s3cret-password")
    assert first != second  # salted
    assert first.startswith("scrypt$32768$8$1$")
    assert verify_secret("s3cret-password", first)
    assert not verify_secret("s3cret-passwore", first)
    assert not verify_secret("s3cret-password", "md5$whatever")
    assert not verify_secret("s3cret-password", "scrypt$not$a$hash")


def test_sliding_window_limits_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    window = SlidingWindow(limit=3, window_s=60)
    for _ in range(3):
        assert window.retry_after("a") == 0
        window.hit("a")
    assert window.retry_after("a") == 60
    assert window.retry_after("b") == 0  # per key
    now[0] += 30
    assert window.retry_after("a") == 30
    now[0] += 30.5
    assert window.retry_after("a") == 0
    window.hit("a")
    window.clear("a")
    assert window.retry_after("a") == 0


def test_key_rotation_keeps_the_previous_key_and_signs_with_the_new(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    with pytest.raises(LookupError, match="rstat keys rotate"):
        store.current()
    first = store.rotate()
    token = issue_token(store, issuer="i", audience="admin", subject="user:1", ttl_s=60)
    second = store.rotate()
    third = store.rotate()
    assert [k.kid for k in store.loaded()] == [third, second]  # the oldest is gone
    assert store.current().kid == third
    assert first not in {k["kid"] for k in store.jwks()["keys"]}
    assert all(k["alg"] == "RS256" and "d" not in k for k in store.jwks()["keys"])  # public parts only
    assert jwt.get_unverified_header(token)["kid"] == first
    assert oct((tmp_path / "keys" / f"{third}.pem").stat().st_mode)[-3:] == "600"


def test_a_rotation_within_one_tick_of_the_folder_clock_is_seen(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.rotate()
    folder = (tmp_path / "keys").stat()
    assert len(store.loaded()) == 1
    newest = store.rotate()
    # a fast machine: the rotation landed in the same coarse tick, so the folder's mtime did not move
    os.utime(tmp_path / "keys", ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert store.current().kid == newest
