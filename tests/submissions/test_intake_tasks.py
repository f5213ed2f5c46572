"""Screening through a real Celery worker on real Redis and PostgreSQL, with faults."""

import re

import psycopg2
import pytest
from django.core.cache import cache
from django.db import connection

from portal.celery import app
from portal.models import Mail
from submissions.models import Desk, NameFingerprint, Status, StatusChange, Submission
from submissions.tasks import screen_submission, sweep
from tests.support.factories import make_submission
from tests.support.intake import submit_case
from tests.support.processes import wait_for, waiting_for_a_lock
from tests.support.servers import publish_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def screened(reference: str) -> bool:
    return Submission.objects.filter(reference=reference, screened_at__isnull=False).exists()


def receipt_reference(response) -> str:
    return re.search(r'id="receipt-reference">([^<]+)<', response.content.decode()).group(1)


def test_a_submission_is_screened_into_its_desk_queue_after_commit(client, celery_worker):
    reference = receipt_reference(submit_case(client))

    wait_for(lambda: screened(reference), message="the worker to screen the submission")
    submission = Submission.objects.get(reference=reference)
    assert submission.status == Status.QUEUED
    assert submission.desk.code == "central-asia"
    assert submission.urgent  # the defender is detained now
    assert "imprisonment" in submission.flags and "women" in submission.flags
    assert list(submission.status_changes.values_list("to_status", "actor")) == [
        ("received", "source"),
        ("queued", "system"),
    ]


def test_with_the_broker_down_the_source_still_gets_a_receipt_and_the_sweep_routes_it_later(
    client, celery_worker, caplog
):
    real = app.conf.broker_url
    publish_to("redis://127.0.0.1:1/0")  # nothing listens there: the broker is down
    try:
        response = submit_case(client)
    finally:
        publish_to(real)

    assert response.status_code == 200
    assert "broker unavailable; submissions.screen_submission left for the periodic sweep" in caplog.text
    reference = receipt_reference(response)
    assert Submission.objects.get(reference=reference).status == Status.RECEIVED

    # The broker is back: the periodic sweep finds the submission in the database.
    sweep.delay(older_than_seconds=0)
    wait_for(lambda: screened(reference), message="the sweep to route the submission")
    assert StatusChange.objects.filter(submission__reference=reference, to_status="queued").count() == 1


@pytest.fixture
def desk_with_email():
    Desk.objects.filter(code="central-asia").update(email="central-asia-desk@example.org")


def test_a_screening_task_delivered_again_changes_nothing(celery_worker, desk_with_email):
    submission = make_submission(country="TJ", current_situation=["death_threats"])
    wait_for(lambda: screened(submission.reference), message="screening")

    for _ in range(3):
        screen_submission.delay(submission.pk)
    probe = make_submission(country="KZ")  # queued after the three, on the one worker
    wait_for(lambda: screened(probe.reference), message="the later task")

    assert StatusChange.objects.filter(submission=submission, to_status="queued").count() == 1
    assert NameFingerprint.objects.filter(submission=submission, kind="full").count() == 1
    assert Mail.objects.filter(key=f"submissions.urgent:{submission.pk}").count() == 1


def test_a_worker_killed_mid_screening_loses_nothing_and_does_nothing_twice(celery_worker, desk_with_email):
    celery_worker.stop()
    submission = make_submission(country="TJ", current_situation=["detained"])  # its task waits in Redis
    # Hold the row lock from another connection, so screening blocks mid-task.
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None)
    try:
        blocker.cursor().execute("SELECT id FROM submissions_submission WHERE id = %s FOR UPDATE", [submission.pk])
        celery_worker.start()
        wait_for(lambda: waiting_for_a_lock(connection), message="the worker to reach the locked row")
        celery_worker.kill()
    finally:
        blocker.close()  # ends its transaction: a lock left behind would hang the next flush
    assert not screened(submission.reference)

    # The message held by the killed worker comes back after the visibility timeout: a short one here.
    celery_worker.env["CELERY_VISIBILITY_TIMEOUT"] = "3"
    celery_worker.start()
    wait_for(lambda: screened(submission.reference), timeout=90, message="the redelivered task")
    assert StatusChange.objects.filter(submission=submission, to_status="queued").count() == 1
    assert NameFingerprint.objects.filter(submission=submission, kind="full").count() == 1
    assert Mail.objects.filter(key=f"submissions.urgent:{submission.pk}").count() == 1
