"""Faults of the web's servers: PostgreSQL restarted under load, a server crash before commit, the heavy reports'
process killed.

Each test kills servers of its own (tests.support.servers), never those of the test run, which may be the
machine's own. Redis killed mid-burst and a worker killed mid-release are in test_queue_faults.py: apart, the
two files run side by side.
"""

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from portal import embedded
from tests.support.intake import PERSONAL_VALUES, RECEIPT_REFERENCE, report_data
from tests.support.processes import BASE_DIR, LOCAL_MAIL, wait_for
from tests.support.servers import ThrowawayPostgres, ThrowawayRedis

pytestmark = pytest.mark.integration

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- PostgreSQL restarted under load ------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str
    began: float
    ended: float
    status: int
    body: str
    retry_after: str | None


class Browser:
    """A visitor over plain HTTP: one cookie jar (the CSRF cookie), the form's CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self, method: str, path: str, body: str | bytes | None = None, content_type: str | None = None
    ) -> tuple[int, str, str | None]:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, text, response.getheader("Retry-After")
        finally:
            conn.close()

    def open_form(self) -> None:
        status, text, _ = self.request("GET", "/submit/")
        assert status == 200, text[:500]
        self.csrf = CSRF_FIELD.search(text).group(1)

    def submit(self) -> tuple[int, str, str | None]:
        data = {**report_data(defenders=2), "action": "submit"}
        return self.request("POST", "/submit/", urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True))


def _load(port: int, kind: str, stop: threading.Event, answers: list) -> None:
    browser = Browser(port)
    if kind == "submit":
        browser.open_form()
    pages = ["/communications/", "/communications/?q=Khorog", "/submit/", "/ru/communications/"]
    turn = 0
    while not stop.is_set():
        began = time.monotonic()
        if kind == "submit":
            status, body, retry_after = browser.submit()
        else:
            status, body, retry_after = browser.request("GET", pages[turn % len(pages)])
            turn += 1
        answers.append(Answer(kind, began, time.monotonic(), status, body, retry_after))


@pytest.fixture(scope="module")
def portal_on_its_own_database():
    """gunicorn as in production (DEBUG off), on a PostgreSQL and a Redis of its own."""
    postgres, redis_server = ThrowawayPostgres(), ThrowawayRedis()
    work = Path(tempfile.mkdtemp(prefix="fault-web-"))
    log = work / "gunicorn.log"
    static_root = Path(django_settings.STATIC_ROOT)
    port = embedded.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root if (static_root / "staticfiles.json").exists() else work / "static"),
        "SUBMIT_LIMIT_PER_HOUR": "100000",
        "EMAIL_BACKEND": LOCAL_MAIL,
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = None
    try:
        postgres.start()
        redis_server.start()
        with log.open("ab") as output:
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env,
                           stdout=output, stderr=subprocess.STDOUT, check=True)  # fmt: skip
            # As at an installation: the office key that new cases are sealed to (its recovery key goes to the log).
            subprocess.run([sys.executable, "manage.py", "keys", "create-office-key"], cwd=BASE_DIR, env=env,
                           stdout=output, stderr=subprocess.STDOUT, check=True)  # fmt: skip
            if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
                subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR,
                               env=env, stdout=output, stderr=subprocess.STDOUT, check=True)  # fmt: skip
        gunicorn = embedded.gunicorn(env=env, port=port, log=log, workers=2, worker_class="gthread", threads=3)
        gunicorn.command += ["--graceful-timeout", "3"]
        gunicorn.start()
        gunicorn.wait_for_http(port=port, path="/submit/")
        yield port, postgres, gunicorn, log
    finally:
        if gunicorn is not None:
            gunicorn.stop(timeout=20)
        postgres.delete()
        redis_server.delete()
        shutil.rmtree(work, ignore_errors=True)


def _upload_processes(gunicorn) -> set[int]:
    """The heavy uploads' processes of gunicorn's workers (portal.heavy_uploads), not the resource tracker."""
    found = set()
    for worker in _children(gunicorn.pid):
        for child in _children(worker):
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"multiprocessing.spawn" in command and b"resource_tracker" not in command:
                found.add(child)
    return found


def _children(pid: int) -> list[int]:
    """The children of every thread of a process (a thread's children are listed under that thread)."""
    return [
        int(child) for task in Path(f"/proc/{pid}/task").glob("*") for child in (task / "children").read_text().split()
    ]


def test_heavy_reports_are_handled_by_a_process_at_the_lowest_priority_and_survive_its_death(
    portal_on_its_own_database,
):
    port, postgres, gunicorn, log = portal_on_its_own_database
    heavy = b"".join(b"Witness statement, line %d.\n" % number for number in range(60_000))
    assert len(heavy) > django_settings.HEAVY_UPLOAD_BYTES  # 1.6 MB

    def report() -> str:
        browser = Browser(port)
        browser.open_form()
        files = [SimpleUploadedFile("statement.txt", heavy, "text/plain")]
        data = {
            **report_data(defenders=2),
            "action": "submit",
            "csrfmiddlewaretoken": browser.csrf,
            "attachments-files": files,
        }
        status, page, _ = browser.request("POST", "/submit/", encode_multipart(BOUNDARY, data), MULTIPART_CONTENT)
        assert status == 200, page[-3000:]
        return RECEIPT_REFERENCE.search(page).group(1)

    first = report()
    processes = _upload_processes(gunicorn)
    assert len(processes) == 1, processes
    (process,) = processes
    assert os.getsid(process) == process  # a session of its own: its nice value weighs against the web's
    assert os.getpriority(os.PRIO_PROCESS, process) == 19
    os.kill(process, signal.SIGKILL)

    after_its_death = report()  # handled by the web process, or by a new upload process
    third = report()

    stored = _stored_attachments(postgres)
    assert {reference: stored.get(reference) for reference in (first, after_its_death, third)} == {
        first: 1,
        after_its_death: 1,
        third: 1,
    }
    assert process not in _upload_processes(gunicorn)
    # A gunicorn worker killed (as its arbiter does past the timeout) takes its upload process with it.
    uploads = _upload_processes(gunicorn)
    assert uploads  # the third report's, at least
    for upload in uploads:
        worker = int(Path(f"/proc/{upload}/stat").read_text().rsplit(")", 1)[1].split()[1])
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda upload=upload: _ended(upload), timeout=10, message="the upload process ended")
    gunicorn.wait_for_http(port=port, path="/submit/")
    output = log.read_text(errors="replace")
    assert "Traceback" not in output, output[-6000:]
    assert [value for value in PERSONAL_VALUES if value in output] == []


