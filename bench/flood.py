"""Bench of a flood of heavy reports: the public archive's p95 while two clients post 60,000-page PDFs.

    python -m portal.embedded --data .data/bench-flood -- python bench/flood.py [options]

Seeds a small archive (bench/seed_archive.py), writes one PDF of `--pages` blank pages (about 7 MB at
60,000) and starts gunicorn as the Procfile runs it (2 workers of 4 threads) with one Celery worker. Then:

  idle     `--readers` clients GET /communications/ for `--duration` s, `--rate` requests a second each
           (timed from when each was due), or one after the other with --rate 0: the archive's p95 alone;
  flooded  the same, while two more clients (processes of their own) post complete reports with three
           such PDFs each, one after the other, each with a fresh form token (as a script that fetched
           the forms would).

The request only sniffs and screens a file, in its gunicorn worker's upload process at the lowest
priority (portal.heavy_uploads); the Celery worker makes working copies in a child process with a page
limit (submissions.attachments.cleaning), so the reports must not hold gunicorn's workers. Goal
(issue #14): the flooded p95 at most 2x the idle p95. Prints both, the reports' own latency and what
the worker did with the PDFs; writes bench/results/flood-<timestamp>.json.
"""

import io
import multiprocessing
import statistics
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import cpu, load, stack  # noqa: E402
from bench.stack import HOST  # noqa: E402

GOAL_RATIO = 2.0
POSTERS = 2
FILES_PER_REPORT = 3


def big_pdf(pages: int, folder: Path) -> bytes:
    """A PDF of `pages` blank pages sharing one content stream; made once and kept in the data folder."""
    path = folder / f"blank-{pages}.pdf"
    if path.exists():
        return path.read_bytes()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None, b"<< /Length 0 >>\nstream\n\nendstream"]
    kids = []
    for number in range(pages):
        kids.append(f"{4 + number} 0 R".encode())
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R >>")
    objects[1] = b"<< /Type /Pages /Count %d /Kids [" % pages + b" ".join(kids) + b"] >>"
    output = io.BytesIO()
    output.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    output.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    output.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(output.getvalue())
    return output.getvalue()


def multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----flood7d1c0b"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(head.encode() + str(item).encode() + b"\r\n")
    for filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments-files"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) >= 2 else float("nan")


def read_archive(port: int, readers: int, seconds: float, rate: float = 0.0) -> list[float]:
    """Each reader's latencies of GET /communications/: one request after the other, or `rate` a second.

    Paced readers are timed from when each request was due, so that a stalled server is not hidden
    by requests that were never sent (coordinated omission).
    """
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def reader() -> None:
        client = load.Client(HOST, port, timeout=120, max_idle=1.5)
        due = time.monotonic()
        while due < deadline:
            if rate:
                time.sleep(max(0.0, due - time.monotonic()))
            began = due if rate else time.monotonic()
            answer = client.request("GET", "/communications/")
            latencies.append(time.monotonic() - began)
            if answer.status != 200:
                errors.append(f"archive: HTTP {answer.status}")
            due = due + 1 / rate if rate else time.monotonic()
        client.close()

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} archive requests failed: {errors[:3]}")
    return latencies


def post_reports(port: int, pdf: bytes, stop, answers) -> None:
    """One poster, in a process of its own: the attacker's CPU and interpreter lock are not the readers'.

    Posters stand for clients on other machines: their own work (building and sending 21 MB a report)
    runs at the lowest priority, in a session of its own, so that it does not take the readers' share of
    the processors here. The server's work for their reports runs as it would for anyone.
    """
    from portal.priority import lowest_priority

    lowest_priority()
    from submissions.limits import form_token_new
    from tests.support.intake import report_data

    client = load.Client(HOST, port, timeout=300, max_idle=1.5)
    form = client.request("GET", "/submit/")
    csrf = load.csrf_token(form.body)
    while not stop.is_set():
        fields = {**report_data(token=form_token_new(issued_at=time.time() - 60)), "action": "submit"}
        body, content_type = multipart(
            {**fields, "csrfmiddlewaretoken": csrf}, [(f"scan-{n}.pdf", pdf) for n in range(FILES_PER_REPORT)]
        )
        began = time.perf_counter()
        answer = client.request("POST", "/submit/", body=body, headers={"Content-Type": content_type})
        answers.put((answer.status, time.perf_counter() - began))
    client.close()


