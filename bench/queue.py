"""Bench of the staff review queue with 100,000 submissions, and of screening latency.

    python -m portal.embedded --data .data/bench4 -- python bench/queue.py [options]

1. Seeds the database to 100,000 submissions (bench/seed_queue.py: a few
   hundred cases through the real services, then bulk SQL clones), unless it
   holds that many already; VACUUM ANALYZE.
2. In process, with django.test.Client: every queue page once as an intake
   officer and as a desk officer, with the SQL captured: queries per page,
   COUNT queries and whether they are capped, Fernet decryptions, and
   EXPLAIN ANALYZE of every SELECT on submissions_submission.
3. Over HTTP against gunicorn (DEBUG=0, HTTPS=0, as bench/intake.py runs it):
   staff log in through the admin login form (user name, password, TOTP
   code), then a few concurrent clients request each queue page (default 200
   times per page and role, in rounds); p50/p95/p99 on the client side.
4. With one Celery worker (concurrency 1): submissions made through
   services.submission_create in this process at a steady rate; for each, the
   time from its commit to its "queued" status change; p50, p99, max.

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

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench import load, stack  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"
CHANGELIST = "/admin/submissions/submission/"
INDEX = "/admin/"
LOGIN = "/admin/login/"
DESK = "central-asia"  # the desk of the bench's desk officers, and the desk filtered on
COMMON_FLAG = "women"
RARE_FLAG = "un_reprisals"
GOAL_P95_MS = 250.0  # "well under a second": a quarter of it
SECOND_MS = 1000.0
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


# --- The pages ----------------------------------------------------------------


def pages(desk_id: int) -> list[tuple[str, str, bytes]]:
    """(name, path, a marker the right answer contains)."""
    listed = b'id="result_list"'
    return [
        ("index", INDEX, b"queue-summary"),
        ("list", CHANGELIST, listed),
        ("list page 20", f"{CHANGELIST}?p=20", listed),  # the last page the 1,000-row count shows
        (
            "queued, one desk",
            f"{CHANGELIST}?{urlencode({'status__exact': 'queued', 'desk__id__exact': desk_id})}",
            listed,
        ),
        ("urgent", f"{CHANGELIST}?urgent__exact=1", listed),
        (f"flag {COMMON_FLAG}", f"{CHANGELIST}?flag={COMMON_FLAG}", listed),
        (f"flag {RARE_FLAG} (rare)", f"{CHANGELIST}?flag={RARE_FLAG}", listed),
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


def _explain(sql: str, *, text: bool = True) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()[0]
        plan_text = None
        if text:
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


def sql_of_pages(users: dict, desk_id: int) -> dict:
    """Each page once per role in process, with its SQL captured and the submission SELECTs explained."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    import portal.crypto

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
            client = Client(HTTP_HOST=HOST)
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
            session.save()
            out[role] = {}
            for name, path, marker in pages(desk_id):
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


# --- What would fix the slow queries: tried in a transaction that is rolled back ----

GIN_FLAGS = "CREATE INDEX bench_whatif_flags ON submissions_submission USING gin (flags)"


def _best_of(sql: str, times: int = 3) -> dict:
    runs = [_explain(sql, text=False) for _ in range(times)]
    best = min(runs, key=lambda run: run["execution_ms"])
    return {"execution_ms": best["execution_ms"], "scans": best["scans"]}


def what_if(sql: dict) -> list[dict]:
    """The slow queries of the pages, as now and with the proposed change; nothing stays changed.

    - The index's counts per desk and status: COUNT(*) instead of COUNT(id)
      lets PostgreSQL answer from the existing (desk_id, status) index alone.
    - The capped COUNT of a flag filter that matches fewer rows than the cap:
      a GIN index on flags instead of reading the whole table.
    """
    from django.db import connection, transaction

    trials = []
    for role, role_pages in sql.items():
        for query in role_pages["index"]["detail"]:
            if query["count"] == "grouped":
                changed = query["sql"].replace('COUNT("submissions_submission"."id")', "COUNT(*)")
                trials.append(
                    {
                        "role": role,
                        "page": "index",
                        "change": 'portal/admin_site.py: .annotate(n=Count("*")) instead of Count("id")',
                        "sql": query["sql"],
                        "now": _best_of(query["sql"]),
                        "after": _best_of(changed),
                    }
                )
    flagged = [
        (role, name, query)
        for role, role_pages in sql.items()
        for name, page in role_pages.items()
        if name.startswith("flag ")
        for query in page["detail"]
        if "explain" in query
    ]
    now = {id(query): _best_of(query["sql"]) for _, _, query in flagged}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(GIN_FLAGS)
            cursor.execute("ANALYZE submissions_submission")
        for role, name, query in flagged:
            trials.append(
                {
                    "role": role,
                    "page": name,
                    "change": "GinIndex(fields=['flags']) on Submission",
                    "sql": query["sql"],
                    "now": now[id(query)],
                    "after": _best_of(query["sql"]),
                }
            )
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE submissions_submission")
    return trials


