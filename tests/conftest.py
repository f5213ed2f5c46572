import contextlib
import itertools
import os
import time

import pytest
import redis
from _pytest.mark.expression import Expression
from hypothesis import settings as hypothesis_settings

from portal import sealing
from portal.celery import app
from tests.support.database import empty_database
from tests.support.processes import Beat, Worker
from tests.support.seeds import ensure_seeded, office_keyring
from tests.support.template_database import use_template

# Few examples in the edit loop, more where CI runs (CI=true); HYPOTHESIS_PROFILE chooses either. No
# deadline: an example's wall time on two busy cores says nothing of the code (the benches measure time).
hypothesis_settings.register_profile("dev", max_examples=10, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=25, deadline=None)
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
    "tests/communications/test_redaction_property.py",
    "tests/communications/test_api_schemathesis.py",
}
# Browser and slow tests that make quick's -m leaves out are not even imported there: each xdist
# worker collects every module it imports (Playwright; Schemathesis builds its cases at collection).
_MARKS_OF_PATH = [("tests/browser/", {"browser"}), *((module, {"slow"}) for module in SLOW_MODULES)]
_MARKERS = ("browser", "integration", "slow")


def pytest_ignore_collect(collection_path, config):
    """Skip a module when no test of it can match -m, whatever other markers its tests carry."""
    expression = config.option.markexpr
    if not expression:
        return None
    path = collection_path.relative_to(config.rootpath).as_posix()
    known = next((marks for prefix, marks in _MARKS_OF_PATH if path.startswith(prefix)), None)
    if known is None:
        return None
    compiled = Expression.compile(expression)
    others = [name for name in _MARKERS if name not in known]
    for chosen in itertools.product([False, True], repeat=len(others)):
        marks = known | {name for name, on in zip(others, chosen, strict=True) if on}
        if compiled.evaluate(lambda name, marks=marks: name in marks):
            return None
    return True


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::", 1)[0] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """pytest-django's (the xdist worker's suffix on the test database's name), and the test database created
    from a migrated template (tests/support/template_database.py) rather than migrated by each worker."""
    with django_db_blocker.unblock():
        use_template()


@pytest.fixture(scope="session", autouse=True)
def _lighter_flush():
    """After a transactional test, empty only the tables that hold rows and keep the seed (tests/support/database.py).

    Django's flush would truncate every table and make the content types, permissions, groups and
    the data migrations' seed again after each of them: a good part of what the browser and
    worker tests cost.
    """
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if self.available_apps is not None or self.serialized_rollback:
            return flush(self)
        for alias in self._databases_names(include_mirrors=False):
            empty_database(alias)
        return None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown)
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise lists the static files once per xdist worker, as a production process does, not once per test.

    pytest-django turns DEBUG off, so WhiteNoiseMiddleware reads the whole of STATIC_ROOT (some 400 files,
    about 60 ms) when it is made, and every test's Client makes the middleware again. bin/check collects the
    files before pytest starts and no test changes them: a later middleware of the same configuration gets
    the same list.
    """
    from django.conf import settings
    from whitenoise.base import WhiteNoise

    listed = {}
    list_files = WhiteNoise.update_files_dictionary

    def update_files_dictionary(self, root, prefix):
        test = self.immutable_file_test
        key = (
            root, prefix, self.max_age, self.allow_all_origins, self.charset, self.add_headers_function,
            self.index_file, getattr(test, "__func__", test), frozenset(self.media_types.types_map.items()),
            settings.STATIC_URL, settings.STORAGES["staticfiles"]["BACKEND"],
        )  # fmt: skip
        if key not in listed:
            files, self.files = self.files, {}
            try:
                list_files(self, root, prefix)
                listed[key] = self.files
            finally:
                self.files = files
        self.files.update(listed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoise, "update_files_dictionary", update_files_dictionary)
        yield


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
def _default_language():
    """Each test starts in the site's default language: a request of an earlier test (a Russian page, a
    staff member's language) leaves its language active in the thread, as a request's middleware does."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no rate-limit counters (the store is this xdist worker's own database)."""
    from django.core.cache import caches

    with contextlib.suppress(redis.RedisError):
        caches["ratelimit"].clear()


@pytest.fixture(scope="session", autouse=True)
def _test_database_dropped_once_unused(django_db_setup, django_db_blocker):
    """Once every test has run, no other session may hold this xdist worker's test database, or pytest-django's
    DROP DATABASE fails and leaves it behind: a Celery worker stopped just before (workers keep their
    connection between tasks) may still be closing its own, and a thread of a test may have left one open.
    They are ended, then waited for."""
    yield
    from django.db import DatabaseError, connection

    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        with contextlib.suppress(DatabaseError):  # a role that may not end others' sessions waits for them
            cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")
        for _ in range(50):
            cursor.execute(f"SELECT count(*) {others}")
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture(scope="session", autouse=True)
def _no_sealed_files_of_earlier_runs():
    """This xdist worker's attachment files (portal.sealed_files) start empty: those of an earlier run
    belong to test databases that are gone, and the tests that scan the media folder would read them."""
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _test_code_reads_as_staff():
    """The tests' own code reads sealed cases as a logged-in staff member does (portal.sealing). Requests
    read with their own session's keys only (KeyringMiddleware), Celery tasks with none, and a worker
    process has none: what the application can read is never the test's keyring."""
    with sealing.using(office_keyring()):
        yield


@pytest.fixture(autouse=True)
def _seeded_data(request):
    """What data migrations seed (desks, letter libraries), put back where something flushed it."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_blocker")
    ensure_seeded()
