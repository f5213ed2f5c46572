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
    worker = Worker()
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def celery_beat(django_db_setup):
    beat = Beat()
    beat.start()
    yield beat
    beat.stop()
