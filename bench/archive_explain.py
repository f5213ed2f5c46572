"""Where the archive's slow searches spend their time, and what two changes would save: EXPLAIN ANALYZE.

    python -m portal.embedded --data .data/bench6 -- python bench/archive_explain.py [--repeat 3] [--plans]

Run after bench/archive.py has seeded the archive. Nothing here changes the
portal: the alternatives run on an UNLOGGED copy of the public records, with
an extra column and index, inside a transaction that is rolled back.

For each search term (from 0.3 % to 100 % of the archive matching) with and
without two filters (kind=AL, reply=substantive), the median execution time
of EXPLAIN (ANALYZE, BUFFERS) of:

  view      the exact SQL of /communications/?q=... (ArchiveFilterForm, PublicRecordQuerySet.search)
  copy      the same query on the copy (the copy's heap is narrower: letter_html and letter_text left out)
  rank      the same, ranked by a small vector of the title and summary only; matching still
            uses the full vector through its GIN index
  rank+gin  the same with enable_seqscan off, so that matching always goes through the GIN index
  newest    the same matches newest first, without ranking

and the per-State statistics query, as it is and with a covering index.
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
QUERY = "(websearch_to_tsquery('english'::regconfig, %(t)s) || websearch_to_tsquery('russian'::regconfig, %(t)s))"
FILTERS = {"": "", "kind=AL reply=substantive": "AND p.kind = 'AL' AND p.reply_status = 'substantive'"}
COLUMNS = (
    "p.id, p.reference, p.slug, p.kind, p.recipient, p.recipient_name, p.sent_on, p.mandates, p.summary, "
    "p.themes, p.violation_types, p.reply_status, p.reply_count"
)
RANK_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, reference || ' ' || recipient_name), 'A')"
    " || setweight(to_tsvector('english'::regconfig, summary), 'B')"
    " || setweight(to_tsvector('russian'::regconfig, summary), 'B')"
)
BY_STATE = """
    SELECT recipient, min(recipient_name), count(*), count(first_reply_on),
           count(*) FILTER (WHERE first_reply_on - sent_on <= 60),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY first_reply_on - sent_on)
               FILTER (WHERE first_reply_on IS NOT NULL)
    FROM communications_publicrecord
    GROUP BY recipient
    ORDER BY count(*) DESC, recipient"""  # the query of communications.stats._by_state


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


def view_sql(term: str, filters: str) -> str:
    from django.db import connection

    from communications.forms import ArchiveFilterForm
    from communications.models import PublicRecord
    from communications.views import LIST_FIELDS, PAGE_SIZE

    query = {"q": term}
    if filters:
        query.update(kind="AL", reply="substantive")
    form = ArchiveFilterForm(query)
    records = form.filter(PublicRecord.objects.all()).only(*LIST_FIELDS)[: PAGE_SIZE + 1]
    sql, params = records.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


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
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE UNLOGGED TABLE bench_explain_copy AS SELECT id, reference, slug, kind, recipient, "  # noqa: S608
                "recipient_name, sent_on, mandates, summary, themes, violation_types, reply_status, reply_count, "
                f"search, {RANK_VECTOR} AS rank_vector FROM communications_publicrecord"
            )
            cursor.execute("CREATE INDEX ON bench_explain_copy USING gin (search)")
            cursor.execute("CREATE INDEX ON bench_explain_copy (sent_on DESC, id DESC)")
            cursor.execute("ANALYZE bench_explain_copy")
        for term in TERMS:
            with connection.cursor() as cursor:
                # QUERY is this module's constant; the term is a parameter.
                cursor.execute(f"SELECT count(*) FROM bench_explain_copy p WHERE p.search @@ {QUERY}", {"t": term})  # noqa: S608
                found = cursor.fetchone()[0]
            for label, where in FILTERS.items():
                key = f"{term} {label}".strip()
                row = {"query": key, "matches": f"{found / records:.1%}"}
                row["view"], plans[f"{key}: view"] = explain(view_sql(term, label), repeat=args.repeat)
                base = f"FROM bench_explain_copy p WHERE p.search @@ {QUERY} {where}"
                ranked = "ORDER BY rank DESC, p.sent_on DESC, p.id DESC LIMIT 21"
                row["copy"], plans[f"{key}: copy"] = explain(
                    f"SELECT {COLUMNS}, ts_rank(p.search, {QUERY}) AS rank {base} {ranked}",
                    {"t": term},
                    repeat=args.repeat,
                )
                row["rank"], plans[f"{key}: rank"] = explain(
                    f"SELECT {COLUMNS}, ts_rank(p.rank_vector, {QUERY}) AS rank {base} {ranked}",
                    {"t": term},
                    repeat=args.repeat,
                )
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL enable_seqscan = off")
                    row["rank+gin"], plans[f"{key}: rank+gin"] = explain(
                        f"SELECT {COLUMNS}, ts_rank(p.rank_vector, {QUERY}) AS rank {base} {ranked}",
                        {"t": term},
                        repeat=args.repeat,
                    )
                    transaction.set_rollback(True)
                row["newest"], plans[f"{key}: newest"] = explain(
                    f"SELECT {COLUMNS} {base} ORDER BY p.sent_on DESC, p.id DESC LIMIT 21",
                    {"t": term},
                    repeat=args.repeat,
                )
                rows.append(row)
                print(f"  {key}: done", flush=True)
        state_now, plans["statistics by State: now"] = explain(BY_STATE, repeat=args.repeat)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX bench_explain_stats ON communications_publicrecord (recipient) "
                "INCLUDE (recipient_name, sent_on, first_reply_on)"
            )
            cursor.execute("ANALYZE communications_publicrecord")
        state_index, plans["statistics by State: covering index"] = explain(BY_STATE, repeat=args.repeat)
        transaction.set_rollback(True)  # the copy, its indexes and the covering index go

    print()
    print(
        f"{'search (median ms)':<38} {'matches':>8} {'view':>8} {'copy':>8} {'rank':>8} {'rank+gin':>8} {'newest':>8}"
    )
    for row in rows:
        print(
            f"{row['query']:<38} {row['matches']:>8} {row['view']:>8.1f} {row['copy']:>8.1f} {row['rank']:>8.1f} "
            f"{row['rank+gin']:>8.1f} {row['newest']:>8.1f}"
        )
    print(f"\nstatistics by State: {state_now:.1f} ms now, {state_index:.1f} ms with a covering index")
    shown = plans if args.plans else {k: v for k, v in plans.items() if k.startswith(("detention", "statistics"))}
    for name, plan in shown.items():
        print(f"\n--- {name}")
        print("\n".join(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
