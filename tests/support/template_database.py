"""Each xdist worker's test database copied from one migrated template, instead of migrated by each worker.

Running the migrations costs some 7 s of CPU for every worker of every run. The first worker to need the
template makes it (`manage.py migrate` on a database of its own), under a lock that the other workers wait
on; Django then creates each worker's test database from it (PostgreSQL's TEST["TEMPLATE"] setting, a copy of
its files) and runs `migrate`, which has nothing left to do but check. The template is kept in the cluster
with a fingerprint of the migrations (and Django's version) as its comment, and made again when they change.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.db import connections

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ("portal", "submissions", "communications")
# pg_advisory_lock's key for the template, taken on the maintenance database every worker connects to.
LOCK = int.from_bytes(hashlib.blake2b(b"portal test template", digest_size=7).digest(), "big")


def migrations_fingerprint() -> str:
    digest = hashlib.blake2b(django.__version__.encode(), digest_size=16)
    for path in sorted(file for app in APPS for file in (BASE_DIR / app / "migrations").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def _comment(cursor, name: str) -> str | None:
    cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    return row[0] if row else None


def _migrate(name: str) -> None:
    """The migrations on database `name`, as `manage.py migrate` runs them (the owner's role of DATABASE_URL)."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("APP_DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)


def use_template() -> None:
    """Make the template if it is missing or out of date, and have Django create the test database from it."""
    connection = connections["default"]
    template = f"{connection.settings_dict['NAME']}_test_template"
    fingerprint = migrations_fingerprint()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            if _comment(cursor, template) != fingerprint:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(template)}")
                cursor.execute(f"CREATE DATABASE {_quote(template)}")
                _migrate(template)
                cursor.execute(f"COMMENT ON DATABASE {_quote(template)} IS %s", [fingerprint])
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    connection.settings_dict["TEST"]["TEMPLATE"] = template
