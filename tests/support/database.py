"""Emptying the test database after a test that commits, without seeding it all over again.

Django empties the database after each transactional test (`live_server`, a Celery worker) with
`flush`: every table truncated, then post_migrate (content types, permissions, the roles' groups)
and the data migrations' seed (desks, letter libraries) made again, for every such test. Here the
tables that the seed fills are kept as they are, and only the other tables that hold rows are
emptied. Whether the seeded tables are still as seeded is checked first, from a fingerprint of
their rows: a test that changed one gets the full flush and a new seed, as before. A seeded table
that must be emptied with the others (the audit trail refers to users) gets its seeded rows back.
"""

import time
from dataclasses import dataclass

from django.core.management import call_command
from django.db import OperationalError, connections, transaction
from psycopg2.errors import DeadlockDetected

from tests.support.seeds import ensure_seeded


@dataclass
class _Seed:
    fingerprints: dict[str, tuple[int, int]]  # the seeded tables, as the flush and the seed left them
    rows: dict[str, str]  # their rows, as JSON


# Per database alias: what a flush and the seed leave.
_seeded: dict[str, _Seed] = {}


def _tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _fingerprints(connection, tables: list[str]) -> dict[str, tuple[int, int]]:
    """Each table's row count and a sum of hashes of its rows (in any order), in one query."""
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s, count(*), coalesce(sum(hashtext(row_::text)::bigint), 0) FROM {quote(table)} row_"  # noqa: S608 (Django's own table names)
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query, tables)
        return {table: (count, total) for table, count, total in cursor.fetchall()}


def _referencing(connection, tables: set[str]) -> set[str]:
    """`tables` and every table whose foreign keys lead to one of them, directly or not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
        )
        edges = [(source.strip('"'), target.strip('"')) for source, target in cursor.fetchall()]
    closure = set(tables)
    while True:
        more = {source for source, target in edges if target in closure} - closure
        if not more:
            return closure
        closure |= more


def _flush_and_seed(alias: str) -> None:
    call_command("flush", verbosity=0, interactive=False, database=alias, reset_sequences=False)
    ensure_seeded()
    connection = connections[alias]
    fingerprints = {
        table: fingerprint
        for table, fingerprint in _fingerprints(connection, _tables(connection)).items()
        if fingerprint[0]
    }
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        rows = {}
        for table in fingerprints:
            cursor.execute(f"SELECT json_agg(row_)::text FROM {quote(table)} row_")  # noqa: S608
            rows[table] = cursor.fetchone()[0]
    _seeded[alias] = _Seed(fingerprints, rows)


def empty_database(alias: str = "default", *, retries: int = 3) -> None:
    """Leave the database as a flush and the seed leave it, truncating only what needs it."""
    connection = connections[alias]
    seeded = _seeded.get(alias)
    if seeded is None:
        _flush_and_seed(alias)
        return
    now = _fingerprints(connection, _tables(connection))
    filled = {table for table, (count, _sum) in now.items() if count and table not in seeded.fingerprints}
    tables = _referencing(connection, filled) if filled else set()
    refilled = tables & seeded.fingerprints.keys()  # emptied with the others, then given their seeded rows
    kept = seeded.fingerprints.keys() - refilled
    if any(now.get(table) != seeded.fingerprints[table] for table in kept):
        _flush_and_seed(alias)  # a seeded table changed: start again from the seed
        return
    if not tables:
        return
    quote = connection.ops.quote_name
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in sorted(tables)))
            for table in sorted(refilled):
                cursor.execute(
                    f"INSERT INTO {quote(table)} SELECT * FROM json_populate_recordset(NULL::{quote(table)}, %s::json)",  # noqa: S608
                    [seeded.rows[table]],
                )
    except OperationalError as error:
        if not isinstance(error.__cause__, DeadlockDetected) or not retries:
            raise
        # A process the test started (a Celery worker) was still finishing its last transaction, and the
        # TRUNCATE's locks crossed its own: look again once it is done.
        time.sleep(0.5)
        empty_database(alias, retries=retries - 1)
        return
    if refilled and _fingerprints(connection, sorted(refilled)) != {t: seeded.fingerprints[t] for t in refilled}:
        _flush_and_seed(alias)  # the seeded rows did not come back as they were
