"""Faults of the queue: Redis killed during a burst of submissions, a worker killed mid-release after beat was
down for a week.

Each test kills servers of its own (tests.support.servers), never those of the test run, which may be the
machine's own.
"""

import datetime
import threading
import traceback

import psycopg2
import pytest
from celery.beat import PersistentScheduler
from django.db import connection
from django.test import Client
from django.utils import timezone

from communications.models import Communication, CommunicationStatus, CommunicationStatusChange, PublicRecord
from communications.services import communication_withhold
from portal.celery import app
from portal.models import Mail
from portal.tasks import mail_sweep
from submissions.models import Desk, NameFingerprint, Submission
from submissions.tasks import sweep
from tests.support.factories import make_sent_communication, make_staff_user
from tests.support.intake import RECEIPT_REFERENCE, submit_case
from tests.support.processes import LOCAL_MAIL, Beat, Worker, wait_for
from tests.support.servers import ThrowawayRedis, publish_to

pytestmark = pytest.mark.integration


# --- Redis killed during a burst of submissions ---------------------------------------------------------------


@pytest.fixture
def redis_of_its_own(settings):
    """Cache, rate limits and broker of this test's process on a Redis the test may kill."""
    server = ThrowawayRedis()
    server.start()
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": server.url},
        # The rate limits' store dies with it here: limits are then not enforced, and no report fails.
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": f"{server.url}?db=1"},
    }
    real_broker = app.conf.broker_url
    publish_to(server.broker_url)
    yield server
    publish_to(real_broker)
    server.delete()


def _submit_many(count: int, outcomes: list) -> None:
    """Post whole cases one after another, as sources do, whatever happens to Redis meanwhile."""
    client = Client()
    try:
        for _ in range(count):
            try:
                response = submit_case(client)
            except Exception:
                outcomes.append(("exception", traceback.format_exc()))
                continue
            found = RECEIPT_REFERENCE.search(response.content.decode())
            outcomes.append((response.status_code, found.group(1) if found else response.content.decode()[:500]))
    finally:
        connection.close()


def _screened(references) -> int:
    return Submission.objects.filter(reference__in=references, screened_at__isnull=False).count()


@pytest.mark.django_db(transaction=True)
def test_redis_killed_during_a_burst_loses_no_receipted_submission_and_screens_each_once(redis_of_its_own):
    Desk.objects.filter(code="central-asia").update(email="central-asia-desk@example.org")  # urgent cases: a mail
    outcomes: list = []
    burst = threading.Thread(target=_submit_many, args=(14, outcomes))
    burst.start()
    wait_for(lambda: len(outcomes) >= 4, timeout=60, message="the first receipts")
    redis_of_its_own.kill()
    before_kill = [reference for _status, reference in outcomes]
    wait_for(lambda: len(outcomes) >= len(before_kill) + 3, timeout=60, message="submissions while Redis is down")
    redis_of_its_own.start()  # same socket, same append-only file
    burst.join(timeout=120)

    assert [outcome for outcome in outcomes if outcome[0] != 200] == []  # a receipt for every source
    references = [reference for _status, reference in outcomes]
    assert Submission.objects.filter(reference__in=references).count() == len(references) == 14
    assert Submission.objects.count() == 14

    # The worker starts only now: what was queued before the kill must have survived it.
    worker = Worker(REDIS_URL=redis_of_its_own.url, CELERY_VISIBILITY_TIMEOUT="10", EMAIL_BACKEND=LOCAL_MAIL)
    worker.start()
    try:
        wait_for(lambda: _screened(before_kill) == len(before_kill), timeout=60, message="the queued tasks")
        # What could not be queued during the outage waits in the database for the periodic sweep.
        sweep.delay(older_than_seconds=0)
        wait_for(lambda: _screened(references) == len(references), timeout=60, message="the sweep")
        # Mail has its own sweep; the worker's mail goes to Django's in-memory backend.
        mail_sweep.delay(older_than_seconds=0)
        wait_for(lambda: not Mail.objects.filter(sent_at__isnull=True).exists(), timeout=60, message="the mails")
    finally:
        worker.stop()
    for submission in Submission.objects.all():
        assert list(submission.status_changes.values_list("to_status", flat=True)) == ["received", "queued"]
        assert NameFingerprint.objects.filter(submission=submission, kind="full").count() == 1
        assert Mail.objects.filter(key=f"submissions.urgent:{submission.pk}").count() == 1


# --- A worker killed mid-release after beat was down for a week -------------------------------------------------


def _beat_last_run_a_week_ago(beat: Beat) -> None:
    """The schedule file a beat leaves behind, as if it had stopped a week ago: every entry is overdue."""
    scheduler = PersistentScheduler(app=app, schedule_filename=beat.arguments[beat.arguments.index("--schedule") + 1])
    for entry in scheduler.schedule.values():
        entry.last_run_at -= datetime.timedelta(days=7)
    scheduler.close()


def _released() -> set[int]:
    return set(Communication.objects.filter(status=CommunicationStatus.RELEASED).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_release_after_a_week_without_beat_releases_each_due_letter_once(settings):
    now = timezone.now()
    due = [make_sent_communication(sent_at=now - datetime.timedelta(days=60 + day, hours=1)) for day in range(7)]
    not_yet = make_sent_communication(sent_at=now - datetime.timedelta(days=59))
    withheld = make_sent_communication(sent_at=now - datetime.timedelta(days=65))
    communication_withhold(communication=withheld, by=make_staff_user("rapp", "Rapporteur"), reason="Acute risk")
    oldest_first = sorted(due, key=lambda communication: communication.sent_at)

    app.control.purge()  # messages left in the broker by an earlier run
    worker, beat = Worker(CELERY_VISIBILITY_TIMEOUT="3"), Beat()  # the killed worker's message returns soon
    _beat_last_run_a_week_ago(beat)
    # The clock releases the oldest first: hold the fourth oldest, so that the worker dies in the middle.
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None)
    held_by = blocker.info.backend_pid
    try:
        blocker.cursor().execute(
            "SELECT id FROM communications_communication WHERE id = %s FOR UPDATE", [oldest_first[3].pk]
        )
        starting_beat = threading.Thread(target=beat.start)  # overdue by a week: it sends the clock at once
        starting_beat.start()
        worker.start()
        starting_beat.join()

        def release_is_blocked() -> bool:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [held_by])
                return cursor.fetchone()[0] > 0

        wait_for(release_is_blocked, timeout=60, message="the worker to reach the held letter")
        worker.kill()
        blocker.rollback()
        assert _released() == {c.pk for c in oldest_first[:3]}

        worker.start()
        wait_for(lambda: _released() >= {c.pk for c in due}, timeout=90, message="the redelivered clock")
    finally:
        blocker.close()
        beat.stop()
        worker.stop()

    assert _released() == {c.pk for c in due}
    for communication in due:
        assert CommunicationStatusChange.objects.filter(communication=communication, to_status="released").count() == 1
    records = list(PublicRecord.objects.values_list("communication", "reference"))
    assert sorted(pk for pk, _ in records) == sorted(c.pk for c in due)
    assert len({reference for _, reference in records}) == len(due)
    not_yet.refresh_from_db()
    withheld.refresh_from_db()
    assert (not_yet.status, withheld.status) == (CommunicationStatus.SENT, CommunicationStatus.WITHHELD)
