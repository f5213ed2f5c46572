"""`make run` runs the portal as the application's database role, so the running portal has the audit's
guarantee: its web process (and its workers and beat) connect as `portal_app`, which cannot TRUNCATE or
ALTER the audit table.

The test takes `make run`'s own path (`python -m portal.embedded -- bin/serve`) on servers of its
own, in a temporary folder: the launcher starts PostgreSQL and Redis, bin/serve migrates as the
owner and starts gunicorn, the workers and beat (honcho, the Procfile); the test then reads the
database address from the running gunicorn's environment and asks the database who is connected.
"""

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg2
import psycopg2.errors
import pytest

from portal.embedded import APP_ROLE, BASE_DIR, Process, free_port, http_status

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.timeout(600)]

# The servers of the test run are not the ones `make run` would start.
SERVERS = ("DATABASE_URL", "APP_DATABASE_URL", "REDIS_URL", "RATELIMIT_REDIS_URL")


def _proc(pid: int, name: str) -> bytes:
    try:
        return (Path("/proc") / str(pid) / name).read_bytes()
    except OSError:
        return b""


def descendants(root: int) -> list[int]:
    """Every process below `root` (honcho starts each of the Procfile's in a session of its own)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc(int(entry.name), "stat").decode(errors="replace")
            if ")" in stat:
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def environment(pid: int) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in _proc(pid, "environ").decode(errors="replace").split("\0") if "=" in item)
    return dict(pairs)


def processes_of(root: int, program: str) -> list[int]:
    """The processes below `root` that run `program` (not the shell that honcho starts them with)."""
    found = []
    for pid in descendants(root):
        argv = _proc(pid, "cmdline").decode(errors="replace").split("\0")
        if argv and not argv[0].endswith("sh") and any(arg.endswith(program) for arg in argv[:3]):
            found.append(pid)
    return found


def gunicorn_master(root: int, port: int) -> int:
    for pid in descendants(root):
        argv = _proc(pid, "cmdline").decode(errors="replace").split("\0")
        if any(arg.endswith("gunicorn") for arg in argv[:2]) and f"127.0.0.1:{port}" in argv:
            return pid
    raise AssertionError(f"no gunicorn on port {port} below process {root}")


def connect(url: str):
    parts = urlsplit(url)
    return psycopg2.connect(dbname=parts.path.lstrip("/"), user=parts.username, host=unquote(parts.hostname or ""))


@pytest.fixture
def make_run():
    """`make run`'s command on servers of its own; (process, port); everything it started stopped after."""
    folder = Path(tempfile.mkdtemp(prefix="make-run-"))
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in SERVERS}
    env |= {"PORTAL_PORT": str(port), "STATIC_ROOT": str(folder / "static")}
    command = [sys.executable, "-m", "portal.embedded", "--data", str(folder / "data"), "--no-fsync", "--", "bin/serve"]
    process = Process("make run", command, env=env, log=folder / "make-run.log", cwd=BASE_DIR).start()
    started: list[int] = []
    try:
        # The archive reads the database: a page of it served means the web process is connected.
        process.wait_until(lambda: http_status(port, "/communications/") == 200, timeout=300, what="the portal")
        # /healthz answers 200 once every queue's worker and beat have written their heartbeat.
        process.wait_until(lambda: http_status(port, "/healthz") == 200, timeout=120, what="the workers and beat")
        started = descendants(process.pid)
        yield process, port
    finally:
        started += descendants(process.pid) if process.running() else []
        process.stop(timeout=60)
        for pid in started:  # anything honcho left behind, by its own id
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_web_process_of_make_run_connects_as_the_application_role(make_run):
    process, port = make_run
    web = environment(gunicorn_master(process.pid, port))
    app_url = web["DATABASE_URL"]
    assert urlsplit(app_url).username == APP_ROLE
    assert "APP_DATABASE_URL" not in web

    with connect(app_url) as app, app.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (APP_ROLE, False)
        cursor.execute("SELECT count(*) FROM portal_auditevent")  # it reads the audit...
        for statement in (
            "TRUNCATE portal_auditevent",
            "ALTER TABLE portal_auditevent DISABLE TRIGGER ALL",
            "DELETE FROM portal_auditevent",
        ):  # ...and cannot rewrite it
            cursor.execute("SAVEPOINT attempt")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute(statement)
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
    app.close()

    # The workers and beat too: every Celery process of the Procfile has the application's address.
    celery = processes_of(process.pid, "celery")
    assert celery
    assert {urlsplit(environment(pid)["DATABASE_URL"]).username for pid in celery} == {APP_ROLE}

    # Every session of the running portal (the web's kept connection, the workers') is the application's.
    owner_url = urlsplit(app_url)._replace(netloc=urlsplit(app_url).netloc.replace(APP_ROLE, "postgres", 1)).geturl()
    with connect(owner_url) as owner, owner.cursor() as cursor:
        cursor.execute(
            "SELECT usename FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        users = [row[0] for row in cursor.fetchall()]
    owner.close()
    assert users and set(users) == {APP_ROLE}, users
