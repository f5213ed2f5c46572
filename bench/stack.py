"""The portal as production runs it, for a bench: environment, database, gunicorn, Celery workers and beat.

Every bench script starts the same way: an environment like production's
(DEBUG off, plain HTTP on 127.0.0.1, static files collected), migrate and
collectstatic through manage.py, Django set up in the bench process with the
same environment, then gunicorn and Celery started as separate processes
(bench/servers.py) and waited for. This module holds those steps once:

    env = stack.environment(data)              # bench.settings: the portal + /bench/ baselines
    stack.prepare(env, logs / "prepare.log")   # migrate, collectstatic, django.setup() here
    with stack.Stack(env, logs, webs=1, workers=1, beat=False) as running:
        running.ports, running.meter(), running.check()
    stack.drain(running.workers, meter)        # until every submission is screened

It also measures the version of the code and the processes of the database
and Redis, for the CPU accounting of bench/cpu.py.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import cpu, servers

BASE_DIR = Path(__file__).resolve().parent.parent


def servers_at_hand(script: str, data: str) -> bool:
    """True with DATABASE_URL and REDIS_URL set; else say how to run the bench, and stop on SIGTERM from now on.

    portal.embedded forwards SIGTERM to the bench: exiting through sys.exit
    lets the bench stop the servers it started on the way out.
    """
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print(
            "DATABASE_URL and REDIS_URL are unset. Run through the embedded servers:\n"
            f"  python -m portal.embedded --data {data} -- python bench/{script}",
            file=sys.stderr,
        )
        return False
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return True


def environment(data: Path, *, settings: str = "bench.settings", **extra: str) -> dict[str, str]:
    """The environment of every process of a run: production-like, on plain HTTP at 127.0.0.1.

    `bench.settings` is the portal's settings with the baseline views of bench/urls.py
    mounted and the per-address submission limit lifted (all bench load comes from one
    address); `portal.settings` is the portal exactly as deployed.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "0",
        "HTTPS": "0",  # plain HTTP on 127.0.0.1; no redirect, no secure-only cookies
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(data / "staticfiles"),
        "LOG_LEVEL": "WARNING",
        # No mail server here: urgent-case notices and reminders stay in memory.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **extra,
    }


