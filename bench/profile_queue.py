"""Where the staff queue's CPU goes in the web process: each page of bench/queue.py in process, then cProfile.

    python -m portal.embedded --data .data/bench-queue -- python bench/profile_queue.py [--submissions-target 10000]

Seeds as bench/queue.py does (to 10,000 submissions by default: a list page shows 50 rows whatever the
total, so its Python costs about the same), then, through Django's test client, each page of bench/queue.py
as an intake officer and as a desk officer, logged in as that bench does in process (the session holds the
keyring their password opens). Per page: the CPU of this process and of its database backend per request,
over `--requests` requests after two to warm up. Then a cProfile (CPU time) of `--profile` pages (default:
the list and the case page, each role; `--profile none` for none) with the top entries by own and by
cumulative time; `--out FILE` keeps the profile for pstats or snakeviz. cProfile multiplies the cost of the
template engine's many small calls: for shares, a sampling profiler over `--only PAGE --profile none` reads
truer (py-spy record --gil).
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue module: import from the project root.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import stack  # noqa: E402
from bench.seeding import staff_client  # noqa: E402


def _backend_cpu_seconds(pid: int) -> float:
    """CPU used so far by the PostgreSQL backend serving this process (utime + stime, /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _get(client, path: str, marker: bytes) -> None:
    answer = client.get(path)
    body = answer.content
    if answer.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    if answer.status_code != 200 or marker not in body:
        raise SystemExit(f"GET {path}: HTTP {answer.status_code} without {marker!r}")


def main() -> None:
    options = stack.parser(__doc__, data=".data/bench-queue")
    options.add_argument("--submissions-target", type=int, default=10_000, help="submissions seeded (10000)")
    options.add_argument("--requests", type=int, default=20, help="requests per page and role measured (20)")
    options.add_argument(
        "--profile", default="list,case", help="pages profiled, by name, comma-separated; 'all' for every page"
    )
    options.add_argument("--only", help="measure only these pages, by name, comma-separated (for a sampling profiler)")
    options.add_argument("--out", help="write the profile here")
    options.add_argument("--lines", type=int, default=40, help="entries shown per table (40)")
    args = options.parse_args()
    if stack.begin("profile_queue.py", args, settings="portal.settings") is None:
        raise SystemExit(2)
    from django.db import connection

    from bench import queue, seed_queue
    from portal import roles
    from submissions.models import Desk, Submission

    users = {
        "intake officer": seed_queue.staff(roles.INTAKE_OFFICER, number=1),
        "desk officer": seed_queue.staff(roles.DESK_OFFICER, number=1, desks=(queue.DESK,)),
    }
    seed_queue.seed(args.submissions_target, assignees=[user.pk for user in users.values()])
    desk = Desk.objects.get(code=queue.DESK)
    in_desk = Submission.objects.filter(desk=desk).count()
    case = Submission.objects.filter(desk=desk).order_by("id").values_list("pk", flat=True)[in_desk // 2]
    plan = queue.pages(desk.pk, case, deep=min(20, max(1, in_desk // 50)))
    if args.only:
        plan = [entry for entry in plan if entry[0] in args.only.split(",")]
    clients = {role: staff_client(user, HTTP_ACCEPT_ENCODING="gzip") for role, user in users.items()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    print(f"\nCPU per request in process ({args.requests} requests per page and role, after 2 to warm up), ms")
    print(f"{'role':<15} {'page':<26} {'this process':>12} {'db backend':>10} {'wall':>7}")
    for role, client in clients.items():
        for name, path, marker in plan:
            for _ in range(2):
                _get(client, path, marker)
            began, backend_began, wall = time.process_time(), _backend_cpu_seconds(backend), time.perf_counter()
            for _ in range(args.requests):
                _get(client, path, marker)
            spent = (time.process_time() - began) * 1000 / args.requests
            backend_spent = (_backend_cpu_seconds(backend) - backend_began) * 1000 / args.requests
            wall = (time.perf_counter() - wall) * 1000 / args.requests
            print(f"{role:<15} {name:<26} {spent:>12.1f} {backend_spent:>10.1f} {wall:>7.1f}")

    chosen = [entry for entry in plan if args.profile == "all" or entry[0] in args.profile.split(",")]
    if not chosen:
        return
    profile = cProfile.Profile(time.process_time)  # CPU, not the waits on a busy machine
    began = time.process_time()
    profile.enable()
    for client in clients.values():
        for _name, path, marker in chosen:
            for _ in range(args.requests):
                _get(client, path, marker)
    profile.disable()
    served = args.requests * len(chosen) * len(clients)
    print(
        f"\nProfiled: {', '.join(name for name, _, _ in chosen)}, each role; "
        f"{(time.process_time() - began) * 1000 / served:.1f} ms of CPU per request under the profiler"
    )
    if args.out:
        profile.dump_stats(args.out)
    report = pstats.Stats(profile)
    report.sort_stats("tottime").print_stats(args.lines)
    report.sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    main()
