import pytest

from portal.celery import app
from tests.support.processes import Beat, Worker


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """One real Celery worker on the test database, shared by the session.

    Tests that use it must commit (django_db(transaction=True)) for the worker
    to see their rows.
    """
    app.control.purge()  # messages left in the broker by an earlier run
    # A short visibility timeout, so a message held by a killed worker comes
    # back within seconds (production: 15 minutes).
    worker = Worker(CELERY_VISIBILITY_TIMEOUT="10")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def celery_beat(django_db_setup):
    beat = Beat()
    beat.start()
    yield beat
    beat.stop()


@pytest.fixture(autouse=True)
def _seeded_desks(request):
    """The desks a data migration seeds; transactional tests flush them, so put them back."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_blocker")
    import importlib

    from django.apps import apps

    from submissions.models import Desk

    if not Desk.objects.exists():
        importlib.import_module("submissions.migrations.0003_seed_desks").seed(apps, None)