def code_version() -> dict:
    """The commit measured, and whether the working tree differed from it."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=BASE_DIR, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD") or None, "uncommitted_changes": bool(changed)}


def manage(env: dict[str, str], log: Path, *command: str) -> bool:
    print(f"  manage.py {' '.join(command)}", flush=True)
    with log.open("ab") as output:
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return done.returncode == 0


def prepare(env: dict[str, str], log: Path) -> None:
    """Migrate and collect the static files as a deployment does, then set Django up in this process."""
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v0")):
        if not manage(env, log, *command):
            raise SystemExit(f"{command[0]} failed; see {log}")
    os.environ.update(env)
    import django

    django.setup()


def database_and_redis_pids() -> dict[str, int | None]:
    """The PostgreSQL postmaster and the Redis server, when they run on this machine."""
    import redis
    from django.db import connection

    pids: dict[str, int | None] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        pids["postgres"] = cpu.parent_of(backend)  # the postmaster; our own backend is one of its children
    finally:
        connection.close()
    with contextlib.suppress(redis.RedisError, KeyError, ValueError):
        pids["redis"] = int(redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"])
    return pids


def unscreened() -> int:
    from django.db import connection

    from submissions.models import Submission

    try:
        return Submission.objects.unscreened().count()
    finally:
        connection.close()


def drain(workers, meter=dict, *, stall: float = 30.0) -> dict:
    """Wait until the Celery workers have screened every submission; how long it took and what it cost.

    `workers` is one servers.Process or several; `meter` a bench/cpu.py Meter (or `dict`: no accounting).
    """
    workers = [workers] if isinstance(workers, servers.Process) else list(workers)
    began, before = time.perf_counter(), meter()
    backlog = unscreened()
    left, progress = backlog, began
    while left:
        for worker in workers:
            if worker.died():
                raise RuntimeError(f"{worker.name} died:\n{worker.tail()}")
        if time.perf_counter() - progress > stall:
            raise RuntimeError(f"the Celery workers screened nothing for {stall:.0f}s; {left} submissions left")
        time.sleep(0.2)
        now = unscreened()
        if now < left:
            progress = time.perf_counter()
        left = now
    after = meter()
    return {
        "backlog": backlog,
        "seconds": time.perf_counter() - began if backlog else 0.0,
        "celery_cpu_seconds": after.get("celery", 0.0) - before.get("celery", 0.0),
    }


def heartbeat_since(since: float, key: str = "health:worker"):
    """A predicate: has a worker (or beat, with key "health:beat") recorded its heartbeat since `since`?"""
    from django.core.cache import cache

    return lambda: (cache.get(key) or 0) >= since


def worker_ready_since(since: float):
    return heartbeat_since(since, "health:worker")


class Stack:
    """gunicorn instances, Celery workers and beat, started together and stopped together.

    Several instances of each stand for several machines sharing one
    PostgreSQL and one Redis: each its own process group, port, worker name
    and beat schedule file; nothing shared but the database and the broker.
    """

    def __init__(
        self,
        env: dict[str, str],
        logs: Path,
        *,
        webs: int = 1,
        workers: int = 1,
        beat: bool = False,
        gunicorn_workers: int = 4,
        worker_class: str = "gthread",
        threads: int = 2,
        concurrency: int = 1,
        worker_loglevel: str = "WARNING",
        ready_path: str = "/",
    ):
        self.env = env
        self.ready_path = ready_path
        self.ports = [servers.free_port() for _ in range(webs)]
        self.webs = [
            servers.gunicorn(
                env=env,
                port=port,
                workers=gunicorn_workers,
                worker_class=worker_class,
                threads=threads,
                log=logs / (f"gunicorn-{n}.log" if webs > 1 else "gunicorn.log"),
            )
            for n, port in enumerate(self.ports, 1)
        ]
        self.workers = [
            servers.celery_worker(
                env=env,
                log=logs / (f"celery-{n}.log" if workers > 1 else "celery.log"),
                hostname=f"bench{n}@%h" if workers > 1 else "bench@%h",
                concurrency=concurrency,
                loglevel=worker_loglevel,
            )
            for n in range(1, workers + 1)
        ]
        # Its own schedule file: the default one under .data/ is shared by every checkout's runs.
        schedule = logs / "celerybeat-schedule"
        self.beat = servers.celery_beat(env=env, log=logs / "beat.log", schedule=schedule) if beat else None
        self.processes = [*self.workers, *([self.beat] if self.beat else []), *self.webs]

    @property
    def port(self) -> int:
        return self.ports[0]

    def start(self, *, timeout: float = 90.0) -> None:
        since = time.time()
        for process in self.processes:
            process.start()
        if self.workers:
            ready = worker_ready_since(since)
            servers.wait_for(self.workers[0], ready, timeout=timeout, what="a Celery worker's heartbeat")
        if self.beat:
            ready = heartbeat_since(since, "health:beat")
            servers.wait_for(self.beat, ready, timeout=timeout, what="beat's heartbeat")
        for web, port in zip(self.webs, self.ports, strict=True):
            servers.wait_for_http(web, port=port, path=self.ready_path, timeout=timeout)

    def pids(self) -> dict[str, list[int]]:
        """The process-group leaders per part, for cpu.Meter (beat counts with Celery)."""
        celery = [process.popen.pid for process in (*self.workers, *([self.beat] if self.beat else []))]
        return {"gunicorn": [web.popen.pid for web in self.webs], "celery": celery}

    def meter(self) -> cpu.Meter:
        return cpu.Meter({**self.pids(), **database_and_redis_pids()})

    def check(self) -> None:
        """Raise if any process of the stack has died."""
        for process in self.processes:
            if process.died():
                raise RuntimeError(f"{process.name} died during the run:\n{process.tail()}")

    def stop(self) -> list[str]:
        """Stop everything (web first, so that no request queues work for a stopped worker); what outlived it."""
        for process in reversed(self.processes):
            process.stop()
        left = [process.name for process in self.processes if process.group_alive()]
        if left:
            print(f"WARNING: still running after stop: {', '.join(left)}", file=sys.stderr)
        return left

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
