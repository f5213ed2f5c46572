"""Real Celery worker and beat processes for tests, started on the test database."""

import contextlib
import os
import socket
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from kombu.exceptions import OperationalError

from portal import embedded
from portal.celery import QUEUES, app, heartbeat_key
from portal.embedded import BASE_DIR, wait_for

__all__ = ["BASE_DIR", "LOCAL_MAIL", "Beat", "Worker", "test_database_env", "wait_for", "waiting_for_a_lock"]

# Mail of the workers and servers a test starts, kept in their own memory: nothing leaves the machine.
LOCAL_MAIL = "django.core.mail.backends.locmem.EmailBackend"


def test_database_env() -> dict[str, str]:
    """The environment of this test run, pointed at the test database.

    On the launcher's embedded server (APP_DATABASE_URL given), as the application's role, as the
    portal's workers run: what they do must work under the role that cannot rewrite the audit. The
    tests themselves stay the owner, which creates and flushes the test databases.
    """
    name = settings.DATABASES["default"]["NAME"]
    url = urlsplit(os.environ.get("APP_DATABASE_URL") or os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("APP_DATABASE_URL", None)
    return env


def waiting_for_a_lock(connection) -> bool:
    """Is a session of this test database (not another xdist worker's) waiting for a lock?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


class CeleryProcess:
    """A `celery -A portal <kind>` subprocess (portal.embedded.Process) whose output goes to a file."""

    kind: str
    heartbeat_key: str
    arguments: list[str]

    def __init__(self, **env: str) -> None:
        self.env = env
        self.log = Path(tempfile.mkstemp(prefix=f"celery-{self.kind}-", suffix=".log")[1])
        self.process: embedded.Process | None = None

    def start(self) -> None:
        since = time.time()
        self.process = embedded.celery(
            self.kind, *self.arguments, env={**test_database_env(), **self.env}, log=self.log
        ).start()
        self.process.wait_until(
            lambda: (cache.get(self.heartbeat_key) or 0) >= since, timeout=60, what=f"celery {self.kind} to start"
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM: the worker finishes its task; then what is left of its group is killed."""
        if self.process is not None:
            self.process.stop(timeout=30)
            self.process = None

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a crash or an OOM kill would."""
        if self.process is not None:
            self.process.kill()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Worker(CeleryProcess):
    kind = "worker"

    def __init__(self, *, queues: tuple[str, ...] = QUEUES, **env: str) -> None:
        super().__init__(**env)
        self.heartbeat_key = heartbeat_key(queues[0])
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.arguments = [
            "--queues", ",".join(queues),
            "--concurrency", "1",
            "--include", "tests.support.tasks",
            "--hostname", self.hostname,
            "--loglevel", "INFO",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip

    def stop(self) -> None:
        """Stopped at once when it holds no task (within 5 s); otherwise by SIGTERM, finishing its task first.

        Nothing is in flight to lose when no task is reserved or active, and a graceful stop of an idle worker
        takes Celery's shutdown about 2.7 s. A test often stops the worker as soon as it sees what a task did,
        while the task's result is still on its way from the pool's child to the worker: stopped by SIGTERM
        then, the worker no longer reads it, and the child waits 30 s for it to be read (billiard's
        Worker._ensure_messages_consumed) before it exits. The wait for "no task" waits for that result.
        """
        if self.process is not None and self.process.running():
            with contextlib.suppress(TimeoutError, OperationalError):  # no answer, or no broker to ask
                wait_for(self._holds_no_task, timeout=5, interval=0.05, message="the worker's last result")
                self.kill()
        super().stop()

    def _holds_no_task(self) -> bool:
        """The worker answers that no task is reserved or active: each result has been read and acknowledged."""
        inspect = app.control.inspect(destination=[self.hostname], timeout=0.5, limit=1)
        return all((ask() or {}).get(self.hostname) == [] for ask in (inspect.active, inspect.reserved))


class Beat(CeleryProcess):
    kind = "beat"
    heartbeat_key = "health:beat"

    def __init__(self, **env: str) -> None:
        super().__init__(**env)
        schedule = Path(tempfile.mkdtemp(prefix="celery-beat-")) / "schedule"
        self.arguments = ["--schedule", str(schedule), "--loglevel", "INFO"]