def _ended(pid: int) -> bool:
    """Gone, or a zombie that nobody reaped (it runs no more)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _stored_attachments(postgres: ThrowawayPostgres) -> dict[str, int]:
    with contextlib.closing(postgres.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT s.reference, count(a.id) FROM submissions_submission s"
            " JOIN submissions_attachment a ON a.submission_id = s.id GROUP BY s.reference"
        )
        return dict(cursor.fetchall())


def _stored_submissions(postgres: ThrowawayPostgres) -> dict[str, tuple[int, int, int, int]]:
    """reference: (defenders, consents, status changes, of them 'received') of every stored submission."""
    with contextlib.closing(postgres.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.reference,
                   (SELECT count(*) FROM submissions_defender d WHERE d.submission_id = s.id),
                   (SELECT count(*) FROM submissions_consent c WHERE c.submission_id = s.id),
                   (SELECT count(*) FROM submissions_statuschange c WHERE c.submission_id = s.id),
                   (SELECT count(*) FROM submissions_statuschange c
                     WHERE c.submission_id = s.id AND c.to_status = 'received')
              FROM submissions_submission s
            """
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_postgresql_restarted_under_load_answers_a_clean_503_recovers_by_itself_and_stores_no_half_case(
    portal_on_its_own_database,
):
    port, postgres, gunicorn, log = portal_on_its_own_database
    answers: list[Answer] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(port, kind, stop, answers))
        for kind in ("submit", "submit", "submit", "submit", "page", "page")
    ]

    def receipts_since(moment: float) -> int:
        return sum(1 for a in list(answers) if a.kind == "submit" and a.status == 200 and a.began > moment)

    for thread in threads:
        thread.start()
    restarts: list[tuple[float, float]] = []
    try:
        wait_for(lambda: receipts_since(0) >= 6, timeout=60, message="the first receipts")
        for mode in ("fast", "immediate"):  # sessions ended cleanly; then a crash with recovery
            began = time.monotonic()
            postgres.restart(mode)
            restarts.append((began, time.monotonic()))
            wait_for(lambda: receipts_since(restarts[-1][1]) >= 6, timeout=60, message=f"receipts after {mode}")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    output = log.read_text(errors="replace")
    assert gunicorn.running()  # the same gunicorn throughout, never restarted
    answered = {(a.kind, a.status) for a in answers}
    assert answered <= {("submit", 200), ("submit", 503), ("page", 200), ("page", 503)}, output[-6000:]
    failed = [a for a in answers if a.status == 503]
    assert failed, "no request was in flight during the restarts"
    for answer in failed:
        # The 503 page, in the language of the page asked for.
        assert "Your request could not be completed" in answer.body or "Ваш запрос не удалось выполнить" in answer.body
        assert answer.retry_after == "30"
        leaks = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "terminating connection", "SELECT",
                 "INSERT", str(postgres.dir), *PERSONAL_VALUES)  # fmt: skip
        assert [leak for leak in leaks if leak in answer.body] == []
    # The portal recovered by itself: only a request in flight during a restart failed.
    assert [a for a in failed if not any(a.began < end and start < a.ended for start, end in restarts)] == []

    receipts = {RECEIPT_REFERENCE.search(a.body).group(1) for a in answers if a.kind == "submit" and a.status == 200}
    stored = _stored_submissions(postgres)
    assert receipts <= set(stored)
    assert {reference: rows for reference, rows in stored.items() if rows != (2, 1, 1, 1)} == {}
    assert "Traceback" not in output, output[-6000:]
    assert [value for value in PERSONAL_VALUES if value in output] == []


