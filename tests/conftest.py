import contextlib
import os

import pytest
import redis
from hypothesis import settings as hypothesis_settings

from portal import sealing
from portal.celery import app
from tests.support.processes import Beat, Worker
from tests.support.seeds import ensure_seeded, office_keyring

# Few examples in the edit loop, more where CI runs (CI=true); HYPOTHESIS_PROFILE chooses either.
hypothesis_settings.register_profile("dev", max_examples=10)
hypothesis_settings.register_profile("ci", max_examples=25)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# Whole-surface tables and fuzzers: minutes of the suite, left out of `make quick` (marked `slow`).
SLOW_MODULES = {
    "tests/portal/test_authorization_matrix.py",
    "tests/submissions/test_admin_access.py",
    "tests/communications/test_public_leak_property.py",
    "tests/portal/test_hostile_intake.py",
    "tests/portal/test_hostile_input.py",
    "tests/portal/test_markup_inert.py",
    "tests/portal/test_settings.py",
    "tests/portal/test_sealing.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::", 1)[0] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker on the test database, for the tests of one module.

    Tests that use it must commit (django_db(transaction=True)) for the worker
    to see their rows. It stops with its module, so that it never works on
    rows of later tests while their database is being flushed.
    """
    app.control.purge()  # messages left in the broker by an earlier run
    # A short visibility timeout, so a message held by a killed worker comes
    # back within seconds (production: 15 minutes).
    worker = Worker(CELERY_VISIBILITY_TIMEOUT="10")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="module")
def celery_beat(django_db_setup):
    beat = Beat()
    beat.start()
    yield beat
    beat.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no rate-limit counters (the store is this xdist worker's own database)."""
    from django.core.cache import caches

    with contextlib.suppress(redis.RedisError):
        caches["ratelimit"].clear()


@pytest.fixture(scope="session", autouse=True)
def _test_code_reads_as_staff():
    """The tests' own code reads sealed cases as a logged-in staff member does (portal.sealing). Requests
    read with their own session's keys only (KeyringMiddleware), Celery tasks with none, and a worker
    process has none: what the application can read is never the test's keyring."""
    with sealing.using(office_keyring()):
        yield


@pytest.fixture(autouse=True)
def _seeded_data(request):
    """What data migrations seed (desks, letter libraries); transactional tests flush it, so put it back."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_blocker")
    ensure_seeded()
