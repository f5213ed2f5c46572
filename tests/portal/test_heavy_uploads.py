"""Heavy uploads take turns (portal.heavy_uploads): a flood of large reports cannot take every processor.

Each test runs real threads through the WSGI middleware, as gunicorn's threads do, with a lock file of
its own; the application behind it records what it received and how many requests it held at once.
"""

import io
import threading
import time

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