# --- Over HTTP: login and the timed requests ----------------------------------


def login(client: load.Client, username: str, password: str, code: str) -> None:
    """The admin login form as a person fills it in: user name, password, the current TOTP code."""
    form = client.request("GET", LOGIN)
    found = _CSRF_FIELD.search(form.body)
    if form.status != 200 or not found or b'name="otp_token"' not in form.body:
        raise RuntimeError(f"login form: HTTP {form.status}")
    body = urlencode(
        {
            "csrfmiddlewaretoken": found.group(1).decode(),
            "username": username,
            "password": password,
            "otp_token": code,
            "next": INDEX,
        }
    ).encode()
    answer = client.request("POST", LOGIN, body=body, headers=_FORM_HEADERS)
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


def _summary(latencies: list[float], errors: list[str]) -> dict:
    ordered = sorted(latencies)
    ms = [value * 1000 for value in ordered]
    return {
        "requests": len(ms),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "p50_ms": load.percentile(ordered, 0.50) * 1000,
        "p95_ms": load.percentile(ordered, 0.95) * 1000,
        "p99_ms": load.percentile(ordered, 0.99) * 1000,
        "max_ms": ms[-1] if ms else float("nan"),
    }


def http_queue(args, env, logs: Path, users: dict, desk_id: int, started: list) -> dict:
    """Per concurrency level, role and page: latencies on the client side and CPU per request."""
    from bench.seed_queue import PASSWORD as password
    from tests.support.staff import current_code

    web = stack.Stack(
        env, logs, webs=1, workers=0, gunicorn_workers=args.workers, threads=args.threads, ready_path=LOGIN
    )
    started.append(web)
    web.start()
    port = web.port
    meter = web.meter()
    print(f"gunicorn on 127.0.0.1:{port} ({args.workers} workers x {args.threads} threads)", flush=True)

    sessions: dict[str, list[load.Client]] = {}
    for role, role_users in users.items():
        sessions[role] = []
        for user in role_users:
            client = load.Client(HOST, port)
            login(client, user.get_username(), password, current_code(user))
            sessions[role].append(client)
    print(f"logged in through {LOGIN}: {', '.join(f'{len(c)} {r}' for r, c in sessions.items())}", flush=True)

    plan = pages(desk_id)
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
                result = {"path": path, "clients": level, **_summary(*samples[role][name])}
                window = used[role][name]
                served = max(result["requests"], 1)
                server = window.get("server", 0.0)
                background = window.get("postgres-background", 0.0)
                result["server_cpu_ms_per_request"] = server * 1000 / served
                result["gunicorn_cpu_ms_per_request"] = window.get("gunicorn", 0.0) * 1000 / served
                result["postgres_cpu_ms_per_request"] = window.get("postgres", 0.0) * 1000 / served
                result["client_cores"] = window.get("client", 0.0) / window["wall"]
                result["other_cores"] = (
                    window.get("machine", 0.0) - server - background - window.get("client", 0.0)
                ) / window["wall"]
                out[str(level)][role][name] = result
    for clients in sessions.values():
        for client in clients:
            client.close()
    web.stop()
    return out


# --- Screening latency ----------------------------------------------------------


