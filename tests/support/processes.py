"""Real Celery worker and beat processes for tests, started on the test database."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

BASE_DIR = Path(__file__).resolve().parents[2]


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def test_database_env() -> dict[str, str]:
    """The environment of this test run, pointed at the test database."""
    name = settings.DATABASES["default"]["NAME"]
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    return {**os.environ, "DATABASE_URL": url}


class CeleryProcess:
    """A `celery -A portal <kind>` subprocess whose output goes to a file."""

    kind: str
    heartbeat_key: str
    arguments: list[str]

    def __init__(self, **env: str) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix=f"celery-{self.kind}-", suffix=".log")[1])

    def start(self) -> None:
        since = time.time()
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", self.kind, *self.arguments],
                cwd=BASE_DIR,
                env={**test_database_env(), **self.env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so kill() reaches the pool too
            )
        wait_for(
            lambda: (cache.get(self.heartbeat_key) or 0) >= since or self._died(),
            timeout=60,
            message=f"celery {self.kind} to start (log: {self.log})",
        )
        if self._died():
            raise RuntimeError(f"celery {self.kind} exited at start:\n{self.output()}")

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # A prefork worker's children outlive a SIGKILLed parent for a moment.
        self.process = None

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a crash or an OOM kill would."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Worker(CeleryProcess):
    kind = "worker"
    heartbeat_key = "health:worker"

    def __init__(self, **env: str) -> None:
        super().__init__(**env)
        self.arguments = [
            "--queues",
            "intake,communications,default",
            "--concurrency",
            "1",
            "--include",
            "tests.support.tasks",
            "--hostname",
            f"test-{uuid.uuid4().hex[:8]}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]


class Beat(CeleryProcess):
    kind = "beat"
    heartbeat_key = "health:beat"

    def __init__(self, **env: str) -> None:
        super().__init__(**env)
        schedule = Path(tempfile.mkdtemp(prefix="celery-beat-")) / "schedule"
        self.arguments = ["--schedule", str(schedule), "--loglevel", "INFO"]
