"""Heavy uploads take turns, and run where they cannot slow a page: in a process of their own, at the lowest priority.

A report with three 7 MB files costs some 250 ms of CPU to parse, check, hash and seal, most of it holding
the interpreter's lock. In a gunicorn process that also serves pages, every page of that process waited for
the lock behind it, and two clients posting such reports one after the other held the public archive
(bench/flood.py). This WSGI middleware first reads a large request body in full, with no turn held (a slow
client, on Tor say, holds only its own thread), then waits for its turn, taken with an exclusive lock on a
file that every gunicorn process of the host opens (the kernel drops the lock of a process that dies), and
hands the request to its gunicorn process's upload process: one child, started at the first heavy request,
in a session of its own at the lowest priority (`portal.priority`), with an interpreter of its own. Pages
and small requests are served in gunicorn's threads as before and never wait.

Nothing is refused: past `wait_seconds` without a turn the request goes ahead anyway, and should the upload
process die (killed, out of memory) the request is handled in gunicorn's thread instead, so that a report is
never lost to the machinery (the per-form and per-reference limits stop a flood earlier).
"""

from __future__ import annotations

import fcntl
import importlib
import io
import logging
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from portal.priority import lowest_priority

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.02
_PARENT_CHECK_SECONDS = 1.0
# What of a WSGI environ crosses to the upload process: the CGI variables and the request's own facts,
# not gunicorn's socket, streams or file wrapper.
_PLAIN = (str, bytes, int, float, bool, tuple, type(None))


class HeavyUploadsTakeTurns:
    """`separate`: "module:factory" of the WSGI application the upload process runs; None handles heavy
    requests in the calling thread (as the turns' own tests do)."""

    def __init__(
        self, application, *, lock_path: Path, heavy_bytes: int, wait_seconds: float, separate: str | None = None
    ):
        self.application = application
        self.lock_path = Path(lock_path)
        self.heavy_bytes = heavy_bytes
        self.wait_seconds = wait_seconds
        self.uploads = UploadProcess(separate) if separate else None

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
            if self.uploads is not None:
                try:
                    status, headers, content = self.uploads.handle(environ, body)
                except BrokenProcessPool:
                    logger.warning("the upload process died: this request is handled by the web process")
                    environ["wsgi.input"] = io.BytesIO(body)
                else:
                    start_response(status, headers)
                    return [content]
            return self.application(environ, start_response)


class UploadProcess:
    """One child process per gunicorn process, started when first needed and again after it dies."""

    def __init__(self, factory: str):
        self.factory = factory
        self.lock = threading.Lock()
        self.executor: ProcessPoolExecutor | None = None

    def handle(self, environ: dict, body: bytes) -> tuple[str, list, bytes]:
        plain = {key: value for key, value in environ.items() if isinstance(value, _PLAIN)}
        executor = self._executor()
        try:
            return executor.submit(_handle, plain, body).result()
        except BrokenProcessPool:
            with self.lock:
                if self.executor is executor:
                    self.executor = None  # the next heavy request starts a new one
            raise

    def close(self) -> None:
        with self.lock:
            if self.executor is not None:
                self.executor.shutdown()
                self.executor = None

    def _executor(self) -> ProcessPoolExecutor:
        with self.lock:
            if self.executor is None:
                self.executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),  # not a fork of a threaded process
                    initializer=_start,
                    initargs=(self.factory,),
                )
            return self.executor


_application = None


def _start(factory: str) -> None:
    """In the upload process: the lowest priority, then the application (Django set up from the environment)."""
    global _application
    lowest_priority()
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    module, name = factory.split(":")
    _application = getattr(importlib.import_module(module), name)()


def _end_with(parent: int) -> None:
    """In the upload process: end when the gunicorn worker does, even killed (its pipe alone would not tell)."""
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(0)


def _handle(environ: dict, body: bytes) -> tuple[str, list, bytes]:
    """In the upload process: the whole request, its response read to the end and closed here."""
    answer: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=list(headers))
        return chunks.append

    environ = {**environ, "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr}
    response = _application(environ, start_response)
    try:
        chunks.extend(response)
    finally:
        if hasattr(response, "close"):
            response.close()  # Django's request_finished: connections closed or kept as after any request
    return answer["status"], answer["headers"], b"".join(chunks)


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