def cores_used(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Cores each part kept busy in a phase: gunicorn, the Celery worker (its cleaning children too),
    PostgreSQL's backends, this process (the readers) and the machine's other programs."""
    spent = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    parts = {name: spent.get(name, 0.0) / seconds for name in ("gunicorn", "celery", "postgres", "client")}
    return {**parts, "other programs": cpu.other_cores(spent) / seconds}


def cleaning_outcomes(since_id: int) -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count

    from submissions.models import Attachment

    try:
        rows = Attachment.objects.filter(pk__gt=since_id).values("cleaning", "cleaning_note").annotate(n=Count("id"))
        return {f"{row['cleaning']} {row['cleaning_note']}".strip(): row["n"] for row in rows}
    finally:
        connection.close()


def forget_earlier_runs(env: dict[str, str], data: Path) -> None:
    """The files of earlier runs' reports deleted with their rows: the worker starts idle, the disk as it was.

    (Each run leaves some 20 reports with three 7 MB files and their working copies.)
    """
    import shutil

    from django.db import connection

    from submissions.models import Attachment

    folder = Path(env.get("PRIVATE_MEDIA_ROOT") or Path(env["MEDIA_ROOT"]) / "private").resolve()
    if not folder.is_relative_to(data.resolve()):
        raise RuntimeError(f"the servers' attachment folder {folder} is not the bench's own")
    try:
        Attachment.objects.all().delete()
    finally:
        connection.close()
    shutil.rmtree(folder, ignore_errors=True)


def last_attachment_id() -> int:
    from django.db import connection

    from submissions.models import Attachment

    try:
        return Attachment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = stack.parser(__doc__, data=".data/bench-flood")
    parser.set_defaults(workers=2, worker_class="gthread", threads=4)  # as the Procfile runs gunicorn
    parser.add_argument("--pages", type=int, default=60_000, help="pages of each PDF (60000)")
    parser.add_argument("--readers", type=int, default=2, help="clients reading the archive (2)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each phase (20)")
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="requests a second of each reader, as visitors come (10); 0: one after the other, as fast as served",
    )
    parser.add_argument("--records", type=int, default=300, help="released communications in the archive (300)")
    args = parser.parse_args(argv)
    run = stack.begin("flood.py", args)
    if run is None:
        return 2
    from bench import seed_archive

    seed_archive.seed(args.records)
    pdf = big_pdf(args.pages, Path(args.data))
    print(f"PDF of {args.pages} pages: {len(pdf) / 1e6:.1f} MB; {FILES_PER_REPORT} per report", flush=True)
    forget_earlier_runs(run.env, Path(args.data))
    first = last_attachment_id()

    with stack.Stack(run.env, run.logs, **stack.gunicorn_options(args), ready_path="/communications/") as running:
        port = running.port
        read_archive(port, args.readers, 2.0)  # warm-up: templates, connections
        meter = running.meter()
        before = meter()
        idle = read_archive(port, args.readers, args.duration, args.rate)
        after_idle = meter()
        processes = multiprocessing.get_context("fork")
        stop, queue = processes.Event(), processes.SimpleQueue()
        posters = [processes.Process(target=post_reports, args=(port, pdf, stop, queue)) for _ in range(POSTERS)]
        for poster in posters:
            poster.start()
        time.sleep(1.0)  # the first reports are on their way
        before_flood = meter()
        flooded = read_archive(port, args.readers, args.duration, args.rate)
        after_flood = meter()
        stop.set()
        for poster in posters:
            poster.join()
        answers = []
        while not queue.empty():
            answers.append(queue.get())
        running.check()
        time.sleep(5.0)  # a moment for the worker to reach the last files
        outcomes = cleaning_outcomes(first)

    idle_p95, flooded_p95 = p95(idle), p95(flooded)
    ratio = flooded_p95 / idle_p95
    statuses = sorted({status for status, _ in answers})
    report_ms = [seconds * 1000 for _, seconds in answers]
    pace = f"{args.rate:g} requests a second each" if args.rate else "one request after the other"
    print(f"\ngunicorn {args.workers} x {args.worker_class}, 1 Celery worker; {args.readers} archive readers, {pace}")
    print(f"GET /communications/ p95 idle:    {idle_p95:8.1f} ms ({len(idle)} requests)")
    print(f"GET /communications/ p95 flooded: {flooded_p95:8.1f} ms ({len(flooded)} requests)")
    print(f"ratio {ratio:.2f} (goal <= {GOAL_RATIO:g}: {'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    print(
        f"reports posted during the flood: {len(answers)}, statuses {statuses}, "
        f"median {statistics.median(report_ms) if report_ms else float('nan'):.0f} ms each"
    )
    print(f"working copies of the flood's PDFs so far: {outcomes}")
    cores = {
        "idle": cores_used(before, after_idle, args.duration),
        "flooded": cores_used(before_flood, after_flood, args.duration),
    }
    print("cores busy per phase (the posters count among the other programs):")
    for phase, used in cores.items():
        print(f"  {phase:8}" + "  ".join(f"{name} {value:.2f}" for name, value in used.items()))
    summary = {
        "settings": run.settings,
        "pdf_bytes": len(pdf),
        "idle_p95_ms": idle_p95,
        "flooded_p95_ms": flooded_p95,
        "ratio": ratio,
        "goal_met": ratio <= GOAL_RATIO,
        "reports": {"count": len(answers), "statuses": statuses, "ms": report_ms},
        "cleaning": outcomes,
        "cores": cores,
    }
    stack.save(run, summary)
    return 0 if statuses == [200] else 1


if __name__ == "__main__":
    sys.exit(main())
