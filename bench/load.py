"""A small closed-loop HTTP load generator: threads, keep-alive connections.

Each of `clients` threads owns one http.client connection and its own
cookies, as one browser would, and sends its next request as soon as the
previous answer has been read in full. Latency is measured per request on
the client side, from sending the request to reading the last byte.
Pure standard library, so a fresh machine needs nothing more than Python.
"""

import gzip
import http.client
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

# Connection-level failures after which the next request opens a new
# connection (http.client does so by itself once the old one is closed).
CONNECTION_ERRORS = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(body: bytes) -> str:
    """The CSRF token of a page's form; "" when it has none."""
    found = _CSRF_FIELD.search(body)
    return found.group(1).decode() if found else ""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    wire: bytes  # the body as sent, possibly compressed

    @property
    def body(self) -> bytes:
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            return gzip.decompress(self.wire)
        return self.wire


class Client:
    """One keep-alive connection with a cookie jar."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 30.0,
        accept_encoding: str = "gzip",
        source_address: str | None = None,
        max_idle: float | None = None,
    ):
        # A source address of 127.x.y.z makes the connection come from a client
        # of its own on loopback, as far as the portal's per-address limits can tell.
        source = (source_address, 0) if source_address else None
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=source)
        self.cookies: dict[str, str] = {}
        self.accept_encoding = accept_encoding
        self.state: dict = {}  # whatever a target keeps per client (a CSRF token)
        # A server closes a keep-alive connection after some idle time (gunicorn: 2 s), and a request
        # sent as it does fails. A browser then opens a new one; a client with `max_idle` does so first.
        self.max_idle = max_idle
        self.last_used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        sent = {"Accept-Encoding": self.accept_encoding, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.max_idle is not None and time.monotonic() - self.last_used > self.max_idle:
            self.connection.close()
        try:
            self.connection.request(method, path, body=body, headers=sent)
            answer = self.connection.getresponse()
            wire = answer.read()
        except CONNECTION_ERRORS:
            self.connection.close()
            raise
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if answer.will_close:
            self.connection.close()
        self.last_used = time.monotonic()
        return Response(answer.status, answer.headers, wire)

    def close(self) -> None:
        self.connection.close()


@dataclass
class Target:
    """What one request of a phase is.

    `setup` runs once per client before the clock starts (fetch a CSRF
    token); `call` sends one request and returns None when the answer is
    right, or a short reason when it is not.
    """

    name: str
    label: str
    call: Callable[[Client], str | None]
    setup: Callable[[Client], None] = lambda client: None


@dataclass
class Segment:
    """One measured window of one target: raw samples, to be merged across rounds."""

    seconds: float
    latencies: list[float]
    errors: list[str]
    cpu: dict[str, float]  # CPU seconds used during the window, per meter name


@dataclass
class Result:
    name: str
    label: str
    clients: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    cpu_cores: dict[str, float]  # mean CPU used during the windows, in cores, per meter name
    cpu_ms_per_request: dict[str, float]  # CPU milliseconds per successful request, per meter name
    error_samples: list[str] = field(default_factory=list)


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency(latencies: list[float]) -> dict[str, float]:
    """p50, p90, p95, p99 and max in milliseconds of latencies in seconds."""
    ordered = sorted(latencies)
    spread = {f"p{round(q * 100)}_ms": percentile(ordered, q) * 1000 for q in (0.5, 0.9, 0.95, 0.99)}
    return {**spread, "max_ms": ordered[-1] * 1000 if ordered else float("nan")}


def summary(latencies: list[float], errors: list[str]) -> dict:
    """Requests, errors (and a few of them) and the spread of latencies in seconds."""
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        **latency(latencies),
    }


def run(
    target: Target,
    *,
    host: str,
    port: int,
    clients: int,
    warmup: float,
    duration: float,
    meter: Callable[[], dict[str, float]] = dict,
) -> Segment:
    """Warm up for `warmup` seconds, then measure for `duration` seconds.

    `meter` returns cumulative CPU seconds by name; it is read at both ends
    of the measured window.
    """
    window: dict[str, float] = {}

    def open_window() -> None:
        # Runs once every client has done its setup: the warm-up starts now.
        now = time.perf_counter()
        window["start"] = now + warmup
        window["stop"] = now + warmup + duration

    ready = threading.Barrier(clients + 1, action=open_window)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        client = Client(host, port)
        mine: list[float] = []
        my_errors: list[str] = []
        try:
            target.setup(client)
        except Exception as error:  # counted below: the client never starts
            my_errors.append(f"setup: {type(error).__name__}: {error}")
        ready.wait()
        if my_errors:
            with lock:
                errors.extend(my_errors)
            return
        start, stop = window["start"], window["stop"]
        while True:
            began = time.perf_counter()
            if began >= stop:
                break
            try:
                problem = target.call(client)
            except Exception as error:
                problem = f"{type(error).__name__}: {error}"
            ended = time.perf_counter()
            if began < start or ended > stop:
                continue  # warm-up, or cut by the end of the window
            if problem is None:
                mine.append(ended - began)
            else:
                my_errors.append(problem)
        client.close()
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)

    threads = [threading.Thread(target=worker, daemon=True, name=f"{target.name}-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()

    time.sleep(max(0.0, window["start"] - time.perf_counter()))
    before = meter()
    time.sleep(max(0.0, window["stop"] - time.perf_counter()))
    after = meter()
    for thread in threads:
        thread.join(timeout=60)
    cpu = {name: after[name] - before[name] for name in after if name in before}
    return Segment(seconds=duration, latencies=latencies, errors=errors, cpu=cpu)


def rounds(
    targets_of_round: Callable[[int], list[Target]],
    *,
    rounds: int,
    after: Callable[[str], None] = lambda name: None,
    **window,
) -> dict[str, list[Segment]]:
    """`run` every target of each round in turn; the segments of each target, by name.

    Rounds over the targets, so that a burst of other work on the machine falls
    on all of them rather than on one. `window` is the keywords of `run` (host,
    port, clients, warmup, duration, meter); `after(name)` runs after each window.
    """
    segments: dict[str, list[Segment]] = {}
    for number in range(1, rounds + 1):
        for target in targets_of_round(number):
            print(f"round {number}/{rounds}: {target.label}", flush=True)
            segments.setdefault(target.name, []).append(run(target, **window))
            after(target.name)
    return segments


def merge(target: Target, segments: list[Segment], *, clients: int) -> Result:
    """One result from the windows of several rounds."""
    latencies = [latency for segment in segments for latency in segment.latencies]
    errors = [error for segment in segments for error in segment.errors]
    seconds = sum(segment.seconds for segment in segments)
    names = set.intersection(*(set(segment.cpu) for segment in segments)) if segments else set()
    cpu = {name: sum(segment.cpu[name] for segment in segments) for name in sorted(names)}
    return Result(
        name=target.name,
        label=target.label,
        clients=clients,
        seconds=seconds,
        rps=len(latencies) / seconds if seconds else 0.0,
        cpu_cores={name: used / seconds for name, used in cpu.items()} if seconds else {},
        cpu_ms_per_request={name: used * 1000 / len(latencies) for name, used in cpu.items()} if latencies else {},
        **summary(latencies, errors),
    )
