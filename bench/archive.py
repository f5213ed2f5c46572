"""Bench of the public archive with 100,000 released communications: search, lists, API, statistics.

    python -m portal.embedded --data .data/bench6 -- python bench/archive.py [options]

Seeds the archive once (bench/seed_archive.py: a few dozen communications
through the services, the rest cloned in bulk with SQL, then VACUUM ANALYZE),
starts gunicorn (DEBUG=0, DJANGO_SETTINGS_MODULE=bench.settings, access log
off) and measures, at the same concurrency and for the same time each:

  search+2         GET /communications/?q=<term>&kind=AL&reply=substantive
  search+recip+yr  GET /communications/?q=<term>&recipient=<code>&year=<year>
  search           GET /communications/?q=<term>
  broad+2          GET /communications/?q=<boilerplate word>&kind=AL&reply=substantive
  list             GET /communications/
  list p.100       GET /communications/?page=100
  api search+2     GET /api/v1/communications?q=<term>&kind=AL&reply_status=substantive
  api list         GET /api/v1/communications
  stats warm       GET /communications/stats/ (figures and page cached in Redis)

then the statistics page cold (one request at a time, each after
communications.stats.invalidate(), which drops the cached figures and
pages as a release does), and every target again in this process
with Django's test client and the queries captured: the server's own time
without the network and the queueing of the load test, the time in SQL, and
EXPLAIN (ANALYZE, BUFFERS) of the slowest query of each target.
Search terms are drawn at random from bench/archive_text.py, English and
Russian. An API target whose address answers 404 is reported as missing.
Prints a table and writes bench/results/archive-<timestamp>.json.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/archive.py`: import from the project root, not from bench/ itself.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import cpu, load, servers, stack  # noqa: E402
from bench.intake import _bench_env, _code_version, _database_and_redis_pids, _manage  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"
GOAL_SEARCH_P95_MS = 100.0
RESULT_MARK = b'<li class="border-bottom py-3">'
EMPTY_MARK = b"No released communication matches."


# --- Targets ------------------------------------------------------------------------


@dataclass
class Target:
    """One kind of request: how to draw its address, and how to tell a right answer."""

    name: str
    label: str
    path: object  # callable(rng) -> str
    kind: str  # "html", "api" or "stats"
    search: bool = False
    available: bool = True
    note: str = ""
    hits: list[int] = field(default_factory=list)  # results per answer (rows on the page)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"{self.name}: HTTP {status}"
        if self.kind == "html":
            if RESULT_MARK not in body and EMPTY_MARK not in body:
                return f"{self.name}: 200 without a result list"
            found = body.count(RESULT_MARK)
        elif self.kind == "api":
            try:
                found = len(json.loads(body)["items"])
            except (ValueError, KeyError, TypeError):
                return f"{self.name}: 200 without JSON items"
        else:
            if b"<svg" not in body:
                return f"{self.name}: 200 without a chart"
            found = 1
        with self.lock:
            self.hits.append(found)
        return None


def targets(terms: list[str], broad: list[str], recipients: list[tuple[str, int]], years: list[int]) -> list[Target]:
    codes, weights = [code for code, _ in recipients], [n for _, n in recipients]

    def archive(**query) -> str:
        return "/communications/?" + urlencode(query) if query else "/communications/"

    def api(**query) -> str:
        return "/api/v1/communications?" + urlencode(query)

    return [
        Target(
            "search_filters",
            "search + kind + reply",
            lambda r: archive(q=r.choice(terms), kind="AL", reply="substantive"),
            "html",
            search=True,
        ),
        Target(
            "search_recipient_year",
            "search + recipient + year",
            lambda r: archive(q=r.choice(terms), recipient=r.choices(codes, weights)[0], year=r.choice(years)),
            "html",
            search=True,
        ),
        Target("search", "search only", lambda r: archive(q=r.choice(terms)), "html", search=True),
        Target(
            "search_broad",
            "broad term + kind + reply",
            lambda r: archive(q=r.choice(broad), kind="AL", reply="substantive"),
            "html",
            search=True,
        ),
        Target("list", "list, page 1", lambda r: archive(), "html"),
        Target("list_page_100", "list, page 100", lambda r: archive(page=100), "html"),
        Target(
            "api_search_filters",
            "API search + kind + reply",
            lambda r: api(q=r.choice(terms), kind="AL", reply_status="substantive", limit=20),
            "api",
            search=True,
        ),
        Target("api_list", "API list", lambda r: api(limit=20), "api"),
        Target("stats_warm", "statistics, warm", lambda r: "/communications/stats/", "stats"),
    ]


def load_target(target: Target, seed: int) -> load.Target:
    seeds = iter(range(seed, seed + 10_000))
    lock = threading.Lock()

    def setup(client: load.Client) -> None:
        with lock:
            client.state["rng"] = random.Random(next(seeds))

    def call(client: load.Client) -> str | None:
        answer = client.request("GET", target.path(client.state["rng"]))
        return target.check(answer.status, answer.body)

    return load.Target(target.name, target.label, call, setup)


def _probe(target: Target, port: int) -> None:
    """An API that is not there yet (404) is reported, not measured."""
    client = load.Client(HOST, port)
    try:
        answer = client.request("GET", target.path(random.Random(0)))
    finally:
        client.close()
    if answer.status == 404:
        target.available, target.note = False, "missing: the address answers 404 (communications/api.py not mounted)"
    elif target.check(answer.status, answer.body) is not None:
        target.available, target.note = False, f"broken: HTTP {answer.status}"
    target.hits.clear()


# --- The data: what a search matches ------------------------------------------------------


def _term_matches(terms: list[str]) -> dict[str, int]:
    """How many records each term finds, with the query of PublicRecordQuerySet.search."""
    from communications.models import PublicRecord

    return {term: PublicRecord.objects.search(term).count() for term in terms}


def _recipients_and_years() -> tuple[list[tuple[str, int]], list[int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, count(*) FROM communications_publicrecord GROUP BY recipient ORDER BY 2 DESC")
        recipients = cursor.fetchall()
        cursor.execute("SELECT DISTINCT extract(year FROM sent_on)::int FROM communications_publicrecord ORDER BY 1")
        years = [row[0] for row in cursor.fetchall()]
    return recipients, years


def _table_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_size_pretty(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relname IN ('communications_publicrecord', 'communications_communication', "
            "'publicrecord_search', 'publicrecord_newest', 'publicrecord_recipient', 'publicrecord_themes', "
            "'publicrecord_violations', 'publicrecord_statistics')"
        )
        sizes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT avg(length(letter_text))::int, avg(pg_column_size(search))::int, "
            "avg(pg_column_size(search_rank))::int, avg(pg_column_size(letter_html))::int "
            "FROM communications_publicrecord"
        )
        text, vector, rank_vector, html = cursor.fetchone()
    return {
        "sizes": sizes,
        "avg_letter_text_chars": text,
        "avg_search_vector_bytes": vector,
        "avg_search_rank_vector_bytes": rank_vector,
        "avg_letter_html_bytes": html,
    }


# --- Measuring --------------------------------------------------------------------------------


def summarise(target: Target, segments: list[load.Segment], clients: int) -> dict:
    result = asdict(load.merge(load_target(target, 0), segments, clients=clients))
    latencies = sorted(latency for segment in segments for latency in segment.latencies)
    result["p95_ms"] = load.percentile(latencies, 0.95) * 1000
    result["available"], result["note"] = target.available, target.note
    hits = target.hits
    result["answers_with_results"] = sum(1 for n in hits if n) / len(hits) if hits else None
    result["mean_rows"] = sum(hits) / len(hits) if hits else None
    return result


def stats_cold(port: int, requests: int) -> dict:
    """One request at a time, each after the cached statistics and pages were deleted from Redis."""
    from django.core.cache import cache

    from communications.stats import CACHE_KEY, invalidate

    client = load.Client(HOST, port)
    latencies, errors, refilled = [], [], 0
    try:
        for _ in range(requests):
            invalidate()
            began = time.perf_counter()
            answer = client.request("GET", "/communications/stats/")
            latencies.append(time.perf_counter() - began)
            if answer.status != 200 or b"<svg" not in answer.body:
                errors.append(f"stats cold: HTTP {answer.status}")
            refilled += cache.get(CACHE_KEY) is not None
    finally:
        client.close()
    ordered = sorted(latencies)
    return {
        "name": "stats_cold",
        "label": "statistics, cold (1 client)",
        "clients": 1,
        "requests": len(latencies) - len(errors),
        "errors": len(errors),
        "rps": len(latencies) / sum(latencies) if latencies else 0.0,
        "p50_ms": load.percentile(ordered, 0.5) * 1000,
        "p95_ms": load.percentile(ordered, 0.95) * 1000,
        "p99_ms": load.percentile(ordered, 0.99) * 1000,
        "max_ms": ordered[-1] * 1000 if ordered else float("nan"),
        "cache_refilled_by_request": f"{refilled}/{requests}",
        "error_samples": sorted(set(errors))[:5],
    }


def in_process(target: Target, requests: int, *, seed: int, cold: bool = False) -> dict:
    """The same requests through Django's test client in this process, queries captured: server time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from communications.stats import invalidate

    client = Client(HTTP_HOST="localhost")
    rng = random.Random(seed)
    totals, sql_totals, busy, query_counts, worst = [], [], [], [], None
    for _ in range(requests):
        path = target.path(rng)
        if cold:
            invalidate()
        with CaptureQueriesContext(connection) as captured:
            began, cpu_began = time.perf_counter(), time.thread_time()
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed, python_cpu = time.perf_counter() - began, time.thread_time() - cpu_began
        if target.check(response.status_code, body) is not None:
            raise RuntimeError(f"{target.name}: in-process request {path} answered {response.status_code}")
        sql = sum(float(query["time"]) for query in captured.captured_queries)
        totals.append(elapsed)
        sql_totals.append(sql)
        # Python's own CPU plus the time in the database: what the request would take on an idle machine,
        # give or take the database's share of the contention.
        busy.append(python_cpu + sql)
        query_counts.append(len(captured.captured_queries))
        slowest = max(captured.captured_queries, key=lambda query: float(query["time"]), default=None)
        if slowest is not None and (worst is None or float(slowest["time"]) > worst["seconds"]):
            worst = {"path": path, "seconds": float(slowest["time"]), "sql": slowest["sql"], "request_seconds": elapsed}
    target.hits.clear()
    totals.sort()
    sql_totals.sort()
    busy.sort()
    return {
        "requests": requests,
        "p50_ms": load.percentile(totals, 0.5) * 1000,
        "p95_ms": load.percentile(totals, 0.95) * 1000,
        "max_ms": totals[-1] * 1000,
        "cpu_plus_sql_p50_ms": load.percentile(busy, 0.5) * 1000,
        "cpu_plus_sql_p95_ms": load.percentile(busy, 0.95) * 1000,
        "sql_p50_ms": load.percentile(sql_totals, 0.5) * 1000,
        "sql_p95_ms": load.percentile(sql_totals, 0.95) * 1000,
        "queries_per_request": max(query_counts),
        "slowest_query": worst,
    }