def screening(args, env, logs: Path, started: list) -> dict:
    from celery.signals import before_task_publish
    from django.db import connection

    from bench import seed_queue
    from submissions import services
    from submissions.models import StatusChange, Submission
    from submissions.tasks import sweep

    worker = stack.Stack(env, logs, webs=0, workers=1)
    started.append(worker)
    worker.start()
    sweep.delay(older_than_seconds=0)
    leftover = stack.drain(worker.workers, dict)
    if leftover["backlog"]:
        print(f"screened {leftover['backlog']} submissions left by an earlier run", flush=True)
    time.sleep(1.0)
    print(f"Celery worker up (concurrency 1); {args.submissions} submissions at {args.rate}/s", flush=True)

    published: dict[int, float] = {}

    def on_publish(sender=None, body=None, **kwargs):
        # Runs in the on-commit hook of submission_create, right after COMMIT.
        if sender == "submissions.screen_submission":
            published[int(body[0][0])] = time.time()

    before_task_publish.connect(on_publish, weak=False)
    rng = random.Random(4)
    cases = [seed_queue.case(rng) for _ in range(args.submissions)]
    made: list[dict] = []
    meter = worker.meter()
    cpu_before = meter()
    began = time.perf_counter()
    try:
        for number, case in enumerate(cases):
            due = began + number / args.rate
            time.sleep(max(0.0, due - time.perf_counter()))
            called = time.time()
            submission, _receipt = services.submission_create(**case)
            made.append({"id": submission.pk, "called": called, "returned": time.time()})
    finally:
        before_task_publish.disconnect(on_publish)
    sending_seconds = time.perf_counter() - began
    ids = [row["id"] for row in made]

    deadline = time.monotonic() + args.screen_timeout
    while Submission.objects.filter(pk__in=ids, screened_at__isnull=True).exists():
        worker.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"not all screened within {args.screen_timeout:.0f} s:\n{worker.workers[0].tail()}")
        time.sleep(0.2)
    cpu_after, wall = meter(), time.perf_counter() - began
    used = {key: cpu_after[key] - cpu_before.get(key, 0.0) for key in cpu_after}
    queued = dict(
        StatusChange.objects.filter(submission_id__in=ids, to_status="queued").values_list(
            "submission_id", "created_at"
        )
    )
    screened = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "screened_at"))
    worker.stop()

    to_queued, to_return, create_ms, missing = [], [], [], []
    for row in made:
        commit = published.get(row["id"], row["returned"])
        create_ms.append((row["returned"] - row["called"]) * 1000)
        if row["id"] not in queued:
            missing.append(row["id"])  # screened without a "queued" change: it was not in "received"
            continue
        at = queued[row["id"]].timestamp()
        to_queued.append(at - commit)
        to_return.append(at - row["returned"])
    result = {
        "worker_concurrency": 1,
        "submissions": len(made),
        "rate_per_second": args.rate,
        "achieved_rate_per_second": len(made) / sending_seconds,
        "commit_to_queued": _summary(sorted(to_queued), []),
        "return_to_queued": _summary(sorted(to_return), []),
        "submission_create_ms": {"p50": load.percentile(sorted(create_ms), 0.5), "max": max(create_ms)},
        "celery_cpu_ms_per_submission": used.get("celery", 0.0) * 1000 / max(len(made), 1),
        "postgres_cpu_ms_per_submission": used.get("postgres", 0.0) * 1000 / max(len(made), 1),
        "other_cores": (
            used.get("machine", 0.0)
            - used.get("server", 0.0)
            - used.get("postgres-background", 0.0)
            - used.get("client", 0.0)
        )
        / wall,
        "commit_seen_by_publish_hook": sum(1 for row in made if row["id"] in published),
        "without_queued_change": len(missing),
        "screened_at_minus_queued_change_ms_max": max(
            abs((screened[i] - queued[i]).total_seconds() * 1000) for i in queued
        ),
    }
    if not args.keep:
        Submission.objects.filter(pk__in=ids).delete()
        result["deleted_afterwards"] = len(ids)
    connection.close()
    return result


