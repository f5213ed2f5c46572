"""The demo data shows the whole portal: four years of released letters on the archive, its statistics and
its feed, every kind of reply, a non-State recipient, and the work in hand on every desk.

The demo is seeded once for the module (several minutes of letters written through the services), in a
transaction rolled back at the end; each test reads it in a savepoint of its own.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from communications import demo, gate
from communications.models import Communication, CommunicationStatus, PublicRecord, ReplyStatus
from submissions.demo import QUEUE_STATES
from submissions.models import Desk, Status, Submission

# The whole demo is written here: far longer than one test may usually take.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        demo.seed_all()
        cache.clear()  # the statistics and pages cached by earlier tests of this worker
        yield
        transaction.set_rollback(True)
    cache.clear()


def test_it_releases_two_hundred_letters_over_four_years(seeded):
    released = PublicRecord.objects.all()

    assert released.count() >= 200
    years = sorted(released.dates("sent_on", "year"))
    assert len(years) >= 4
    per_year = dict(released.values_list("sent_on__year").annotate(n=Count("*")))
    assert all(per_year[year.year] >= 30 for year in years[-4:]), per_year


def test_it_writes_to_fifteen_recipients_and_a_non_state_actor(seeded):
    recipients = set(PublicRecord.objects.values_list("recipient", "recipient_name"))

    assert len(recipients) >= 15
    assert any(code == "OTH" for code, _name in recipients)
    assert len({code for code, _name in recipients if code != "OTH"}) >= 15


def test_every_kind_of_reply_and_of_letter_is_there(seeded):
    statuses = set(PublicRecord.objects.values_list("reply_status", flat=True))
    assert set(ReplyStatus.values) <= statuses  # none, acknowledgement only, substantive, confidential
    late = [
        record
        for record in PublicRecord.objects.filter(first_reply_on__isnull=False)
        if record.first_reply_on > record.released_on
    ]
    assert late
    assert PublicRecord.objects.exclude(mandates=[]).exists()  # joint letters
    assert PublicRecord.objects.exclude(earlier=[]).exists()  # follow-ups
    assert set(PublicRecord.objects.values_list("language", flat=True)) == {"en", "ru", "fr", "es"}
    assert set(PublicRecord.objects.values_list("kind", flat=True)) >= {"UA", "AL"}
    early = Communication.objects.filter(status=CommunicationStatus.RELEASED).exclude(early_release_reason="")
    assert early.exists()
    assert Communication.objects.filter(status=CommunicationStatus.WITHHELD).exclude(withheld_reason="").exists()
    for status in CommunicationStatus.values:
        assert Communication.objects.filter(status=status).exists(), status


def test_every_released_letter_passed_the_gate_on_an_approved_public_version(seeded):
    for communication in Communication.objects.filter(status=CommunicationStatus.RELEASED)[:20]:
        assert gate.public_version_approved(communication)
        assert gate.gate_public_copy(communication) == []


def test_every_desk_has_a_case_in_every_queue_state(seeded):
    for desk in Desk.objects.all():
        found = set(Submission.objects.filter(desk=desk).values_list("status", flat=True))
        assert set(QUEUE_STATES) <= found, desk.code
    assert Submission.objects.filter(status=Status.COMMUNICATION_SENT).exists()


def test_the_archive_statistics_and_feed_show_the_demo_letters(seeded, client):
    newest = list(PublicRecord.objects.order_by("-sent_on", "-id")[:20])

    archive = client.get(reverse("communications:archive")).content.decode()
    stats = client.get(reverse("communications:stats")).content.decode()
    feed = client.get(reverse("communications:feed")).content.decode()

    assert all(record.reference in archive for record in newest)
    assert reverse("communications:archive") + "?page=2" in archive or "page=2" in archive
    states = PublicRecord.objects.exclude(recipient="OTH").values_list("recipient", "recipient_name").distinct()
    assert [name for code, name in states if name not in stats and code not in stats] == []
    assert all(str(day.year) in stats for day in PublicRecord.objects.dates("sent_on", "year"))
    released_last = PublicRecord.objects.order_by("-released_on", "-id").first()
    assert released_last.reference in feed
    assert feed.count("<entry>") >= 10 or feed.count("<item>") >= 10


def test_a_second_seeding_adds_nothing(seeded):
    counts = (Submission.objects.count(), Communication.objects.count(), PublicRecord.objects.count())
    output = io.StringIO()

    call_command("seed_demo", stdout=output)
    demo.seed_all()

    assert (Submission.objects.count(), Communication.objects.count(), PublicRecord.objects.count()) == counts
    assert "already present" in output.getvalue()
