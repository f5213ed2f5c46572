"""The portal's settings for the test run: the environment of one pytest-xdist worker, and a fast hasher.

Each worker (gw0, gw1, ...) gets a Redis database (in the main Redis and in
the rate limits' one) and a media folder of its own; pytest-django gives it a PostgreSQL test database of its own
(test_portal_gw0, ...). Set before the portal's settings read the
environment, so the Celery workers and servers that a test starts inherit
the same values. No worker flushes or purges what another uses.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_DATABASES = 16  # redis-server's default


def redis_url_for_database(url: str, offset: int) -> str:
    """`url` moved `offset` databases on, for redis://host/N and unix:///path?db=N alike."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str((int(query.get("db", 0)) + offset) % REDIS_DATABASES)
        return f"unix://{parts.path}?{urlencode(query)}"  # geturl() would drop the empty host: unix:/path
    database = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(database + offset) % REDIS_DATABASES}").geturl()


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and not os.environ.get("PORTAL_TEST_WORKER_ENV"):
    os.environ["PORTAL_TEST_WORKER_ENV"] = _worker  # set once: child processes import this module too
    offset = 1 + int(_worker.removeprefix("gw"))
    for name in ("REDIS_URL", "RATELIMIT_REDIS_URL"):
        if name in os.environ:
            os.environ[name] = redis_url_for_database(os.environ[name], offset)
    # Set, not defaulted: the xdist controller has put its own folder (main) in the environment the
    # workers inherit.
    os.environ["MEDIA_ROOT"] = str(BASE_DIR / ".data" / "test-media" / _worker)
os.environ.setdefault("MEDIA_ROOT", str(BASE_DIR / ".data" / "test-media" / "main"))

from portal.settings import *  # noqa: E402, F403

# Staff accounts are made in hundreds of tests; PBKDF2's million rounds would
# spend most of the suite's time (production keeps Django's default).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A script fills the intake form in well under the minimum fill time a person needs; the tests of
# that limit (tests/submissions/test_form_limits.py) set it back.
FORM_MIN_FILL_SECONDS = 0
SEALING_KDF = "min"  # Argon2id at its cheapest: a staff login per test (production: interactive)
DEMO_LETTERS_IN_BACKGROUND = False  # seed_demo never forks a letter writer in a test process
