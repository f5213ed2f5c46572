"""Bench of the staff review queue and case page with 100,000 submissions (or --submissions-target).

    python -m portal.embedded --data .data/bench4 -- python bench/queue.py [options]

1. Seeds the database to 100,000 submissions (bench/seed_queue.py: a few
   hundred cases through the real services, then bulk SQL clones), unless it
   holds that many already; VACUUM ANALYZE.
2. In process, with django.test.Client: every page once as an intake
   officer and as a desk officer, with the SQL captured: queries per page,
   COUNT queries and whether they are capped, Fernet decryptions, and
   EXPLAIN ANALYZE of every SELECT on submissions_submission.
3. Over HTTP against gunicorn (DEBUG=0, HTTPS=0, as bench/intake.py runs it):
   staff log in through the admin login form (user name, password, TOTP
   code), then one and then four concurrent clients per role request each
   page (default 200 times per page and role, in rounds); p50/p95/p99 on
   the client side, and the server CPU per request.

Prints a table and writes bench/results/queue-<timestamp>.json.
bench/README.md explains the set-up and how to read it.
"""

import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/queue.py`: import from the project root, not from bench/,
# whose queue.py would shadow the standard library's queue module (threading
# pools, Celery and kombu import it). Done before any other import.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench import cpu, load, stack  # noqa: E402
from bench.stack import HOST  # noqa: E402

CHANGELIST = "/admin/submissions/submission/"
INDEX = "/admin/"
LOGIN = "/admin/login/"
DESK = "central-asia"  # the desk of the bench's desk officers, and the desk filtered on
COMMON_FLAG = "women"
RARE_FLAG = "un_reprisals"
# Issue #17: every queue page and the case page p95 under 150 ms, one client and four.
GOAL_P95_MS = 150.0


# --- The pages ----------------------------------------------------------------


def pages(desk_id: int, case_id: int | None = None, *, deep: int = 20) -> list[tuple[str, str, bytes]]:
    """(name, path, a marker the right answer contains); with `case_id`, that case's page too.

    `deep` is the deep page: 20, the last one a count capped at 1,000 shows, unless a desk has fewer.
    """
    listed = b'id="result_list"'
    case = [("case", f"{CHANGELIST}{case_id}/change/", b'id="submission_form"')] if case_id else []
    return [
        ("index", INDEX, b"queue-summary"),
        ("list", CHANGELIST, listed),
        (f"list page {deep}", f"{CHANGELIST}?p={deep}", listed),
        (
            "queued, one desk",
            f"{CHANGELIST}?{urlencode({'status__exact': 'queued', 'desk__id__exact': desk_id})}",
            listed,
        ),
        ("urgent", f"{CHANGELIST}?urgent__exact=1", listed),
        (f"flag {COMMON_FLAG}", f"{CHANGELIST}?flag={COMMON_FLAG}", listed),
        (f"flag {RARE_FLAG} (rare)", f"{CHANGELIST}?flag={RARE_FLAG}", listed),
        *case,
    ]


# --- In process: the SQL of each page -----------------------------------------

_COUNT = re.compile(r"\bCOUNT\(", re.IGNORECASE)


def _count_kind(sql: str) -> str | None:
    if not _COUNT.search(sql):
        return None
    if "GROUP BY" in sql.upper():
        return "grouped"  # counts per group (the index's desk x status table)
    if re.search(r"\bLIMIT\s+\d+", sql, re.IGNORECASE):
        return "capped"
    return "full"


def _explain(sql: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()[0]
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
    root = plan["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    scans = sorted(
        {
            f"{n['Node Type']} {n.get('Index Name') or n.get('Relation Name') or ''}".strip()
            for n in nodes(root)
            if "Scan" in n["Node Type"]
        }
    )
    return {
        "execution_ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
        "rows": root.get("Actual Rows"),
        "scans": scans,
        "shared_buffers_read_or_hit": root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0),
        "plan": plan_text,
    }


def sql_of_pages(users: dict, plan: list[tuple[str, str, bytes]]) -> dict:
    """Each page once per role in process, with its SQL captured and the submission SELECTs explained."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import portal.crypto
    from bench.seeding import staff_client

    decryptions = [0]
    decrypt = portal.crypto.decrypt

    def counting(token: bytes) -> bytes:
        decryptions[0] += 1
        return decrypt(token)

    out: dict = {}
    portal.crypto.decrypt = counting
    try:
        for role, role_users in users.items():
            user = role_users[0]
            client = staff_client(user)
            out[role] = {}
            for name, path, marker in plan:
                client.get(path)  # warm: sessions, content types, templates
                decryptions[0] = 0
                began = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                elapsed = time.perf_counter() - began
                if response.status_code != 200 or marker not in response.content:
                    raise RuntimeError(f"{role} {path}: HTTP {response.status_code} without {marker!r}")
                queries = []
                for query in captured.captured_queries:
                    sql = query["sql"]
                    entry = {"sql": sql, "ms": float(query["time"]) * 1000, "count": _count_kind(sql)}
                    if sql.lstrip().upper().startswith("SELECT") and "submissions_submission" in sql:
                        entry["explain"] = _explain(sql)
                    queries.append(entry)
                out[role][name] = {
                    "path": path,
                    "queries": len(queries),
                    "sql_ms": sum(q["ms"] for q in queries),
                    "server_ms": elapsed * 1000,
                    "decryptions": decryptions[0],
                    "counts": [q["count"] for q in queries if q["count"]],
                    "full_counts": sum(1 for q in queries if q["count"] == "full"),
                    "detail": queries,
                }
    finally:
        portal.crypto.decrypt = decrypt
    return out


# --- Over HTTP: login and the timed requests ----------------------------------


def login(client: load.Client, username: str, password: str, code: str) -> None:
    """The admin login form as a person fills it in: user name, password, the current TOTP code."""
    form = client.request("GET", LOGIN)
    token = load.csrf_token(form.body)
    if form.status != 200 or not token or b'name="otp_token"' not in form.body:
        raise RuntimeError(f"login form: HTTP {form.status}")
    body = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "otp_token": code,
            "next": INDEX,
        }
    ).encode()
    answer = client.request("POST", LOGIN, body=body, headers=load.FORM)
    if answer.status != 302 or answer.headers.get("Location") != INDEX:
        raise RuntimeError(f"login of {username} failed: HTTP {answer.status} {answer.body[:300]!r}")


def measure(clients: list[load.Client], path: str, marker: bytes, requests: int) -> tuple[list[float], list[str]]:
    """`requests` GETs of `path`, shared by the clients running at once; latencies in seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    shares = [requests // len(clients) + (1 if n < requests % len(clients) else 0) for n in range(len(clients))]
    start = threading.Barrier(len(clients))

    def run(client: load.Client, share: int) -> None:
        mine, my_errors = [], []
        start.wait()
        for _ in range(share):
            began = time.perf_counter()
            try:
                answer = client.request("GET", path)
                problem = None if answer.status == 200 and marker in answer.body else f"HTTP {answer.status}"
            except Exception as error:
                problem = f"{type(error).__name__}: {error}"
            ended = time.perf_counter()
            if problem is None:
                mine.append(ended - began)
            else:
                my_errors.append(f"{path}: {problem}")
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)

    threads = [threading.Thread(target=run, args=(c, s), daemon=True) for c, s in zip(clients, shares, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return latencies, errors


def http_queue(args, web: stack.Stack, users: dict, plan: list[tuple[str, str, bytes]]) -> dict:
    """Per concurrency level, role and page: latencies on the client side and CPU per request."""
    from bench.seeding import PASSWORD as password
    from tests.support.staff import current_code

    port = web.port
    meter = web.meter()
    print(f"gunicorn on 127.0.0.1:{port} ({args.workers} workers x {args.threads} threads)", flush=True)

    sessions: dict[str, list[load.Client]] = {}
    for role, role_users in users.items():
        sessions[role] = []
        for user in role_users:
            client = load.Client(HOST, port)
            login(client, user.get_username(), password, current_code(user, password))
            sessions[role].append(client)
    print(f"logged in through {LOGIN}: {', '.join(f'{len(c)} {r}' for r, c in sessions.items())}", flush=True)

    per_round = [
        args.requests // args.rounds + (1 if n < args.requests % args.rounds else 0) for n in range(args.rounds)
    ]
    for clients in sessions.values():  # warm-up, not measured
        for _name, path, marker in plan:
            measure(clients, path, marker, args.warmup * len(clients))
    out: dict = {}
    for level in args.concurrency:
        samples = {role: {name: ([], []) for name, _, _ in plan} for role in users}
        used = {role: {name: {} for name, _, _ in plan} for role in users}
        for round_number, count in enumerate(per_round, 1):
            print(
                f"{level} client(s) per role, round {round_number}/{args.rounds}: {count} requests per page and role",
                flush=True,
            )
            for role, all_clients in sessions.items():
                clients = all_clients[:level]
                for name, path, marker in plan:
                    for client in clients:
                        # gunicorn closes a keep-alive connection after 2 s idle: start each window afresh.
                        client.close()
                    before, began = meter(), time.perf_counter()
                    latencies, errors = measure(clients, path, marker, count)
                    after, wall = meter(), time.perf_counter() - began
                    samples[role][name][0].extend(latencies)
                    samples[role][name][1].extend(errors)
                    window = used[role][name]
                    window["wall"] = window.get("wall", 0.0) + wall
                    for key in after:
                        window[key] = window.get(key, 0.0) + after[key] - before.get(key, 0.0)
            web.check()
        out[str(level)] = {}
        for role in users:
            out[str(level)][role] = {}
            for name, path, _ in plan:
                result = {"path": path, "clients": level, **load.summary(*samples[role][name])}
                window = used[role][name]
                served = max(result["requests"], 1)
                for part in ("server", "gunicorn", "postgres"):
                    result[f"{part}_cpu_ms_per_request"] = window.get(part, 0.0) * 1000 / served
                result["client_cores"] = window.get("client", 0.0) / window["wall"]
                result["other_cores"] = cpu.other_cores(window) / window["wall"]
                out[str(level)][role][name] = result
    for clients in sessions.values():
        for client in clients:
            client.close()
    return out


# --- Report -------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(summary: dict) -> None:
    if "http" in summary:
        _report_http(summary)
    goals = summary["goals"]
    for level, goal in goals["p95_by_concurrency"].items():
        print(
            f"Goal, every queue page and the case page p95 < {GOAL_P95_MS:.0f} ms, {level} client(s) per role: "
            f"{_verdict(goal['met'])}; worst p95 {goal['worst_p95_ms']:.1f} ms ({goal['worst_page']})"
        )
    print(f"Goal, no uncapped COUNT on any queue page: {_verdict(goals['no_full_count'])}")
    print(f"No errors: {_verdict(goals['no_errors'])}")


def _report_http(summary: dict) -> None:
    for level, by_role in summary["http"].items():
        print()
        print(f"Admin queue over HTTP, {level} concurrent client(s) per role (latency on the client side, ms)")
        header = (
            f"{'role':<14} {'page':<24} {'n':>4} {'err':>3} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  "
            f"{'srv CPU':>7} {'other':>5}  {'queries':>7} {'SQL ms':>6} {'decrypt':>7} counts"
        )
        print(header)
        print("-" * len(header))
        for role, results in by_role.items():
            for name, result in results.items():
                sql = summary["sql"][role][name]
                counts = ", ".join(sql["counts"]) or "-"
                print(
                    f"{role:<14} {name:<24} {result['requests']:>4} {result['errors']:>3} {result['p50_ms']:>7.1f} "
                    f"{result['p95_ms']:>7.1f} {result['p99_ms']:>7.1f} {result['max_ms']:>7.1f}  "
                    f"{result['server_cpu_ms_per_request']:>7.1f} {result['other_cores']:>5.2f}  {sql['queries']:>7} "
                    f"{sql['sql_ms']:>6.1f} {sql['decryptions']:>7} {counts}"
                )
    print(
        "(srv CPU: gunicorn + PostgreSQL backends + Redis, CPU ms per request; other: cores busy with programs "
        "outside the bench)"
    )
    print(
        "(queries, SQL ms, decryptions and counts: one request of the page in process, django.test.Client; "
        "counts: capped = COUNT over LIMIT n, grouped = counts per desk and status, full = an uncapped COUNT)"
    )
    print()
    print("Slowest SELECTs on submissions_submission (EXPLAIN ANALYZE, execution ms)")
    for role, role_pages in summary["sql"].items():
        for name, page in role_pages.items():
            explained = [q for q in page["detail"] if "explain" in q]
            for query in sorted(explained, key=lambda q: -q["explain"]["execution_ms"])[:2]:
                if query["explain"]["execution_ms"] < summary["settings"]["show_queries_over_ms"]:
                    continue
                print(
                    f"  {role:<14} {name:<24} {query['explain']['execution_ms']:>7.1f} ms  "
                    f"rows {query['explain']['rows']}  {'; '.join(query['explain']['scans'])}"
                )
                print(f"      {query['sql'][:220]}{'...' if len(query['sql']) > 220 else ''}")
    print()


def main(argv=None) -> int:
    parser = stack.parser(__doc__, data=".data/bench4")
    parser.add_argument("--submissions-target", type=int, default=100_000, help="submissions in the queue (100000)")
    parser.add_argument(
        "--concurrency",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        default=[1, 4],
        help="concurrent clients per role, each its own user; one run per value (1,4)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and role (200)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds over the pages the requests are spread on (4)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per client and page first (2)")
    parser.add_argument("--skip-http", action="store_true", help="only seed and the SQL in process")
    parser.add_argument("--show-queries-over-ms", type=float, default=5.0, help="list SELECTs slower than this (5)")
    args = parser.parse_args(argv)
    # The portal's own settings and URLs (no bench baselines needed here).
    run = stack.begin("queue.py", args, settings="portal.settings")
    if run is None:
        return 2
    from django.db import connection

    from bench import seed_queue, seeding
    from portal import roles
    from submissions.models import Desk, Submission

    users = {
        "intake officer": [
            seed_queue.staff(roles.INTAKE_OFFICER, number=n) for n in range(1, max(args.concurrency) + 1)
        ],
        "desk officer": [
            seed_queue.staff(roles.DESK_OFFICER, number=n, desks=(DESK,)) for n in range(1, max(args.concurrency) + 1)
        ],
    }
    print(f"seeding to {args.submissions_target} submissions", flush=True)
    assignees = [user.pk for role_users in users.values() for user in role_users]
    seeded = seed_queue.seed(args.submissions_target, assignees=assignees)
    if not seeded.get("vacuum_analyze_seconds"):
        seeded["vacuum_analyze_seconds"] = seeding.vacuum_analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM submissions_submission GROUP BY status ORDER BY 2 DESC")
        seeded["by_status"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT coalesce(d.code, '(none)'), count(*) FROM submissions_submission s "
            "LEFT JOIN submissions_desk d ON d.id = s.desk_id GROUP BY 1 ORDER BY 2 DESC"
        )
        seeded["by_desk"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE urgent), count(*) FILTER (WHERE flags @> ARRAY[%s]::varchar[]), "
            "count(*) FILTER (WHERE flags @> ARRAY[%s]::varchar[]), pg_size_pretty(pg_total_relation_size("
            "'submissions_submission')) FROM submissions_submission",
            [COMMON_FLAG, RARE_FLAG],
        )
        urgent, common, rare, size = cursor.fetchone()
        seeded.update({"urgent": urgent, f"flag_{COMMON_FLAG}": common, f"flag_{RARE_FLAG}": rare, "table_size": size})
    print(
        f"  {seeded['after']} submissions, {urgent} urgent, table {size}; by status {seeded['by_status']}", flush=True
    )
    desk = Desk.objects.get(code=DESK)
    # A case both roles may open: the middle one of the desk officers' desk, the same on every run at one scale.
    middle = seeded["by_desk"][DESK] // 2
    case = Submission.objects.filter(desk=desk).order_by("id").values_list("pk", flat=True)[middle]
    plan = pages(desk.pk, case, deep=min(20, max(1, seeded["by_desk"][DESK] // 50)))

    print("SQL of each page, in process", flush=True)
    sql = sql_of_pages(users, plan)
    connection.close()

    summary = {"settings": run.settings, "seed": seeded, "sql": sql}
    if not args.skip_http:
        web = stack.Stack(run.env, run.logs, workers=0, **stack.gunicorn_options(args), ready_path=LOGIN)
        with web:
            summary["http"] = http_queue(args, web, users, plan)

    http = summary.get("http", {})
    errors = sum(r["errors"] for by_role in http.values() for results in by_role.values() for r in results.values())
    by_level = {}
    for level, by_role in http.items():
        worst_ms, worst_page = max(
            (r["p95_ms"], f"{role}: {name}") for role, results in by_role.items() for name, r in results.items()
        )
        by_level[level] = {"worst_p95_ms": worst_ms, "worst_page": worst_page, "met": worst_ms < GOAL_P95_MS}
    summary["goals"] = {
        "p95_by_concurrency": by_level,
        "no_full_count": all(page["full_counts"] == 0 for role in sql.values() for page in role.values()),
        "no_errors": errors == 0,
    }
    report(summary)
    stack.save(run, summary)
    return 0 if summary["goals"]["no_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
