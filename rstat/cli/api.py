"""``rstat api``, ``rstat keys`` and ``rstat users``: run the HTTP apps and administer identity."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import resource
import sys
import uuid

import psycopg

from rstat.errors import RStatError
from rstat.logs import uvicorn_log_config
from rstat.settings import Settings

__all__ = ["add_api_commands"]

log = logging.getLogger(__name__)
APPS = ("identity", "admin", "public")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.keys import KeyStore

    api = settings.api
    if args.app == "identity":
        store = KeyStore(settings.keys_path())
        if not store.loaded():
            kid = store.rotate()
            print(f"api identity: no signing key yet; created {kid} in {store.folder}", file=sys.stderr)
    port = {"identity": api.identity_port, "admin": api.admin_port, "public": api.public_port}[args.app]
    print(
        f"api {args.app}: serving on http://{api.host}:{port} with {api.workers} worker(s) (OpenAPI at /schema)",
        file=sys.stderr,
    )
    _raise_open_files()
    # an import string and a factory, so that uvicorn can start several worker processes
    uvicorn.run(
        f"rstat.boot.api:{args.app}_app",
        factory=True,
        host=api.host,
        port=port,
        workers=api.workers,
        log_level="info",
        log_config=uvicorn_log_config(),
        access_log=args.access_log,
        # a client message bigger than this closes the WebSocket (1009); the feed's own limit, far below,
        # answers with an error and keeps the connection
        ws_max_size=max(65_536, 16 * settings.live.max_frame_bytes),
        timeout_graceful_shutdown=api.shutdown_grace_s,
        ws_per_message_deflate=settings.live.compression,
    )
    return 0


def _raise_open_files() -> None:
    """Every live connection is a file descriptor: allow as many as the system lets this process have."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _rotate(_args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import KeyStore

    store = KeyStore(settings.keys_path())
    kid = store.rotate()
    kept = [k.kid for k in store.loaded()]
    print(
        f"keys: {kid} is the signing key now; the JWKS serves {', '.join(kept)} (tokens of the previous key "
        "stay valid until they expire)"
    )
    return 0


def _create_user(args: argparse.Namespace, settings: Settings) -> int:
    from api.passwords import hash_secret

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")
    if len(password) < 10:
        raise RStatError("a password needs at least 10 characters")
    who = {"actor": f"cli:{getpass.getuser()}", "request_id": uuid.uuid4().hex, "source": "cli"}
    say = "SELECT pg_logical_emit_message(true, 'rstat.context', %s)"
    with psycopg.connect(settings.postgres.app_dsn(), autocommit=True) as conn, conn.transaction():
        conn.execute(say, (json.dumps({**who, "org": None}),))
        org = None
        if args.org:
            org = conn.execute(
                "INSERT INTO organizations (slug, name) VALUES (%s, %s) ON CONFLICT (slug) DO UPDATE "
                "SET name = organizations.name RETURNING id",
                (args.org, args.org),
            ).fetchone()
            assert org is not None
            conn.execute(say, (json.dumps({**who, "org": org[0]}),))  # the rest is written for that organization
        row = conn.execute(
            "INSERT INTO users (email, password_hash, display_name) VALUES (%s, %s, %s) RETURNING id",
            (args.email, hash_secret(password), args.name),
        ).fetchone()
        assert row is not None
        if org is not None:
            conn.execute("INSERT INTO memberships (org_id, user_id, role) VALUES (%s, %s, 'owner')", (org[0], row[0]))
    print(f"users: created user {row[0]} <{args.email}>" + (f", owner of {args.org}" if args.org else ""))
    return 0


def add_api_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    api = sub.add_parser(
        "api",
        help="serve one of the HTTP apps: identity, admin or public",
        description="Serve an app with uvicorn on the port its settings give (RSTAT__API__*_PORT).",
    )
    api.add_argument("app", choices=APPS, help="which app")
    api.add_argument("--access-log", action="store_true", help="log every request")
    api.set_defaults(handler=_serve)

    keys = sub.add_parser("keys", help="manage the token signing keys", description="Signing keys of identity.")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser(
        "rotate",
        help="create a new signing key; the previous one stays in the JWKS",
        description="Rotate without downtime: new tokens are signed with the new key at once, tokens signed "
        "with the previous key verify until they expire.",
    ).set_defaults(handler=_rotate)

    users = sub.add_parser("users", help="manage users", description="Users of the management API.")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser(
        "create",
        help="create a user (the first owner of an organization)",
        description="Create a user; with --org, also the organization (by slug) with the user as its owner.",
    )
    create.add_argument("email")
    create.add_argument("--name", default="", help="display name")
    create.add_argument("--org", default="", help="organization slug to create (or join) as owner")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(handler=_create_user)
