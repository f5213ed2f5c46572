"""Screening applied to stored submissions: desks, queue state, duplicates, notifications."""

import pytest
from django.core import mail
from django.db import connection

from portal.models import Mail
from submissions import services
from submissions.admin import SubmissionAdmin
from submissions.models import Desk, NameFingerprint, Status, StatusChange, Submission
from tests.support.factories import make_submission
from tests.support.mail import drain_outbox

pytestmark = pytest.mark.django_db


def screen(submission):
    services.submission_screen(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def test_it_queues_a_submission_at_the_desk_of_its_country():
    submission = screen(make_submission(country="TJ"))

    assert submission.status == Status.QUEUED
    assert submission.desk == Desk.objects.get(code="central-asia")
    assert submission.screened_at is not None
    assert StatusChange.objects.filter(submission=submission, to_status="queued", actor="system").count() == 1


def test_routing_reads_none_of_the_case_it_cannot_open():
    """The worker holds no key: it reads what routing needs and the case's public key, never a sealed column
    or a private key, and seals the history's row without reading the case's key apart."""
    from django.test.utils import CaptureQueriesContext

    from portal import sealing

    submission = make_submission(country="TJ")
    with sealing.using(None), CaptureQueriesContext(connection) as queries:
        services.submission_screen(submission_id=submission.pk)

    statements = [query["sql"] for query in queries.captured_queries]
    reads = " ".join(sql for sql in statements if sql.startswith("SELECT"))
    sealed = sealing.sealed_fields(Submission)
    assert sealed and not any(f'"submissions_submission"."{name}"' in reads for name in sealed)
    assert "private_key" not in reads
    assert sum(sql.startswith("SELECT") for sql in statements) == 2  # the case, locked; its desk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason FROM submissions_statuschange WHERE submission_id = %s AND to_status = 'queued'",
            [submission.pk],
        )
        (reason,) = cursor.fetchone()
    assert reason.startswith(f"{sealing.TEXT_PREFIX}{submission.case_key_id}:")  # sealed to the case's key


def test_a_country_without_a_desk_leaves_the_desk_empty():
    assert screen(make_submission(country="AQ")).desk is None


def test_administrators_move_a_country_to_another_desk():
    desk = Desk.objects.create(code="kazakhstan", name="Kazakhstan")
    Desk.objects.get(code="central-asia").countries.filter(country="KZ").update(desk=desk)

    assert screen(make_submission(country="KZ")).desk == desk


def test_screening_twice_changes_nothing_the_second_time():
    submission = screen(make_submission(country="TJ", current_situation=["detained"]))
    prints = NameFingerprint.objects.filter(submission=submission).count()

    assert services.submission_screen(submission_id=submission.pk) is False
    assert NameFingerprint.objects.filter(submission=submission).count() == prints
    assert StatusChange.objects.filter(submission=submission).count() == 2


def test_the_queue_orders_urgent_then_priority_then_age():
    old_plain = screen(make_submission(country="KZ", violation_types=["surveillance"]))
    flagged = screen(make_submission(country="KZ", violation_types=["killing", "online_attacks"]))
    urgent = screen(make_submission(country="KZ", violation_types=["surveillance"], current_situation=["detained"]))
    new_plain = screen(make_submission(country="KZ", violation_types=["surveillance"]))

    # The order of the staff queue (the admin's changelist).
    assert list(Submission.objects.order_by(*SubmissionAdmin.ordering)) == [urgent, flagged, old_plain, new_plain]


def test_names_are_fingerprinted_without_plain_text():
    submission = screen(make_submission(country="TJ"))

    keys = list(NameFingerprint.objects.filter(submission=submission).values_list("key", flat=True))
    assert keys and all(len(key) == 64 for key in keys)
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(key, ' ') FROM submissions_namefingerprint")
        assert "ulfat" not in cursor.fetchone()[0].lower()


def test_possible_duplicates_are_found_across_scripts_and_spellings():
    latin = screen(make_submission(country="TJ"))  # defender "Ulfathonim Mamadshoeva"
    cyrillic = screen(make_submission(country="TJ", defender_name="Мамадшоева Ульфатхоним"))
    other = screen(make_submission(country="TJ", defender_name="Азимжан Аскаров"))

    assert list(services.possible_duplicates(cyrillic)) == [latin]
    assert list(services.possible_duplicates(latin)) == [cyrillic]
    assert list(services.possible_duplicates(other)) == []


def _named(name):
    return screen(make_submission(country="KZ", defender_name=name))


def test_a_shared_first_name_and_patronymic_do_not_make_a_duplicate():
    bekova = _named("Aigerim Nurlanovna Bekova")
    sultanova = _named("Айгерим Нурлановна Султанова")
    again = _named("Бекова Айгерим")

    assert list(services.possible_duplicates(sultanova)) == []
    assert list(services.possible_duplicates(bekova)) == [again]


def test_an_urgent_case_is_announced_to_its_desk_once_without_personal_data():
    Desk.objects.filter(code="central-asia").update(email="central-asia@example.org")
    submission = screen(make_submission(country="TJ", current_situation=["detained"]))
    services.submission_screen(submission_id=submission.pk)

    assert drain_outbox() == 1
    assert drain_outbox() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["central-asia@example.org"]
    assert submission.reference in email.body
    for personal in (submission.source_name, submission.description, submission.place, "Ulfathonim", "Almaty"):
        assert personal not in email.subject + email.body
    assert Mail.objects.get(key=f"submissions.urgent:{submission.pk}").sent_at is not None


def test_a_case_that_is_not_urgent_is_not_announced():
    Desk.objects.filter(code="central-asia").update(email="central-asia@example.org")
    screen(make_submission(country="TJ", current_situation=[]))

    assert drain_outbox() == 0
    assert mail.outbox == []
