"""The local PostgreSQL cluster: found, initialized, started and checked for logical replication.

PostgreSQL refuses to run as root, so when ``rstat`` runs as root the cluster's files belong to an
unprivileged OS user and every server binary runs as that user.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import msgspec
import psycopg
from psycopg import sql

from rstat.errors import MissingPrerequisiteError, StackError
from rstat.ops.stack.process import port_open, require_free_port
from rstat.settings import PostgresSettings, StackSettings

__all__ = ["LocalPostgres", "PostgresStatus", "check_postgres", "find_server_bindir"]

log = logging.getLogger(__name__)

SERVER_CONF = """
# --- written by `rstat stack up` ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 200
shared_buffers = 256MB
max_wal_size = 4GB
logical_decoding_work_mem = 64MB
wal_sender_timeout = 60s
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
"""

HBA_CONF = """# written by `rstat stack up`: passwords over loopback only
host  all          all  127.0.0.1/32  scram-sha-256
host  replication  all  127.0.0.1/32  scram-sha-256
"""

INSTALL_HINT = "install the PostgreSQL server (apt-get install postgresql) or put pg_config on PATH"


class PostgresStatus(msgspec.Struct, frozen=True):
    """What ``rstat stack status`` prints for PostgreSQL."""

    healthy: bool
    mode: str
    version: str = ""
    wal_level: str = ""
    detail: str = ""


def find_server_bindir() -> Path:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres``: from pg_config, then Debian's versioned folders."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    versioned = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versioned]
    candidates += [Path(p) for p in sorted(glob.glob("/usr/pgsql-*/bin"), reverse=True)]
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise MissingPrerequisiteError(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: {INSTALL_HINT}")


def check_postgres(dsn: str) -> PostgresStatus:
    """Connect and read the version and ``wal_level``; unhealthy unless logical decoding is possible."""
    try:
        with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            wal_level = str(conn.execute("SHOW wal_level").fetchone()[0])  # type: ignore[index]
    except psycopg.Error as exc:
        return PostgresStatus(healthy=False, mode="", detail=f"cannot connect: {str(exc).strip()}")
    if wal_level != "logical":
        return PostgresStatus(
            healthy=False,
            mode="",
            version=version,
            wal_level=wal_level,
            detail=(
                f"wal_level is {wal_level}; logical replication needs wal_level = logical: run "
                "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"
            ),
        )
    return PostgresStatus(healthy=True, mode="", version=version, wal_level=wal_level)


class LocalPostgres:
    """A private cluster under ``<stack home>/postgres`` on a loopback port."""

    def __init__(self, stack: StackSettings, settings: PostgresSettings) -> None:
        self.settings = settings
        self.root = stack.home_path / "postgres"
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.os_user = stack.pg_os_user if os.geteuid() == 0 else None
        self.timeout = stack.start_timeout_s

    # -- running binaries as the cluster's owner -------------------------------------------------------

    def _owner(self) -> pwd.struct_passwd | None:
        if self.os_user is None:
            return None
        try:
            return pwd.getpwnam(self.os_user)
        except KeyError:
            raise MissingPrerequisiteError(
                f"PostgreSQL cannot run as root and the OS user {self.os_user!r} does not exist: "
                f"create it (useradd --system {self.os_user}) or set RSTAT__STACK__PG_OS_USER"
            ) from None

    def _run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        owner = self._owner()
        cmd = [str(a) for a in args]
        kwargs: dict[str, object] = {}
        if owner is not None:
            kwargs = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            **kwargs,  # type: ignore[call-overload]
        )
        if check and result.returncode != 0:
            raise StackError(
                f"{Path(cmd[0]).name} failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()}"
            )
        return result  # type: ignore[no-any-return]

    def _chown(self, path: Path) -> None:
        owner = self._owner()
        if owner is not None:
            os.chown(path, owner.pw_uid, owner.pw_gid)

    # -- life cycle ----------------------------------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def pid(self) -> int | None:
        """The postmaster's pid when it is running on this data folder."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError, PermissionError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return None
        return pid if str(self.data).encode() in cmdline else None

    def init(self) -> bool:
        """``initdb`` the cluster once; False when it already exists."""
        if self.initialized:
            return False
        bindir = find_server_bindir()
        self.root.mkdir(parents=True, exist_ok=True)
        self._chown(self.root)
        self._check_traversable()
        with tempfile.NamedTemporaryFile("w", dir=self.root, delete=False) as pw:
            pw.write(self.settings.superuser_password.reveal() + "\n")
        pwfile = Path(pw.name)
        try:
            self._chown(pwfile)
            self._run(
                bindir / "initdb",
                "-D",
                self.data,
                "-U",
                self.settings.superuser,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SERVER_CONF)
        (self.data / "pg_hba.conf").write_text(HBA_CONF)
        return True

    def _check_traversable(self) -> None:
        """Let the server's OS user reach its folder: add o+x to parents that lack it (root only).

        A clone inside a private folder (``mktemp -d`` makes mode 700) would otherwise be unreachable for
        the unprivileged user; search permission lets it pass through without reading anything there.
        """
        owner = self._owner()
        if owner is None:
            return
        for parent in reversed(self.root.parents):
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                log.warning("giving %s o+x so PostgreSQL's OS user %s can reach %s", parent, owner.pw_name, self.root)
                parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        probe = self._run("test", "-w", self.root, check=False)
        if probe.returncode != 0:
            raise StackError(
                f"the OS user {owner.pw_name} cannot write to {self.root}; "
                "set RSTAT__STACK__HOME to a folder it can reach"
            )

    def start(self) -> bool:
        """Start the server; False when it was already running."""
        if self.pid() is not None:
            return False
        require_free_port(self.settings.port, "PostgreSQL", "RSTAT__POSTGRES__PORT")
        bindir = find_server_bindir()
        self.logfile.touch(exist_ok=True)
        self._chown(self.logfile)
        self._run(
            bindir / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.logfile,
            "-w",
            "-t",
            str(int(self.timeout)),
            "-o",
            f"-c port={self.settings.port} -c listen_addresses={self.settings.host}",
            "start",
        )
        return True

    def stop(self) -> bool:
        """Fast shutdown (open transactions roll back, data is kept); False when it was not running."""
        if self.pid() is None:
            return False
        self._run(find_server_bindir() / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        return True

    def bootstrap(self) -> None:
        """Create the application and replication roles and the database; keep passwords as configured."""
        s = self.settings
        with psycopg.connect(s.admin_dsn("postgres"), autocommit=True, connect_timeout=5) as conn:
            for user, password, attrs in (
                (s.app_user, s.app_password, sql.SQL("LOGIN")),
                (s.replication_user, s.replication_password, sql.SQL("LOGIN REPLICATION")),
            ):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
                verb = sql.SQL("ALTER") if exists else sql.SQL("CREATE")
                conn.execute(
                    sql.SQL("{} ROLE {} WITH {} PASSWORD {}").format(
                        verb, sql.Identifier(user), attrs, sql.Literal(password.reveal())
                    )
                )
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (s.database,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(s.database)))

    def status(self) -> PostgresStatus:
        mode = f"local cluster, 127.0.0.1:{self.settings.port}"
        if self.pid() is None:
            detail = "not running: run `rstat stack up`"
            if port_open(self.settings.port):
                detail = f"port {self.settings.port} is held by another program"
            return PostgresStatus(healthy=False, mode=mode, detail=detail)
        checked = check_postgres(self.settings.admin_dsn("postgres"))
        return msgspec.structs.replace(checked, mode=mode)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(FileNotFoundError):
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        return ""
