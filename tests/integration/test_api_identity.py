"""Identity on the real stack: logins, refresh rotation and reuse detection, revocation, client credentials,
JWKS and key rotation, and every way a token can be wrong answered with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis, start_apis


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory, stack: Settings) -> Iterator[Apis]:
    # JWKS refetches at most every 2 s: far longer than a request takes on any machine, so the rotation test
    # below plays what a fast machine does (a new kid seen right after a fetch) every time it runs
    yield from start_apis(
        stack,
        tmp_path_factory.mktemp("apis"),
        RSTAT__API__LOGIN_ATTEMPTS_PER_ACCOUNT="3",
        RSTAT__API__JWKS_MIN_REFETCH_S="2",
    )


def orgs(apis: Apis, token: str) -> Any:
    with apis.client("admin", token) as c:
        return c.get("/v1/orgs")


def test_login_refresh_rotation_reuse_and_revocation(apis: Apis) -> None:
    apis.user("owner@a.example", org="club-a")
    tokens = apis.login("owner@a.example")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "RS256"
    assert claims["aud"] == "admin"
    assert claims["iss"] == "rstat-identity"
    assert list(claims["orgs"].values()) == ["owner"]
    assert claims["exp"] - claims["iat"] == 900
    assert orgs(apis, tokens["access_token"]).json()[0]["slug"] == "club-a"

    with apis.client("identity") as c:
        renewed = c.post("/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200
        assert renewed.json()["refresh_token"] != tokens["refresh_token"]
        # the spent refresh token presented again: refused, and every session of the user ends
        reused = c.post("/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reused.status_code == 401
        assert "already used" in reused.json()["detail"]
        assert c.post("/v1/token/refresh", json={"refresh_token": renewed.json()["refresh_token"]}).status_code == 401

    fresh = apis.login("owner@a.example")
    assert orgs(apis, fresh["access_token"]).status_code == 200
    with apis.client("identity", fresh["access_token"]) as c:
        assert c.post("/v1/token/revoke", json={"refresh_token": fresh["refresh_token"]}).status_code == 204
    revoked = orgs(apis, fresh["access_token"])
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]
    with apis.client("identity") as c:
        assert c.post("/v1/token/refresh", json={"refresh_token": fresh["refresh_token"]}).status_code == 401


def test_wrong_password_unknown_user_and_rate_limit(apis: Apis) -> None:
    apis.user("limited@a.example")
    with apis.client("identity") as c:
        assert c.post("/v1/token", json={"email": "nobody@a.example", "password": "x" * 12}).status_code == 401
        for _ in range(3):
            r = c.post("/v1/token", json={"email": "limited@a.example", "password": "wrong password"})
            assert r.status_code == 401
        # limited now: even the right password is not checked until the window passes
        r = c.post("/v1/token", json={"email": "limited@a.example", "password": PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        # other accounts are not affected by one account's limit
        assert c.post("/v1/token", json={"email": "owner@a.example", "password": PASSWORD}).status_code == 200
        bad = c.post("/v1/token", json={"email": "x@a.example"})
        assert bad.status_code == 422
        assert bad.json()["error"] == "invalid"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256_with(secret: bytes, kid: str, claims: dict[str, Any]) -> str:
    """The algorithm-confusion attack: HMAC over the token with the public key as the secret (PyJWT refuses
    to build one, so it is built by hand)."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_every_wrong_token_is_refused_with_401(apis: Apis, tmp_path: Path) -> None:
    good = apis.login("owner@a.example")["access_token"]
    claims = jwt.decode(good, options={"verify_signature": False})
    kid = jwt.get_unverified_header(good)["kid"]
    with apis.client("identity") as c:
        jwks = c.get("/.well-known/jwks.json").json()
    public_key = RSAAlgorithm.from_jwk(jwks["keys"][0])
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    cases = {
        "missing": None,
        "garbage": "not-a-token",
        "alg none": f"{_b64({'alg': 'none', 'kid': kid})}.{_b64(claims)}.",
        "HS256 with the public key": _hs256_with(public_pem, kid, claims),
        "signed by another key, same kid": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "unknown kid": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k-unknown"}),
        "tampered claims": ".".join(
            [good.split(".")[0], _b64({**claims, "orgs": {"999": "owner"}}), good.split(".")[2]]
        ),
    }
    for name, token in cases.items():
        if token:
            r = orgs(apis, token)
        else:
            with apis.client("admin") as c:
                r = c.get("/v1/orgs")
        assert r.status_code == 401, name
        assert r.json()["error"] == "unauthorized", name
        assert "Bearer" in r.headers["WWW-Authenticate"], name
    # a token of the right key but expired, for another audience, or from another issuer
    keys = sorted((Path(apis.env["RSTAT__API__KEYS_DIR"])).glob("*.pem"))
    private = serialization.load_pem_private_key(keys[-1].read_bytes(), password=None)
    changes: dict[str, dict[str, Any]] = {
        "expired": {"exp": now - 10, "iat": now - 1000},
        "public audience": {"aud": "public"},
        "other issuer": {"iss": "someone-else"},
        "no jti": {"jti": None},
    }
    for name, change in changes.items():
        payload = {k: v for k, v in {**claims, **change}.items() if v is not None}
        token = jwt.encode(payload, private, algorithm="RS256", headers={"kid": keys[-1].stem})  # type: ignore[arg-type]
        assert orgs(apis, token).status_code == 401, name


