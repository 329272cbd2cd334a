"""Start a real, throwaway PostgreSQL server for the test session (stdlib + psycopg only).

Usage::

    server = start_postgres(tmp_dir)          # initdb + pg_ctl start on 127.0.0.1:<free port>
    url = server.create_database("t_case1")   # SQLAlchemy URL of a fresh, empty database
    ...
    server.drop_database("t_case1")
    server.stop()                             # pg_ctl stop -m immediate, data dir removed

PostgreSQL refuses to run as root, so under root every server command runs as the existing
``postgres`` system user (created by Debian's postgresql package). No user is ever created here.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
RUN_AS_USER = "postgres"  # unprivileged OS user used when we are root
START_TIMEOUT_S = 30
_REQUIRED = ("initdb", "pg_ctl", "postgres")
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def find_pg_bin() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres: /usr/lib/postgresql/<newest>/bin, else PATH."""

    def version_key(p: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", p.parent.name)) or (0,)

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / exe, os.X_OK) for exe in _REQUIRED):
            return directory
    return None


def postgres_unavailable_reason() -> str | None:
    """Human-readable reason why start_postgres() cannot work here, or None if it should."""
    if find_pg_bin() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under "
            "/usr/lib/postgresql/*/bin or on PATH (Debian: apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS_USER)
        except KeyError:
            return (
                f"running as root but there is no '{RUN_AS_USER}' system user to run the "
                "server as (PostgreSQL refuses to run as root; install Debian's postgresql "
                "package or run the tests as an unprivileged user)"
            )
        if not shutil.which("runuser"):
            return "running as root but runuser (util-linux) is missing to drop privileges"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"<could not read {log}: {exc}>"


class PostgresServer:
    def __init__(self, bin_dir: Path, base_dir: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir / "sock"
        self.log_file = base_dir / "postgresql.log"
        self.port = port
        self._running = False

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{quote(dbname, safe='')}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=dbname,
            connect_timeout=5,
            autocommit=True,
        )

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` (dropping any leftover one); return its URL."""
        self.drop_database(name)
        with self.connect() as conn:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE template0")
            conn.execute(stmt.format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            force = sql.SQL(" WITH (FORCE)" if conn.info.server_version >= 130000 else "")
            stmt = sql.SQL("DROP DATABASE IF EXISTS {}{}")
            conn.execute(stmt.format(sql.Identifier(name), force))

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", RUN_AS_USER, "--", *cmd]
        return subprocess.run(
            cmd, cwd=self.base_dir, capture_output=True, text=True, timeout=timeout, check=False
        )

    def _start(self) -> None:
        res = self._run(
            *("pg_ctl", "start", "-w", "-t", str(START_TIMEOUT_S), "-D", str(self.data_dir)),
            *("-l", str(self.log_file), "-o", f"-p {self.port}"),
            timeout=START_TIMEOUT_S + 15,
        )
        self._running = True  # even on failure: make stop() try to clean up
        if res.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed ({res.returncode}): {res.stderr.strip()}")
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with self.connect() as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _halt(self) -> None:
        if self._running:
            self._running = False
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data_dir))

    def stop(self) -> None:
        """Stop the server immediately (idempotent) and delete its data directory."""
        self._halt()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _prepare_dirs(server: PostgresServer) -> None:
    owner = pwd.getpwnam(RUN_AS_USER) if os.geteuid() == 0 else None
    server.base_dir.mkdir(parents=True, exist_ok=True)
    for d in (server.data_dir, server.socket_dir):
        d.mkdir(mode=0o700)
    server.log_file.touch(mode=0o600)
    if owner is None:
        return
    for p in (server.data_dir, server.socket_dir, server.log_file):
        os.chown(p, owner.pw_uid, owner.pw_gid)
    # The postgres user must be able to traverse base_dir and all of its parents.
    for d in (server.base_dir, *server.base_dir.parents):
        mode = d.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(d, stat.S_IMODE(mode) | stat.S_IXOTH)


def start_postgres(base_dir: Path) -> PostgresServer:
    """initdb into ``base_dir``/data and start a server on a free 127.0.0.1 port."""
    reason = postgres_unavailable_reason()
    bin_dir = find_pg_bin()
    if reason is not None or bin_dir is None:
        raise RuntimeError(f"cannot start PostgreSQL: {reason}")
    server = PostgresServer(bin_dir, base_dir.resolve(), _free_port())
    _prepare_dirs(server)
    res = server._run(
        *("initdb", "-D", str(server.data_dir), "-U", SUPERUSER, "--auth=trust"),
        *("-E", "UTF8", "--no-locale", "--no-sync"),
    )
    if res.returncode != 0:
        raise RuntimeError(f"initdb failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    settings = {**_SERVER_SETTINGS, "unix_socket_directories": str(server.socket_dir)}
    conf = "".join(f"{k} = '{v.replace(chr(39), chr(39) * 2)}'\n" for k, v in settings.items())
    with (server.data_dir / "postgresql.conf").open("a") as f:  # keeps postgres ownership
        f.write("\n# tests/pg_server.py\n" + conf)
    for attempt in range(3):
        try:
            server._start()
            atexit.register(server.stop)  # safety net if the session dies before stop()
            return server
        except Exception as exc:
            server._halt()
            log = _log_tail(server.log_file)
            if attempt < 2 and "could not bind" in log:  # port race: retry with a new port
                server.port = _free_port()
                continue
            server.stop()
            raise RuntimeError(
                f"PostgreSQL failed to start: {exc}\n--- {server.log_file} (tail) ---\n{log}"
            ) from exc
    raise AssertionError("unreachable")
