import os
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from tests.support.processes import wait_for
from tests.support.servers import publish_to
from tests.support.tasks import record_backend, record_database_role, record_probe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Rollback(Exception):
    pass


def test_a_task_sent_on_commit_runs_on_the_worker(celery_worker):
    token = uuid.uuid4().hex
    with transaction.atomic():
        record_probe.delay_on_commit(token)
        assert cache.get(f"probe:{token}") is None  # nothing is sent before the commit

    wait_for(lambda: cache.get(f"probe:{token}") == "ran", message="the probe task to run")


def test_a_task_sent_in_a_rolled_back_transaction_never_runs(celery_worker):
    discarded = uuid.uuid4().hex
    with pytest.raises(Rollback), transaction.atomic():
        record_probe.delay_on_commit(discarded)
        raise Rollback

    # One worker takes its queue in order: once a later probe has run, the
    # discarded one would have run too, had it been sent.
    later = uuid.uuid4().hex
    with transaction.atomic():
        record_probe.delay_on_commit(later)
    wait_for(lambda: cache.get(f"probe:{later}") == "ran", message="the later probe to run")
    assert cache.get(f"probe:{discarded}") is None


def test_a_task_whose_broker_is_down_does_not_fail_the_commit(celery_worker):
    from portal.celery import app

    lost = uuid.uuid4().hex
    real = app.conf.broker_url
    publish_to("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        with transaction.atomic():
            record_probe.delay_on_commit(lost)  # the commit must not fail
    finally:
        publish_to(real)

    # Had the message reached the real broker, the worker would have run it before a later probe.
    later = uuid.uuid4().hex
    with transaction.atomic():
        record_probe.delay_on_commit(later)
    wait_for(lambda: cache.get(f"probe:{later}") == "ran", message="the later probe to run")
    assert cache.get(f"probe:{lost}") is None


def test_the_worker_works_as_the_application_role_which_cannot_empty_the_audit(celery_worker):
    """As the application's role (APP_DATABASE_URL's, which the embedded servers make); where none is set up
    (a server given by DATABASE_URL alone) the workers work as DATABASE_URL's role, as README says."""
    app_url = os.environ.get("APP_DATABASE_URL")
    token = uuid.uuid4().hex
    record_database_role.delay(token)

    role = urlsplit(app_url or os.environ["DATABASE_URL"]).username
    wait_for(lambda: cache.get(f"role:{token}"), message="the role task to run")
    found_role, truncates = cache.get(f"role:{token}").split(" truncates=")
    assert found_role == role
    if app_url:
        assert truncates == "no"


def _backend_of_a_task(*, fail: bool = False) -> int:
    token = uuid.uuid4().hex
    record_backend.delay(token, fail)
    wait_for(lambda: cache.get(f"backend:{token}"), message="the backend task to run")
    return cache.get(f"backend:{token}")


def test_the_worker_keeps_its_database_connection_from_task_to_task(celery_worker):
    """A PostgreSQL backend started and ended per task cost the database as much CPU as a report."""
    assert len({_backend_of_a_task() for _ in range(4)}) == 1


def test_a_task_after_its_connection_died_gets_a_new_one(celery_worker):
    first = _backend_of_a_task()
    with connection.cursor() as cursor:  # as a database restart or an idle timeout would end it
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    wait_for(lambda: not _backend_alive(first), message="the worker's backend to end")

    assert _backend_of_a_task() not in (None, first)


def test_a_task_that_fails_leaves_no_connection_for_the_next(celery_worker):
    """A failed task may have been stopped mid-query (its soft time limit): its connection is not reused."""
    first = _backend_of_a_task()
    failed = _backend_of_a_task(fail=True)
    after = _backend_of_a_task()

    assert failed == first
    assert after != failed


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None
