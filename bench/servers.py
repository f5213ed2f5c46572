"""Start and stop the portal's processes for a bench run: gunicorn, Celery workers and beat.

Each process gets a session of its own so that, at the end, its whole
group (gunicorn's workers, Celery's pool children) can be stopped by the id
of the process this module started, and nothing is left behind.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def died(self) -> bool:
        return self.popen is not None and self.popen.poll() is not None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a graceful stop for gunicorn and Celery), then SIGKILL the group."""
        if self.popen is None:
            return
        group = self.popen.pid  # the session leader's id is the group id
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        # Children that outlived their parent (a worker mid-request).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)

    def group_alive(self) -> bool:
        if self.popen is None:
            return False
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True


def gunicorn(*, env: dict[str, str], port: int, workers: int, worker_class: str, threads: int, log: Path) -> Process:
    # No --access-logfile: the access log is off, as the bench should
    # measure the application rather than the log writes.
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
    ]
    return Process(f"gunicorn :{port}", command, env=env, log=log)


def celery_worker(
    *, env: dict[str, str], log: Path, hostname: str = "bench@%h", concurrency: int = 1, loglevel: str = "WARNING"
) -> Process:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--queues",
        "intake,communications,default",
        "--concurrency",
        str(concurrency),
        "--hostname",
        hostname,
        "--loglevel",
        loglevel,
    ]
    return Process(f"celery worker {hostname.split('@')[0]}", command, env=env, log=log)


def celery_beat(*, env: dict[str, str], log: Path, schedule: Path) -> Process:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "beat",
        "--schedule",
        str(schedule),
        "--loglevel",
        "WARNING",
    ]
    return Process("celery beat", command, env=env, log=log)


def wait_for_http(process: Process, *, port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.died():
            raise RuntimeError(f"{process.name} exited at start:\n{process.tail()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not answer {path} within {timeout:.0f}s:\n{process.tail()}")


def wait_for(process: Process, predicate, *, timeout: float = 60.0, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.died():
            raise RuntimeError(f"{process.name} exited at start:\n{process.tail()}")
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}:\n{process.tail()}")