# --- Report -------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(summary: dict) -> None:
    if "http" in summary:
        _report_http(summary)
    if "screening" in summary:
        _report_screening(summary["screening"])
    if summary.get("what_if"):
        _report_what_if(summary["what_if"])
    goals = summary["goals"]
    for level, goal in goals["p95_by_concurrency"].items():
        print(
            f"Goal, every queue page p95 < {GOAL_P95_MS:.0f} ms (well under a second), {level} client(s): "
            f"{_verdict(goal['p95_well_under_a_second'])}; under a second: {_verdict(goal['p95_under_a_second'])}; "
            f"worst p95 {goal['worst_p95_ms']:.1f} ms ({goal['worst_page']})"
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


def _report_what_if(trials: list[dict]) -> None:
    print("What if (EXPLAIN ANALYZE, best of 3, in a transaction rolled back afterwards)")
    for trial in trials:
        print(
            f"  {trial['role']:<14} {trial['page']:<24} {trial['now']['execution_ms']:>7.1f} -> "
            f"{trial['after']['execution_ms']:>6.1f} ms  {trial['change']}"
        )
        print(f"      now:   {'; '.join(trial['now']['scans'])}")
        print(f"      after: {'; '.join(trial['after']['scans'])}")
    print()


def _report_screening(s: dict) -> None:
    c = s["commit_to_queued"]
    print(
        f"Screening, commit -> queued: one worker (concurrency {s['worker_concurrency']}), "
        f"{s['submissions']} submissions at {s['rate_per_second']}/s (achieved {s['achieved_rate_per_second']:.2f}/s)"
    )
    print(
        f"  p50 {c['p50_ms']:.1f} ms   p99 {c['p99_ms']:.1f} ms   max {c['max_ms']:.1f} ms   mean {c['mean_ms']:.1f} ms"
    )
    print(
        f"  Celery CPU {s['celery_cpu_ms_per_submission']:.1f} ms per submission; "
        f"other programs used {s['other_cores']:.2f} cores meanwhile"
    )
    r = s["return_to_queued"]
    print(
        f"  (from submission_create's return instead of the commit: p50 {r['p50_ms']:.1f} ms, "
        f"p99 {r['p99_ms']:.1f} ms; submission_create itself p50 {s['submission_create_ms']['p50']:.1f} ms)"
    )
    print()


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    parser.add_argument("--workers", type=int, default=4, help="gunicorn gthread workers (4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument("--submissions", type=int, default=300, help="submissions made for screening latency (300)")
    parser.add_argument("--rate", type=float, default=10.0, help="submissions per second (10)")
    parser.add_argument("--screen-timeout", type=float, default=300.0, help="seconds to wait for screening (300)")
    parser.add_argument("--keep", action="store_true", help="keep the screening bench's submissions")
    parser.add_argument("--skip-http", action="store_true", help="only seed, the SQL and screening")
    parser.add_argument("--skip-screening", action="store_true", help="no screening latency")
    parser.add_argument(
        "--no-what-if",
        dest="what_if",
        action="store_false",
        help="do not try the proposed index and query changes (in a transaction rolled back)",
    )
    parser.add_argument("--show-queries-over-ms", type=float, default=5.0, help="list SELECTs slower than this (5)")
    parser.add_argument(
        "--data", default=str(BASE_DIR / ".data" / "bench4"), help="static files and logs (.data/bench4)"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    if not stack.servers_at_hand("queue.py", ".data/bench4"):
        return 2
    data = Path(args.data).resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # The portal's own settings and URLs (no bench baselines needed here).
    env = stack.environment(data, settings="portal.settings")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    settings = {
        "started": stamp,
        **{name: value for name, value in vars(args).items() if name != "data"},
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": sys.version.split()[0],
        **stack.code_version(),
    }

    print("preparing the database and static files (DEBUG=0)", flush=True)
    log = logs / "prepare.log"
    log.write_text("")
    stack.prepare(env, log)
    from django.db import connection

    from bench import seed_queue
    from portal import roles
    from submissions.models import Desk

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
        seeded["vacuum_analyze_seconds"] = seed_queue.vacuum_analyze()
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
    desk_id = Desk.objects.get(code=DESK).pk

    print("SQL of each page, in process", flush=True)
    sql = sql_of_pages(users, desk_id)
    trials = []
    if args.what_if:
        print("what if: the slow queries with the proposed index or code change (rolled back)", flush=True)
        trials = what_if(sql)
    connection.close()

    started: list[stack.Stack] = []
    summary = {"settings": settings, "seed": seeded, "sql": sql, "what_if": trials}
    try:
        if not args.skip_http:
            summary["http"] = http_queue(args, env, logs, users, desk_id, started)
        if not args.skip_screening:
            summary["screening"] = screening(args, env, logs, started)
    finally:
        for running in started:
            running.stop()

    http = summary.get("http", {})
    errors = sum(r["errors"] for by_role in http.values() for results in by_role.values() for r in results.values())
    by_level = {}
    for level, by_role in http.items():
        worst_ms, worst_page = max(
            (r["p95_ms"], f"{role}: {name}") for role, results in by_role.items() for name, r in results.items()
        )
        by_level[level] = {
            "worst_p95_ms": worst_ms,
            "worst_page": worst_page,
            "p95_well_under_a_second": worst_ms < GOAL_P95_MS,
            "p95_under_a_second": worst_ms < SECOND_MS,
        }
    summary["goals"] = {
        "p95_by_concurrency": by_level,
        "no_full_count": all(page["full_counts"] == 0 for role in sql.values() for page in role.values()),
        "no_errors": errors == 0,
    }
    report(summary)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"queue-{stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nresults: {path.relative_to(BASE_DIR)}")
    return 0 if summary["goals"]["no_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
