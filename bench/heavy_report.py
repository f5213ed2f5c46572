"""Bench of one report with three heavy attachments, inside this process: where its request's time goes.

    python -m portal.embedded --data .data/bench-heavy [--no-fsync] -- python bench/heavy_report.py [--pages 60000]

Posts complete reports with three PDFs of `--pages` blank pages (about 7 MB each at 60,000; bench/flood.py
makes them) through Django's whole request handling (multipart parsing, middleware, the view, the
intake service, the commit), without a network or a server in between. Prints each request's time and
the largest parts of a cProfile of the last one (cumulative seconds), with the CPU time of this process and
of its PostgreSQL backend (wall times grow with the machine's load); the working copies are left to a
worker that does not run here. Writes bench/results/heavy_report-<timestamp>.json.
"""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import cpu, stack  # noqa: E402
from bench.flood import FILES_PER_REPORT, big_pdf, multipart  # noqa: E402

# Functions whose cumulative time says where a heavy report goes; printed when the profile holds them.
PARTS = {
    "multipart parsing": "multipartparser.py:*(parse)",
    "attachment checks": "attachments/__init__.py:*(check_files)",
    "sniffing": "sniffing.py:*(sniff)",
    "hidden payloads": "hidden.py:*(check_no_hidden_payload)",
    "SHA-256": "~:0(<built-in method _hashlib.openssl_sha256>)",
    "intake service": "services.py:*(submission_create)",
    "storing attachments": "services.py:*(_attach)",
    "sealed files written": "sealed_files.py:*(write)",
    "secretstream": "crypto_secretstream.py:*(crypto_secretstream_xchacha20poly1305_push)",
    "fsync": "~:0(<built-in method posix.fsync>)",
    "sealing (crypto_box_seal)": "crypto_box.py:*(crypto_box_seal)",
    "Fernet": "fernet.py:*(encrypt)",
    "SQL execute": "utils.py:*(_execute)",
    "commit": "base.py:*(commit)",
}


def backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend so far (it parses, compresses and logs what is sent)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    stat = cpu._stat(backend)
    return stat[1] if stat else 0.0


def post_report(client, pdf: bytes) -> tuple[int, float, float]:
    """(HTTP status, wall seconds, CPU seconds of this process and its database backend) of one report."""
    from tests.support.intake import report_data

    fields = {**report_data(), "action": "submit"}
    body, content_type = multipart(fields, [(f"scan-{n}.pdf", pdf) for n in range(FILES_PER_REPORT)])
    cpu_before = time.process_time() + backend_cpu()
    began = time.perf_counter()
    answer = client.generic("POST", "/submit/", data=body, content_type=content_type)
    wall = time.perf_counter() - began
    return answer.status_code, wall, time.process_time() + backend_cpu() - cpu_before


def parts_of(profile: cProfile.Profile) -> dict[str, float]:
    import fnmatch

    stats = pstats.Stats(profile)
    found: dict[str, float] = {}
    for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        key = f"{filename}:{line}({name})"
        for part, pattern in PARTS.items():
            if fnmatch.fnmatch(key, "*" + pattern) or fnmatch.fnmatch(f"{filename}:0({name})", pattern):
                found[part] = max(found.get(part, 0.0), cumulative)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = stack.parser(__doc__, data=".data/bench-heavy")
    parser.add_argument("--pages", type=int, default=60_000, help="pages of each PDF (60000)")
    parser.add_argument("--reports", type=int, default=4, help="reports posted, the first as a warm-up (4)")
    args = parser.parse_args(argv)
    run = stack.begin("heavy_report.py", args)
    if run is None:
        return 2
    from django.test import Client

    pdf = big_pdf(args.pages, Path(args.data))
    print(f"PDF of {args.pages} pages: {len(pdf) / 1e6:.1f} MB; {FILES_PER_REPORT} per report", flush=True)
    client = Client(HTTP_HOST="localhost")
    client.get("/submit/")
    timings = []
    for number in range(args.reports):
        profile = cProfile.Profile() if number == args.reports - 1 else None
        if profile is not None:
            profile.enable()
        status, seconds, cpu_seconds = post_report(client, pdf)
        if profile is not None:
            profile.disable()
        if status != 200:
            print(f"report {number}: HTTP {status}", file=sys.stderr)
            return 1
        timings.append((seconds * 1000, cpu_seconds * 1000))
        warm_up = " (warm-up)" if number == 0 else ""
        print(f"report {number}: {seconds * 1000:7.0f} ms, CPU {cpu_seconds * 1000:7.0f} ms{warm_up}", flush=True)
    measured = timings[1:] or timings
    wall, cpu_ms = statistics.median(t[0] for t in measured), statistics.median(t[1] for t in measured)
    print(f"\nmedian report with {FILES_PER_REPORT} files: {wall:.0f} ms, CPU {cpu_ms:.0f} ms (web + database)")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it)")
    parts = parts_of(profile)
    print("\nlast report under cProfile (cumulative; the parts overlap):")
    for part, seconds in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {part:28} {seconds * 1000:8.0f} ms")
    listing = io.StringIO()
    pstats.Stats(profile, stream=listing).sort_stats("tottime").print_stats(15)
    print("\nown time, top 15:\n" + "\n".join(listing.getvalue().splitlines()[6:]))
    summary = {"settings": run.settings, "pdf_bytes": len(pdf), "request_ms": [t[0] for t in measured]}
    stack.save(run, {**summary, "request_cpu_ms": [t[1] for t in measured], "profile_ms": parts})
    return 0


if __name__ == "__main__":
    sys.exit(main())
