"""Heavy uploads take turns (portal.heavy_uploads): a flood of large reports cannot take every processor.

Each test runs real threads through the WSGI middleware, as gunicorn's threads do, with a lock file of
its own; the application behind it records what it received and how many requests it held at once.
"""

import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path

import pytest

from portal.heavy_uploads import HeavyUploadsTakeTurns

HEAVY = 1024


class Recorder:
    """A WSGI application that reads the whole body, holds the request a moment and notes concurrency."""

    def __init__(self, hold_seconds: float = 0.05):
        self.hold_seconds = hold_seconds
        self.inside = 0
        self.most_inside = 0
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"] or 0))
        time.sleep(self.hold_seconds)
        with self.lock:
            self.inside -= 1
            self.bodies.append(body)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def post(application, body: bytes) -> float:
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    began = time.monotonic()
    assert b"".join(application(environ, lambda status, headers: None)) == b"ok"
    return time.monotonic() - began


def in_threads(*calls) -> list:
    results = [None] * len(calls)

    def run(index, call):
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_heavy_uploads_are_handled_one_at_a_time_with_every_byte(tmp_path):
    recorder = Recorder()
    gate = HeavyUploadsTakeTurns(recorder, lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=30)
    # Each thread opens the lock file itself, as each gunicorn process does.
    bodies = [bytes([number]) * (HEAVY * 50 + number) for number in range(4)]

    in_threads(*(lambda body=body: post(gate, body) for body in bodies))

    assert recorder.most_inside == 1
    assert sorted(recorder.bodies) == sorted(bodies)


def test_pages_and_small_posts_never_wait_for_a_heavy_upload(tmp_path):
    recorder = Recorder(hold_seconds=1.0)
    gate = HeavyUploadsTakeTurns(recorder, lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=30)
    quick = HeavyUploadsTakeTurns(
        Recorder(hold_seconds=0), lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=30
    )

    def small_post_while_heavy_is_held() -> float:
        while recorder.inside == 0:
            time.sleep(0.005)
        return post(quick, b"x" * (HEAVY - 1))

    heavy, small = in_threads(lambda: post(gate, b"x" * HEAVY * 10), small_post_while_heavy_is_held)

    assert small < heavy  # answered while the heavy upload still held its turn


def test_a_heavy_upload_goes_ahead_rather_than_waiting_without_end(tmp_path):
    holder = Recorder(hold_seconds=2.0)
    gate = HeavyUploadsTakeTurns(holder, lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=0.2)
    second = Recorder(hold_seconds=0)
    impatient = HeavyUploadsTakeTurns(second, lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=0.2)

    def after_the_first_took_its_turn() -> float:
        while holder.inside == 0:
            time.sleep(0.005)
        return post(impatient, b"y" * HEAVY * 3)

    first, waited = in_threads(lambda: post(gate, b"x" * HEAVY * 3), after_the_first_took_its_turn)

    assert second.bodies == [b"y" * HEAVY * 3]  # handled, every byte, though the turn was still taken
    assert waited < first


def where_it_ran():
    """The application of the upload process in the tests below: what it was given, and where it ran."""

    def application(environ, start_response):
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        autogroup = Path("/proc/self/autogroup")
        seen = {
            "pid": os.getpid(),
            "own_session": os.getsid(0) == os.getpid(),
            "nice": os.getpriority(os.PRIO_PROCESS, 0),
            "autogroup_nice": int(autogroup.read_text().split()[-1]) if autogroup.exists() else None,
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        if seen["path"] == "/die/":
            os._exit(1)  # as a process killed mid-request
        start_response(
            "201 Created", [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
        )
        return [json.dumps(seen).encode(), b"\n"]

    return application


def heavy_post(application, path: str, body: bytes) -> tuple[str, list, dict]:
    answer = {}
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "step=2", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "gunicorn.socket": object(),
    }  # fmt: skip
    content = b"".join(application(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    return answer["status"], answer["headers"], json.loads(content)


@pytest.fixture
def separate_gate(tmp_path):
    in_thread = Recorder(hold_seconds=0)
    gate = HeavyUploadsTakeTurns(
        in_thread, lock_path=tmp_path / "heavy.lock", heavy_bytes=HEAVY, wait_seconds=30,
        separate="tests.portal.test_heavy_uploads:where_it_ran",
    )  # fmt: skip
    yield gate, in_thread
    gate.uploads.close()


def test_a_heavy_upload_runs_in_a_process_of_its_own_at_the_lowest_priority_and_answers_in_full(separate_gate):
    gate, in_thread = separate_gate
    body = os.urandom(HEAVY * 300)

    status, headers, seen = heavy_post(gate, "/submit/", body)
    _, _, again = heavy_post(gate, "/submit/", body[::-1])

    assert status == "201 Created"
    assert headers == [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    assert seen["body_sha256"] == hashlib.sha256(body).hexdigest()  # every byte, and only those
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/submit/", "step=2")
    assert seen["pid"] != os.getpid() and seen["own_session"]
    assert seen["nice"] == 19 and seen["autogroup_nice"] in (None, 19)
    assert again["pid"] == seen["pid"]  # one process, started once
    assert again["body_sha256"] == hashlib.sha256(body[::-1]).hexdigest()
    assert in_thread.bodies == []
    # A small request stays in the calling thread.
    assert post(gate, b"x" * (HEAVY - 1)) >= 0 and in_thread.bodies == [b"x" * (HEAVY - 1)]


def test_when_the_upload_process_dies_the_request_is_handled_here_and_the_next_gets_a_new_one(separate_gate):
    gate, in_thread = separate_gate
    body = b"r" * HEAVY * 2
    _, _, first = heavy_post(gate, "/submit/", body)

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/die/", "QUERY_STRING": "", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}  # fmt: skip
    assert b"".join(gate(environ, lambda status, headers: None)) == b"ok"  # not lost: answered by the web process
    assert in_thread.bodies == [body]
    _, _, after = heavy_post(gate, "/submit/", body)

    assert after["pid"] not in (first["pid"], os.getpid())
