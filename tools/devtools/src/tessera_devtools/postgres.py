"""A throw-away PostgreSQL cluster as a local process, and per-service roles and databases on any server."""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlsplit

from tessera_devtools.asyncutil import run_sync
from tessera_devtools.layout import free_port
from tessera_devtools.process import ComponentError, ManagedProcess, progress, run_step, spawn, wait_until
from tessera_devtools.session import RunSession

NAME = "postgres"
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "postgres"
READY_TIMEOUT = 60.0
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_bindir() -> Path | None:
    """PostgreSQL's server binaries: ``$TESSERA_PG_BINDIR``, the newest Debian one, or initdb's folder."""
    override = os.environ.get("TESSERA_PG_BINDIR")
    if override:
        return Path(override)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if debian:
        return debian[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: as root we run it as the ``postgres`` user."""
    return SUPERUSER if os.geteuid() == 0 else None


def _usable_by(user: str, folder: Path) -> bool:
    probe = ["test", "-w", str(folder), "-a", "-x", str(folder)]
    return subprocess.run(probe, user=user, group=pwd.getpwnam(user).pw_gid, check=False).returncode == 0


def _give_to(user: str | None, folder: Path) -> None:
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o700)


def _quote_identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe PostgreSQL identifier: {name!r}")
    return f'"{name}"'


def database_url(admin_dsn: str, role: str, password: str, database: str) -> str:
    """A ``postgresql+asyncpg://`` URL for ``role`` on the server of ``admin_dsn`` (its query kept)."""
    parts = urlsplit(admin_dsn)
    host = parts.hostname or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql+asyncpg://{quote(role)}:{quote(password, safe='')}@{host}{port}/{database}{query}"


async def _execute(admin_dsn: str, statements: list[str]) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _answers(admin_dsn: str) -> bool:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn, timeout=2)
    try:
        return bool(await connection.fetchval("SELECT 1") == 1)
    finally:
        await connection.close()


def postgres_answers(admin_dsn: str) -> bool:
    """Whether the server accepts the admin DSN and answers ``SELECT 1``."""
    try:
        return run_sync(lambda: _answers(admin_dsn))
    except Exception:
        return False


def _create_statements(name: str, password: str) -> list[str]:
    ident = _quote_identifier(name)
    secret = password.replace("'", "''")
    return [
        f"CREATE ROLE {ident} LOGIN PASSWORD '{secret}'",
        f"GRANT {ident} TO CURRENT_USER",
        f"CREATE DATABASE {ident} OWNER {ident} TEMPLATE template0",
    ]


def provision_databases(
    admin_dsn: str, services: Iterable[str], *, suffix: str = "", password: str | None = None
) -> dict[str, str]:
    """Create one role and one database (owned by it) per service, named ``<service><suffix>``.

    Returns service name -> ``postgresql+asyncpg://`` URL. A random password is used unless one is given.
    """
    urls: dict[str, str] = {}
    statements: list[str] = []
    for service in services:
        name = f"{service}{suffix}"
        secret = password if password is not None else name if suffix == "" else secrets.token_hex(12)
        statements += _create_statements(name, secret)
        urls[service] = database_url(admin_dsn, name, secret, name)
    run_sync(lambda: _execute(admin_dsn, statements))
    return urls


def drop_databases(admin_dsn: str, names: Iterable[str]) -> None:
    """Drop each database (disconnecting its clients) and the role of the same name."""
    statements: list[str] = []
    for name in names:
        ident = _quote_identifier(name)
        statements += [f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)", f"DROP ROLE IF EXISTS {ident}"]
    run_sync(lambda: _execute(admin_dsn, statements))


def unique_name(hint: str) -> str:
    """A fresh database name from ``hint``: lower case, ``[a-z0-9_]``, with a random suffix."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", hint.lower()).strip("_") or "db"
    if not cleaned[0].isalpha():
        cleaned = f"db_{cleaned}"
    return f"{cleaned[:40]}_{uuid.uuid4().hex[:10]}"


async def create_database_async(admin_dsn: str, hint: str = "test") -> tuple[str, str]:
    """Create a uniquely named database and its owner role; return (name, ``postgresql+asyncpg://`` URL)."""
    name = unique_name(hint)
    password = secrets.token_hex(12)
    await _execute(admin_dsn, _create_statements(name, password))
    return name, database_url(admin_dsn, name, password, name)


class LocalPostgres:
    """A PostgreSQL cluster made by initdb for this run and run as a child process."""

    name = NAME

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(NAME)
        self.process: ManagedProcess | None = None

    def _folder(self, user: str | None) -> Path:
        folder = self.session.layout.data(NAME)
        _give_to(user, folder)
        if user is None or _usable_by(user, folder):
            return folder
        folder = Path(tempfile.mkdtemp(prefix=f"tessera-{self.session.layout.run_name}-postgres-"))
        self.session.add_cleanup(folder)
        _give_to(user, folder)
        return folder

    def _initdb(self, bindir: Path, folder: Path, user: str | None) -> Path:
        pwfile = folder / "pwfile"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        _give_to(user, folder)
        if user is not None:
            os.chown(pwfile, pwd.getpwnam(user).pw_uid, -1)
        data = folder / "data"
        command = [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}"]
        options = ["-A", "scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        run_step(NAME, [*command, *options], self.log_path, user=user, timeout=120)
        pwfile.unlink()
        return data

    def _launch(self, bindir: Path, data: Path, user: str | None) -> int:
        """Start ``postgres`` on a free port of 127.0.0.1; return the port."""
        port = free_port()
        settings = [f"{key}={value}" for key, value in {**SERVER_SETTINGS, "port": str(port)}.items()]
        command = [str(bindir / "postgres"), "-D", str(data), *[arg for s in settings for arg in ("-c", s)]]
        self.process = spawn(NAME, command, self.log_path, user=user, stop_signal=signal.SIGINT, append=True)
        self.session.add_process(self.process, match=str(data))
        return port

    def start(self) -> str:
        """Create and start the cluster; return the superuser DSN once it answers."""
        self.log_path.write_bytes(b"")
        bindir = find_bindir()
        if bindir is None or not (bindir / "postgres").is_file():
            problem = "PostgreSQL server binaries not found (set TESSERA_PG_BINDIR)"
            raise ComponentError(NAME, problem, self.log_path)
        started = time.monotonic()
        user = _server_user()
        port = self._launch(bindir, self._initdb(bindir, self._folder(user), user), user)
        dsn = f"postgresql://{SUPERUSER}:{SUPERUSER_PASSWORD}@127.0.0.1:{port}/postgres"
        wait_until(
            NAME,
            lambda: postgres_answers(dsn),
            timeout=READY_TIMEOUT,
            log_path=self.log_path,
            process=self.process,
        )
        progress(NAME, f"ready on 127.0.0.1:{port} ({time.monotonic() - started:.1f} s)")
        return dsn

    def stop(self) -> None:
        """Fast shutdown (SIGINT disconnects clients), SIGKILL after 10 s."""
        if self.process is not None:
            self.process.stop()
            self.session.remove_process(self.process)
            self.process = None
