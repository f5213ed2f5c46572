"""Heavy uploads take turns: one at a time per host, so that a flood of large reports cannot take the processors.

A report with three 7 MB files costs some 200 ms of CPU to parse, check, hash and seal, most of it holding
the interpreter's lock of its gunicorn process. Two clients posting such reports one after the other kept
both processors busy and the public archive waited (bench/flood.py). This WSGI middleware first reads a
large request body in full, with no turn held (a slow client holds only its own thread), then waits for
its turn, taken with an exclusive lock on a file that every gunicorn process of the host opens: the
kernel drops the lock of a process that dies. Small requests (pages, reports without files) never wait.

Nothing is refused: past `wait_seconds` without a turn, the request goes ahead anyway, so that a report
is never lost to a queue (the per-form and per-reference limits stop a flood earlier).
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.02


class HeavyUploadsTakeTurns:
    def __init__(self, application, *, lock_path: Path, heavy_bytes: int, wait_seconds: float):
        self.application = application
        self.lock_path = Path(lock_path)
        self.heavy_bytes = heavy_bytes
        self.wait_seconds = wait_seconds

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length < self.heavy_bytes:
            return self.application(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))  # what arrived, should the client have stopped short
        with _Turn(self.lock_path, self.wait_seconds):
            return self.application(environ, start_response)


class _Turn:
    def __init__(self, path: Path, wait_seconds: float):
        self.path = path
        self.wait_seconds = wait_seconds
        self.descriptor: int | None = None

    def __enter__(self) -> _Turn:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    logger.warning("a heavy upload went ahead after %.0f s without its turn", self.wait_seconds)
                    return self
                time.sleep(_POLL_SECONDS)

    def __exit__(self, *exc) -> None:
        os.close(self.descriptor)  # closing drops the lock, if it was taken
