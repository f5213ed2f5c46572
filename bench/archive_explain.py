"""Where the archive's searches and statistics spend their time: EXPLAIN ANALYZE of the portal's own SQL.

    python -m portal.embedded --data .data/bench6 -- python bench/archive_explain.py [--repeat 3] [--plans]

Run after bench/archive.py has seeded the archive. Nothing here changes the
portal: every alternative runs inside a transaction that is rolled back.

For each search term (from 0.3 % to 100 % of the archive matching) with and
without two filters (kind=AL, reply=substantive), the median execution time
of EXPLAIN (ANALYZE, BUFFERS) of:

  planner    the exact SQL of /communications/?q=... (ArchiveFilterForm, PublicRecordQuerySet.search):
             matched on the whole letter (`search`, GIN index), ranked by `search_rank`; the plan
             PostgreSQL picks on its own
  view       the same with enable_seqscan off, as PublicRecordQuerySet.page runs it: matching always
             goes through the GIN index
  full rank  the same (seqscan off) ranked by the whole letter's vector, as before `search_rank`
  newest     the same matches newest first, without ranking (the planner's own choice)

and the two statistics queries (communications.stats), as they are (the
covering index publicrecord_statistics) and with that index dropped.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

TERMS = ["Khujand", "journalist", "torture", "detention", "defender"]
FILTERS = {"": {}, "kind=AL reply=substantive": {"kind": "AL", "reply": "substantive"}}


def explain(sql: str, params=None, *, repeat: int) -> tuple[float, list[str]]:
    """Median execution time in ms, and the last plan."""
    from django.db import connection

    times, plan = [], []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
            times.append(float(next(line for line in plan if line.startswith("Execution Time")).split()[2]))
    return statistics.median(times), plan


def _sql(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def matched_queryset(term: str, filters: dict):
    """The records of /communications/?q=<term>&<filters>, as the view selects them."""
    from communications.forms import ArchiveFilterForm
    from communications.models import PublicRecord
    from communications.views import LIST_FIELDS

    return ArchiveFilterForm({"q": term, **filters}).filter(PublicRecord.objects.all()).only(*LIST_FIELDS)


def view_sql(term: str, filters: dict) -> str:
    from communications.views import PAGE_SIZE

    return _sql(matched_queryset(term, filters)[: PAGE_SIZE + 1])


def statistics_sql() -> dict[str, str]:
    """The two queries of communications.stats.compute, as it runs them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communications import stats

    with CaptureQueriesContext(connection) as captured:
        stats.compute()
    by_state = next(q["sql"] for q in captured.captured_queries if "percentile_cont" in q["sql"])
    by_year = next(q["sql"] for q in captured.captured_queries if "EXTRACT" in q["sql"].upper())
    return {"by year, recipient, type": by_year, "by State": by_state}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each EXPLAIN ANALYZE; the median is shown (3)")
    parser.add_argument("--plans", action="store_true", help="print every plan, not only the summary")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Run through the embedded servers:")
        print("  python -m portal.embedded --data .data/bench6 -- python bench/archive_explain.py")
        return 2
    from bench.intake import _bench_env

    os.environ.update(_bench_env(BASE_DIR / ".data" / "bench6"))
    import django

    django.setup()
    from django.db import connection, transaction

    from communications.models import PublicRecord

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM communications_publicrecord")
        records = cursor.fetchone()[0]
        settings = {}
        for name in (
            "server_version",
            "shared_buffers",
            "work_mem",
            "random_page_cost",
            "max_parallel_workers_per_gather",
        ):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    print(f"{records} public records; {settings}; load average {os.getloadavg()}")
    if records < 10_000:
        print("Seed the archive first: python -m portal.embedded --data .data/bench6 -- python bench/archive.py")
        return 2
    plans: dict[str, list[str]] = {}
    rows = []
    for term in TERMS:
        found = PublicRecord.objects.search(term).count()
        for label, filters in FILTERS.items():
            key = f"{term} {label}".strip()
            row = {"query": key, "matches": f"{found / records:.1%}"}
            sql = view_sql(term, filters)
            row["planner"], plans[f"{key}: planner"] = explain(sql, repeat=args.repeat)
            # The view's SQL with the rank of the whole letter, as before the search_rank column.
            full = sql.replace(
                'ts_rank("communications_publicrecord"."search_rank"', 'ts_rank("communications_publicrecord"."search"'
            )
            assert full != sql, "the view no longer ranks by search_rank"
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                row["view"], plans[f"{key}: view"] = explain(sql, repeat=args.repeat)
                row["full rank"], plans[f"{key}: full rank"] = explain(full, repeat=args.repeat)
                transaction.set_rollback(True)
            unranked = matched_queryset(term, filters).order_by("-sent_on", "-id")
            unranked.query.annotations.pop("rank", None)  # not even computed
            row["newest"], plans[f"{key}: newest"] = explain(_sql(unranked[:21]), repeat=args.repeat)
            rows.append(row)
            print(f"  {key}: done", flush=True)
    stats_rows = []
    for name, sql in statistics_sql().items():
        now, plans[f"statistics {name}: now"] = explain(sql, repeat=args.repeat)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX publicrecord_statistics")
            without, plans[f"statistics {name}: without the covering index"] = explain(sql, repeat=args.repeat)
            transaction.set_rollback(True)  # the index stays
        stats_rows.append((name, now, without))

    print()
    print(f"{'search (median ms)':<38} {'matches':>8} {'planner':>8} {'view':>8} {'full rank':>9} {'newest':>8}")
    for row in rows:
        print(
            f"{row['query']:<38} {row['matches']:>8} {row['planner']:>8.1f} {row['view']:>8.1f} "
            f"{row['full rank']:>9.1f} {row['newest']:>8.1f}"
        )
    print()
    for name, now, without in stats_rows:
        print(f"statistics {name}: {now:.1f} ms, {without:.1f} ms without the covering index")
    shown = plans if args.plans else {k: v for k, v in plans.items() if k.startswith(("detention", "statistics"))}
    for name, plan in shown.items():
        print(f"\n--- {name}")
        print("\n".join(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