def explain(sql: str) -> list[str]:
    """The plan as the portal runs the query: a ranked search with sequential scans off (PublicRecordQuerySet.page)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if "ts_rank(" in sql:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


# --- Report -------------------------------------------------------------------------------------


def _other_cores(result: dict) -> float:
    cores = result.get("cpu_cores") or {}
    if "machine" not in cores:
        return float("nan")
    mine = sum(cores.get(name, 0.0) for name in ("server", "client", "postgres-background"))
    return max(0.0, cores["machine"] - mine)


def report(results: list[dict], server: dict, matches: dict, data: dict, settings: dict) -> dict:
    print()
    print(
        f"archive of {data['records']} released communications; {settings['clients']} connections, "
        f"{settings['workers']} gunicorn workers x {settings['threads']} threads, {settings['cpus']} CPUs"
    )
    header = (
        f"{'target':<27} {'reqs':>5} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>3} {'CPU/req':>7} "
        f"{'other':>5} | {'p50':>6} {'p95':>6} {'cpu+sql95':>9} {'SQL95':>6} {'qry':>3} {'rows':>5}"
    )
    print(f"{'':<27} {'under load, HTTP (client side)':^52} | {'in-process, one at a time':^36}")
    print(header)
    print("-" * len(header))
    nan = float("nan")
    for result in results:
        if not result.get("available", True):
            print(f"{result['label']:<27} {result['note']}")
            continue
        own = server.get(result["name"], {})
        cost = result.get("cpu_ms_per_request", {}).get("server", nan)
        share = result.get("answers_with_results")
        print(
            f"{result['label']:<27} {result['requests']:>5} {result['rps']:>6.1f} {result['p50_ms']:>6.1f} "
            f"{result['p95_ms']:>6.1f} {result['p99_ms']:>6.1f} {result['errors']:>3} {cost:>7.1f} "
            f"{_other_cores(result):>5.2f} | {own.get('p50_ms', nan):>6.1f} {own.get('p95_ms', nan):>6.1f} "
            f"{own.get('cpu_plus_sql_p95_ms', nan):>9.1f} {own.get('sql_p95_ms', nan):>6.1f} "
            f"{own.get('queries_per_request', ''):>3} {'' if share is None else format(share, '.0%'):>5}"
        )
        for sample in result.get("error_samples", []):
            print(f"    error: {sample}")
    print(
        "(ms. Under load: latency from sending the request to the last byte over keep-alive HTTP on 127.0.0.1, a\n"
        " proxy of server time that includes queueing for the CPUs; CPU/req: CPU ms of gunicorn + PostgreSQL + Redis\n"
        " per request; other: cores used by other programs during the windows. In-process: the same requests one\n"
        " at a time through Django's test client in the bench process; cpu+sql95: p95 of Python CPU + database\n"
        " time per request, an estimate for an idle machine; SQL95: p95 of database time; qry: queries per\n"
        " request; rows: share of answers with at least one result.)"
    )
    searches = [r for r in results if r.get("search") and r.get("available", True) and r["name"] != "search_broad"]

    def worst(values) -> float:
        values = [value for value in values if value == value]  # not NaN
        return max(values) if values else float("nan")

    worst_load = worst(r["p95_ms"] for r in searches)
    worst_server = worst(server.get(r["name"], {}).get("p95_ms", float("nan")) for r in searches)
    worst_idle = worst(server.get(r["name"], {}).get("cpu_plus_sql_p95_ms", float("nan")) for r in searches)
    met = worst_load < GOAL_SEARCH_P95_MS
    print()
    print(
        f"searches (vocabulary terms, with and without filters, HTML and API), worst p95: {worst_load:.1f} ms under "
        f"load, {worst_server:.1f} ms in-process, {worst_idle:.1f} ms CPU + SQL in-process "
        f"(goal < {GOAL_SEARCH_P95_MS:.0f} ms under load: {'met' if met else 'NOT met'})"
    )
    broad = next((r for r in results if r["name"] == "search_broad"), None)
    if broad:
        own = server.get("search_broad", {}).get("p95_ms", float("nan"))
        print(
            f"broad terms of the letters' fixed text ({', '.join(settings['broad_terms'])}): "
            f"p95 {broad['p95_ms']:.1f} ms under load, {own:.1f} ms in-process"
        )
    print()
    print("records found per search term (of the whole archive):")
    line = []
    for term, found in sorted(matches.items(), key=lambda item: -item[1]):
        line.append(f"{term} {found} ({found / data['records']:.1%})")
    print("   " + "; ".join(line))
    other = max((_other_cores(r) for r in results if r.get("cpu_cores")), default=0.0)
    if other > 0.2:
        print(f"NOTE: other programs used up to {other:.2f} cores during a window; latencies under load are inflated.")
    print()
    print("slowest query per target (in-process), EXPLAIN (ANALYZE, BUFFERS) below:")
    for name, own in server.items():
        query = own.get("slowest_query")
        if not query:
            continue
        print(f"  {name}: {query['seconds'] * 1000:.1f} ms  {query['path']}")
    for name, own in server.items():
        plan = own.get("explain")
        if plan:
            print(f"\n--- {name}: {own['slowest_query']['path']}")
            print(own["slowest_query"]["sql"][:600] + (" ..." if len(own["slowest_query"]["sql"]) > 600 else ""))
            print("\n".join(plan))
    return {
        "search_p95_goal_ms": GOAL_SEARCH_P95_MS,
        "search_p95_worst_ms_under_load": worst_load,
        "search_p95_worst_ms_in_process": worst_server,
        "search_p95_worst_ms_in_process_cpu_plus_sql": worst_idle,
        "goal_met": met,
    }


# --- Run --------------------------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="released communications in the archive (100000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections (4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the targets (3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per target and round (5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per target and round (1)")
    parser.add_argument("--cold", type=int, default=20, help="cold statistics requests, one at a time (20)")
    parser.add_argument("--in-process", type=int, default=100, help="requests per target through the test client (100)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument("--only", default="", help="comma-separated target names to measure (all)")
    parser.add_argument(
        "--data",
        default=str(BASE_DIR / ".data" / "bench6"),
        help="folder for the bench's static files and logs (.data/bench6, as in the command above)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not stack.servers_at_hand("archive.py", ".data/bench6"):
        return 2

    data_dir = Path(args.data).resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = _bench_env(data_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    from bench.archive_text import BROAD_TERMS, SEARCH_TERMS

    settings = {
        "started": stamp,
        "records": args.records,
        "clients": args.clients,
        "rounds": args.rounds,
        "duration": args.duration,
        "warmup": args.warmup,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": sys.version.split()[0],
        "search_terms": SEARCH_TERMS,
        "broad_terms": BROAD_TERMS,
        **_code_version(),
    }

    print("preparing the database and static files (DEBUG=0, bench.settings)", flush=True)
    log = logs / "prepare.log"
    log.write_text("")
    if not _manage(env, log, "migrate", "--noinput"):
        raise SystemExit(f"migrate failed; see {log}")
    if not _manage(env, log, "collectstatic", "--noinput", "-v0"):
        raise SystemExit(f"collectstatic failed; see {log}")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from bench import seed_archive

    print(f"seeding the archive to {args.records} released communications", flush=True)
    seeding = seed_archive.seed(args.records)
    records = seed_archive.count()
    data = {"records": records, "seeding": seeding, **_table_sizes()}
    print(f"  {records} public records; {data['sizes']}", flush=True)
    matches = _term_matches(SEARCH_TERMS + BROAD_TERMS)
    recipients, years = _recipients_and_years()
    plan = targets(SEARCH_TERMS, BROAD_TERMS, recipients, years)
    if args.only:
        wanted = set(args.only.split(","))
        plan = [target for target in plan if target.name in wanted]
    connection.close()

    port = servers.free_port()
    web = servers.gunicorn(
        env=env,
        port=port,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        log=logs / "gunicorn.log",
    )
    segments: dict[str, list[load.Segment]] = {target.name: [] for target in plan}
    cold = None
    try:
        web.start()
        servers.wait_for_http(web, port=port, path="/bench/text/")
        meter = cpu.Meter({"gunicorn": web.popen.pid, **_database_and_redis_pids()})
        print(f"gunicorn on 127.0.0.1:{port}", flush=True)
        for target in plan:
            _probe(target, port)
            if not target.available:
                print(f"  {target.label}: {target.note}", flush=True)
        live = [target for target in plan if target.available]
        for round_number in range(1, args.rounds + 1):
            for target in live:
                print(f"round {round_number}/{args.rounds}: {target.label}", flush=True)
                segments[target.name].append(
                    load.run(
                        # The same seeds for every target: the HTML and API searches draw the same terms.
                        load_target(target, seed=1000 * round_number),
                        host=HOST,
                        port=port,
                        clients=args.clients,
                        warmup=args.warmup,
                        duration=args.duration,
                        meter=meter,
                    )
                )
                if web.died():
                    raise RuntimeError(f"gunicorn died during the run:\n{web.tail()}")
        if args.cold and (not args.only or "stats_cold" in args.only or "stats_warm" in args.only):
            print(f"statistics cold: {args.cold} requests, each after deleting the cached statistics", flush=True)
            cold = stats_cold(port, args.cold)
    finally:
        web.stop()
        if web.group_alive():
            print("WARNING: gunicorn still running after stop", file=sys.stderr)

    results = []
    for target in plan:
        if target.available:
            result = summarise(target, segments[target.name], args.clients)
        else:
            result = {"name": target.name, "label": target.label}
        result.update(
            {"name": target.name, "available": target.available, "note": target.note, "search": target.search}
        )
        results.append(result)
    if cold:
        results.append({**cold, "available": True, "search": False, "note": ""})

    print(f"in-process: {args.in_process} requests per target through the test client, queries captured", flush=True)
    server: dict[str, dict] = {}
    for target in plan:
        if target.available:
            server[target.name] = in_process(target, args.in_process, seed=99)
    if cold:
        stats = next((t for t in plan if t.name == "stats_warm"), None)
        if stats is not None:
            server["stats_cold"] = in_process(stats, max(5, args.in_process // 10), seed=7, cold=True)
    for name, own in server.items():
        query = own.get("slowest_query")
        if query and (name.startswith(("search", "api_search")) or name == "stats_cold" or query["seconds"] > 0.02):
            own["explain"] = explain(query["sql"])
    connection.close()

    summary = {
        "settings": settings,
        "data": data,
        "term_matches": matches,
        "results": results,
        "in_process": server,
    }
    summary["goals"] = report(results, server, matches, data, settings)
    errors = sum(result.get("errors", 0) for result in results)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"archive-{stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nresults: {path.relative_to(BASE_DIR)}")
    if errors:
        print(f"{errors} requests failed: the figures above are not valid.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
