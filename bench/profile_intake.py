"""Where a report's CPU goes in the web process: cProfile over complete reports posted in process.

    python -m portal.embedded --data .data/bench --no-fsync -- python bench/profile_intake.py [--reports 40]

The same request as bench/intake.py's submit target (form-encoded, CSRF cookie and token, a fresh
form token each time, action=submit), through Django's test client with CSRF checks on, after a few
reports to warm up. Prints the SQL statements and the CPU per report (this process and its database
backend), then the profile's top entries (CPU time) by own time and by cumulative time; `--out FILE`
keeps the profile for pstats or snakeviz.
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import stack  # noqa: E402
from tests.support.intake import report_data  # noqa: E402


def _post(client, token: str) -> None:
    # Form-encoded, as a browser and bench/intake.py post it (the test client's default is multipart).
    body = urlencode({**report_data(), "action": "submit", "csrfmiddlewaretoken": token}, doseq=True)
    answer = client.post("/submit/", body, content_type="application/x-www-form-urlencoded")
    if answer.status_code != 200 or b'id="receipt-reference"' not in answer.content:
        raise SystemExit(f"POST /submit/ answered HTTP {answer.status_code}")


def _backend_cpu_seconds(pid: int) -> float:
    """CPU used so far by the PostgreSQL backend serving this process (utime + stime, /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    options = stack.parser(__doc__, data=".data/bench")
    options.add_argument("--reports", type=int, default=40, help="reports profiled (40)")
    options.add_argument("--out", help="write the profile here")
    options.add_argument("--sql", action="store_true", help="list one report's SQL statements")
    options.add_argument("--lines", type=int, default=35, help="entries shown per table (35)")
    args = options.parse_args()
    if stack.begin("profile_intake.py", args) is None:
        raise SystemExit(2)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client(enforce_csrf_checks=True)
    from bench.load import csrf_token

    token = csrf_token(client.get("/submit/").content)
    for _ in range(5):
        _post(client, token)
    with CaptureQueriesContext(connection) as queries:
        _post(client, token)
    print(f"SQL statements per report: {len(queries.captured_queries)}")
    if args.sql:
        for query in queries.captured_queries:
            print(f"  {query['time']} s  {query['sql'][:160]}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    began, backend_began = time.process_time(), _backend_cpu_seconds(backend)
    for _ in range(args.reports):
        _post(client, token)
    spent = (time.process_time() - began) * 1000 / args.reports
    backend_spent = (_backend_cpu_seconds(backend) - backend_began) * 1000 / args.reports
    print(
        f"CPU per report without the profiler: this process {spent:.1f} ms, its database backend {backend_spent:.1f} ms"
    )
    profile = cProfile.Profile(time.process_time)  # CPU, not the waits on a busy machine
    began = time.process_time()
    profile.enable()
    for _ in range(args.reports):
        _post(client, token)
    profile.disable()
    spent = (time.process_time() - began) * 1000 / args.reports
    print(f"CPU of this process per report, under the profiler: {spent:.1f} ms")
    if args.out:
        profile.dump_stats(args.out)
    report = pstats.Stats(profile).strip_dirs()
    report.sort_stats("tottime").print_stats(args.lines)
    report.sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    main()