def test_key_rotation_without_downtime(apis: Apis) -> None:
    before = apis.login("owner@a.example")["access_token"]
    done = apis.rstat("keys", "rotate")
    assert done.returncode == 0, done.stderr
    with apis.client("identity") as c:
        served = [k["kid"] for k in c.get("/.well-known/jwks.json").json()["keys"]]
    assert len(served) == 2
    after = apis.login("owner@a.example")["access_token"]
    assert jwt.get_unverified_header(after)["kid"] == served[0] != jwt.get_unverified_header(before)["kid"]
    # a made-up kid makes the admin app fetch the JWKS now; the new kid arrives right after that fetch
    claims = jwt.decode(after, options={"verify_signature": False})
    made_up = jwt.encode(claims, rsa.generate_private_key(65537, 2048), algorithm="RS256", headers={"kid": "k-x"})
    assert orgs(apis, made_up).status_code == 401
    # the admin app learns the new key on first sight of its kid (it waits for the interval rather than
    # refusing), and still accepts the old one
    assert orgs(apis, after).status_code == 200
    assert orgs(apis, before).status_code == 200


def test_client_credentials_give_a_public_token_bound_to_the_organization(apis: Apis) -> None:
    owner = apis.login("owner@a.example")["access_token"]
    org = orgs(apis, owner).json()[0]["id"]
    with apis.client("admin", owner) as c:
        created = c.post(f"/v1/orgs/{org}/api-clients", json={"name": "club website"})
    assert created.status_code == 201
    credentials = created.json()
    with apis.client("identity") as c:
        secret = {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"]}
        r = c.post("/v1/client-token", json=secret)
        assert r.status_code == 200
        wrong = c.post("/v1/client-token", json={"client_id": credentials["client_id"], "client_secret": "nope"})
        assert wrong.status_code == 401
    token = r.json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["org"] == org
    with apis.client("public", token) as c:
        assert c.get("/v1/competitions").status_code == 200
    # a website token is not a management token
    assert orgs(apis, token).status_code == 401
    # the same credentials as an API key, for sites that cannot refresh tokens
    key = f"{credentials['client_id']}:{credentials['client_secret']}"
    with httpx.Client(base_url=apis.urls["public"], headers={"X-API-Key": key}) as c:
        assert c.get("/v1/competitions").status_code == 200
        assert c.get("/v1/competitions").status_code == 200  # the second from the checked-key cache
    with httpx.Client(base_url=apis.urls["public"], headers={"X-API-Key": key + "x"}) as c:
        assert c.get("/v1/competitions").status_code == 401