@contextlib.contextmanager
def _served_from(postgres: ThrowawayPostgres, django_db_blocker):
    """This process's queries go to the throwaway PostgreSQL, the test database's stay untouched."""
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(NAME=postgres.database, USER="postgres", PASSWORD="", HOST=str(postgres.dir))
    connection.settings_dict.update(PORT="")
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(real)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _crash_after_the_status_change(execute, sql, params, many, context):
    """The server process dies, as in an immediate shutdown, between the case's last INSERT and its COMMIT."""
    result = execute(sql, params, many, context)
    if sql.startswith('INSERT INTO "submissions_statuschange"'):
        pid = context["connection"].connection.info.backend_pid
        os.kill(pid, signal.SIGQUIT)
        wait_for(lambda: _gone(pid), timeout=10, message="the server process to end")
    return result


def test_a_server_crash_before_commit_answers_a_clean_503_and_stores_nothing(
    portal_on_its_own_database, django_db_blocker, settings
):
    _port, postgres, _gunicorn, _log = portal_on_its_own_database
    settings.SUBMIT_LIMIT_PER_HOUR = 1000
    client = Client()
    data = {**report_data(), "action": "submit"}
    with _served_from(postgres, django_db_blocker):
        stored = set(_stored_submissions(postgres))
        with connection.execute_wrapper(_crash_after_the_status_change):
            response = client.post("/submit/", data)
        body = response.content.decode()
        assert (response.status_code, response["Retry-After"]) == (503, "30")
        assert "Your request could not be completed" in body
        assert [leak for leak in ("Traceback", "DatabaseError", "psycopg", *PERSONAL_VALUES) if leak in body] == []

        def recovered() -> bool:  # PostgreSQL restarts every server process after a crash
            with contextlib.suppress(psycopg2.OperationalError):
                return set(_stored_submissions(postgres)) == stored
            return False

        wait_for(recovered, timeout=30, interval=0.2, message="PostgreSQL to recover, without the case")
        close_old_connections()  # what every request begins with, except under the test client
        assert client.get("/communications/").status_code == 200  # a new connection, no restart of anything
