"""The portal as production runs it, for a bench: options, environment, database, gunicorn, Celery workers and beat.

Every bench script starts the same way: an environment like production's
(DEBUG off, plain HTTP on 127.0.0.1, static files collected), migrate and
collectstatic through manage.py, Django set up in the bench process with the
same environment, then gunicorn and Celery started as separate processes by
portal.embedded, the portal's one launcher, and waited for. This module holds
those steps once:

    parser = stack.parser(__doc__, data=".data/bench")   # --workers, --threads, --data ...
    run = stack.begin("intake.py", parser.parse_args())  # None without servers; migrate, django.setup()
    with stack.Stack(run.env, run.logs, webs=1, workers=1, beat=False) as running:
        running.ports, running.meter(), running.check()
        stack.drain(running.workers, meter)               # until every submission is screened
    stack.save("intake", run, summary)                    # bench/results/intake-<stamp>.json

It also measures the version of the code and the processes of the database
and Redis, for the CPU accounting of bench/cpu.py.
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import cpu
from portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"


def parser(doc: str, *, data: str, windows: dict | None = None) -> argparse.ArgumentParser:
    """The options every bench has: gunicorn's workers and threads, and its folder.

    `windows` (clients, rounds, duration, warmup) adds the options of a bench
    that measures each target in timed windows of bench/load.py, with those defaults.
    """
    options = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if windows is not None:
        options.add_argument("--clients", type=int, default=windows["clients"], help="keep-alive connections")
        options.add_argument("--rounds", type=int, default=windows["rounds"], help="rounds over the targets")
        options.add_argument(
            "--duration", type=float, default=windows["duration"], help="seconds measured per target and round"
        )
        options.add_argument(
            "--warmup", type=float, default=windows["warmup"], help="seconds of warm-up per target and round"
        )
    options.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    options.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread)")
    options.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    options.add_argument("--data", default=str(BASE_DIR / data), help=f"static files and logs ({data})")
    return options


def gunicorn_options(args: argparse.Namespace) -> dict:
    """Stack's gunicorn keywords from the options of `parser`."""
    return {"gunicorn_workers": args.workers, "worker_class": args.worker_class, "threads": args.threads}


def window_options(args: argparse.Namespace, *, port: int, meter) -> dict:
    """load.run's keywords from the options of `parser(..., windows=...)`."""
    return {
        "host": HOST,
        "port": port,
        "clients": args.clients,
        "warmup": args.warmup,
        "duration": args.duration,
        "meter": meter,
    }


@dataclass
class Run:
    script: str
    env: dict[str, str]
    logs: Path
    stamp: str
    settings: dict


def begin(script: str, args: argparse.Namespace, *, settings: str = "bench.settings", **extra) -> Run | None:
    """Check that the servers are at hand, then migrate, collect static files and set Django up here.

    None, after saying how to run the bench, when they are not. `settings`
    is the Django settings module of every process (see `environment`);
    `extra`, more to record with the run's settings.
    """
    if not servers_at_hand(script, os.path.relpath(args.data, BASE_DIR)):
        return None
    data = Path(args.data).resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = environment(data, settings=settings)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    recorded = {
        "started": stamp,
        **{name: value for name, value in vars(args).items() if name != "data"},
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": sys.version.split()[0],
        **code_version(),
        **extra,
    }
    print(f"preparing the database and static files (DEBUG=0, {settings})", flush=True)
    log = logs / "prepare.log"
    log.write_text("")
    prepare(env, log)
    return Run(script, env, logs, stamp, recorded)


def save(run: Run, summary: dict) -> None:
    """bench/results/<script>-<stamp>.json (git-ignored)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{Path(run.script).stem}-{run.stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nresults: {path.relative_to(BASE_DIR)}")


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
        "MEDIA_ROOT": str(data / "media"),  # the run's attachment files beside its database
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
    # This process seeds and reads cases as staff do: with the benches' office key (bench/seeding.py).
    from bench.seeding import office_keyring
    from portal import sealing

    sealing._keyring.set(office_keyring())


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

    `workers` is one embedded.Process or several; `meter` a bench/cpu.py Meter (or `dict`: no accounting).
    The CPU each part used meanwhile is in `cpu`.
    """
    workers = [workers] if isinstance(workers, embedded.Process) else list(workers)
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
        "cpu": {name: after[name] - before.get(name, 0.0) for name in after},
    }


def heartbeat_since(since: float, key: str = "health:worker"):
    """A predicate: has a worker (or beat, with key "health:beat") recorded its heartbeat since `since`?"""
    from django.core.cache import cache

    return lambda: (cache.get(key) or 0) >= since


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
        self.ready_path = ready_path
        self.ports = [embedded.free_port() for _ in range(webs)]

        def log(name: str, n: int, of: int) -> Path:
            return logs / (f"{name}-{n}.log" if of > 1 else f"{name}.log")

        self.webs = [
            embedded.gunicorn(
                env=env,
                port=port,
                log=log("gunicorn", n, webs),
                workers=gunicorn_workers,
                worker_class=worker_class,
                threads=threads,
            )
            for n, port in enumerate(self.ports, 1)
        ]
        self.workers = []
        for n in range(1, workers + 1):
            name = f"bench{n}" if workers > 1 else "bench"
            self.workers.append(
                embedded.celery(
                    "worker",
                    *("--queues", "intake,communications,default", "--concurrency", str(concurrency)),
                    *("--hostname", f"{name}@%h", "--loglevel", worker_loglevel),
                    env=env,
                    log=log("celery", n, workers),
                    name=f"celery worker {name}",
                )
            )
        # Its own schedule file: the default one under .data/ is shared by every checkout's runs.
        schedule = str(logs / "celerybeat-schedule")
        arguments = ("--schedule", schedule, "--loglevel", "WARNING")
        self.beat = embedded.celery("beat", *arguments, env=env, log=logs / "beat.log") if beat else None
        self.processes = [*self.workers, *([self.beat] if self.beat else []), *self.webs]

    @property
    def port(self) -> int:
        return self.ports[0]

    def start(self, *, timeout: float = 90.0) -> None:
        since = time.time()
        for process in self.processes:
            process.start()
        if self.workers:
            self.workers[0].wait_until(heartbeat_since(since), timeout=timeout, what="a Celery worker's heartbeat")
        if self.beat:
            self.beat.wait_until(heartbeat_since(since, "health:beat"), timeout=timeout, what="beat's heartbeat")
        for web, port in zip(self.webs, self.ports, strict=True):
            web.wait_for_http(port=port, path=self.ready_path, timeout=timeout)

    def pids(self) -> dict[str, list[int]]:
        """The process-group leaders per part, for cpu.Meter (beat counts with Celery)."""
        celery = [process.pid for process in (*self.workers, *([self.beat] if self.beat else []))]
        return {"gunicorn": [web.pid for web in self.webs], "celery": celery}

    def meter(self) -> cpu.Meter:
        return cpu.Meter({**self.pids(), **database_and_redis_pids()})

    def check(self) -> None:
        """Raise if any process of the stack has died."""
        for process in self.processes:
            if process.died():
                raise RuntimeError(f"{process.name} died during the run:\n{process.tail()}")

    def stop(self) -> None:
        """Stop everything, web first, so that no request queues work for a stopped worker."""
        for process in reversed(self.processes):
            process.stop()

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
