"""Two staff members deciding on one submission at the same moment: PostgreSQL lets one win."""

import threading

import pytest
from django.db import connection

from submissions import services
from submissions.models import InadmissibleReason, Status, StatusChange, Submission
from submissions.services import StatusConflict
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db(transaction=True)


def race(*decisions):
    """Run each decision in its own thread and connection, released together."""
    barrier = threading.Barrier(len(decisions))
    outcomes = [None] * len(decisions)

    def run(index, decide):
        try:
            barrier.wait()
            decide()
            outcomes[index] = "done"
        except StatusConflict:
            outcomes[index] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, decide)) for i, decide in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_accept_and_not_admissible_at_once_cannot_both_succeed(django_user_model, attempt):
    first = django_user_model.objects.create_user(f"officer-a-{attempt}", password="x" * 16)
    second = django_user_model.objects.create_user(f"officer-b-{attempt}", password="x" * 16)
    submission = make_submission(country="TJ")
    services.submission_screen(submission_id=submission.pk)

    outcomes = race(
        lambda: services.submission_accept(submission=Submission.objects.get(pk=submission.pk), by=first),
        lambda: services.submission_reject(
            submission=Submission.objects.get(pk=submission.pk), by=second, reason=InadmissibleReason.UNFOUNDED
        ),
    )

    assert sorted(outcomes) == ["conflict", "done"]
    final = Submission.objects.get(pk=submission.pk)
    decisions = StatusChange.objects.filter(submission=submission, changed_by__isnull=False)
    assert decisions.count() == 1
    assert final.status == decisions.get().to_status
    assert final.status in (Status.ACCEPTED, Status.NOT_ADMISSIBLE)


def test_two_people_assigning_the_same_case_leave_one_assignee_and_one_record_each(django_user_model):
    first = django_user_model.objects.create_user("officer-a", password="x" * 16)
    second = django_user_model.objects.create_user("officer-b", password="x" * 16)
    submission = make_submission(country="TJ")
    services.submission_screen(submission_id=submission.pk)

    race(
        lambda: services.submission_assign(
            submission=Submission.objects.get(pk=submission.pk), assignee=first, by=first
        ),
        lambda: services.submission_assign(
            submission=Submission.objects.get(pk=submission.pk), assignee=second, by=second
        ),
    )

    final = Submission.objects.get(pk=submission.pk)
    assert final.status == Status.IN_REVIEW
    assert final.assignee in (first, second)
    assert StatusChange.objects.filter(submission=submission, changed_by__isnull=False).count() == 2
