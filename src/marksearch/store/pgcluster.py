"""A throwaway PostgreSQL cluster on loopback, for tests and benches.

:class:`PgServer` runs ``initdb`` into a temporary folder, starts the server
on a free port of 127.0.0.1 (and a Unix socket in that folder), and on
:meth:`PgServer.stop` stops it and deletes the folder.  The server binaries
come from the Debian packages (``apt-get install postgresql``): the newest
``/usr/lib/postgresql/*/bin`` is used, else ``pg_config --bindir``.

PostgreSQL refuses to run as root, so when this process is root the cluster
belongs to the ``postgres`` system user (created by the Debian package) and
every command runs through ``runuser``; otherwise it runs as the current user.

The cluster is unsafe by design (``fsync=off``, no full page writes): it only
lives as long as a test session or a bench.  Nothing here is needed to run
marksearch on a real server.

>>> server = PgServer()          # doctest: +SKIP
>>> url = server.start().create_database("register")  # doctest: +SKIP
>>> server.stop()                # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ClusterUnavailable", "PgServer", "free_port", "pg_binaries"]


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed here (the message says what to install)."""


def pg_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb``, else ``pg_config --bindir``."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        path = Path(out.stdout.strip())
        if (path / "initdb").exists():
            return path
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class PgServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, deleted on :meth:`stop`.

    ``settings`` are added to (and override) :attr:`SETTINGS`; ``user`` is the
    cluster's superuser, who connects without a password (``trust``) from
    loopback only.
    """

    SETTINGS: Mapping[str, str] = {
        "listen_addresses": "127.0.0.1", "fsync": "off", "synchronous_commit": "off",
        "full_page_writes": "off", "shared_buffers": "1GB", "maintenance_work_mem": "2GB",
        "work_mem": "64MB", "max_wal_size": "8GB", "checkpoint_timeout": "1h",
        "jit": "off", "autovacuum": "off",
    }

    def __init__(self, *, user: str = "bench", settings: Mapping[str, str] | None = None,
                 prefix: str = "bench-pg-") -> None:
        bindir = pg_binaries()
        if bindir is None:
            raise ClusterUnavailable("PostgreSQL is not installed (apt-get install postgresql postgresql-contrib)")
        self.bindir = bindir
        self.port = free_port()
        self.user = user
        self.settings = {**self.SETTINGS, **(settings or {})}
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.data = self.dir / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", self._system_user(), "--"]
            shutil.chown(self.dir, user=self._system_user())
        self.running = False
        self._names = itertools.count(1)

    @staticmethod
    def _system_user() -> str:
        import pwd

        for name in ("postgres", "marksearch-bench"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        subprocess.run(["useradd", "--system", "--no-create-home", "marksearch-bench"], check=True)
        return "marksearch-bench"

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(self._as + list(args), capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> PgServer:
        """initdb, then start the server and wait until it accepts connections."""
        atexit.register(self.stop)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        options += f" -p {self.port} -c unix_socket_directories={self.dir}"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        self.running = True
        return self

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq keywords for a database of this cluster."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """The ``postgresql://`` URL of a database of this cluster (what ``--db`` takes)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database (``t_1``, ``t_2``, ... unless named); returns its URL."""
        import psycopg
        from psycopg import sql

        name = name or f"t_{next(self._names)}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still on it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def log(self) -> str:
        """The server's log so far (for failure messages)."""
        try:
            return (self.dir / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster; safe to call twice."""
        if self.running:
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                          timeout=60)
            except (RuntimeError, subprocess.TimeoutExpired):
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
            self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)
        atexit.unregister(self.stop)
