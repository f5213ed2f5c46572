"""The demo data shows the whole portal: four years of released letters on the archive, its statistics and
its feed, every kind of reply, a non-State recipient, and the work in hand on every desk.

`make run` writes all 235 letters (about two minutes of CPU, in two processes side by side: every letter
goes through every step of the services). Here the demo's cases are seeded whole and its letters as a sample
that covers every kind the plan makes (the letters in hand, the first and the last released letter, a letter
to each company, joint letters, an early release, a follow-up); the plan's own counts are checked on its
tables. The seeding is done once for the module, in a transaction rolled back at the end; each test reads it
in a savepoint.
"""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from communications import demo, gate, services
from communications.models import Communication, CommunicationStatus, PublicRecord, ReplyStatus
from submissions.demo import QUEUE_STATES
from submissions.models import Desk, Status, Submission
from tests.support.seeds import ensure_seeded

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Released letters by their index in the plan: the first and last (four calendar years apart), both
# companies (index % 12 == 5), joint letters (index % 4 == 1), an early release (index % 37 == 8), a
# follow-up (index % 11 == 3, after an earlier letter to the same State), and enough for every reply kind.
SAMPLE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 17, 29, 36, 45, 62, 82, 100, 119, 136, 156, 177, 193, 211, 215]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()  # the tests' office key first: seed_demo would make one of its own
        call_command("seed_demo", stdout=io.StringIO())
        now = timezone.now()
        for index in [*range(len(demo._IN_HAND)), *(len(demo._IN_HAND) + i for i in SAMPLE)]:
            demo._letter(index, now)
        services.release_due(now=now)
        cache.clear()  # the statistics and pages cached by earlier tests of this worker
        yield
        transaction.set_rollback(True)
    cache.clear()


def test_the_plan_releases_two_hundred_letters_over_four_years_to_fifteen_states_and_companies():
    assert demo.RELEASED >= 200 and demo.YEARS == 4
    assert len(set(demo._STATES)) >= 15
    assert len(demo._COMPANIES) >= 1
    assert demo.RELEASED + len(demo._IN_HAND) == demo.LETTERS


@pytest.mark.parametrize("day", [datetime.date(2026, 12, 3), datetime.date(2027, 1, 5), datetime.date(2027, 7, 1)])
def test_the_two_writers_of_make_run_write_every_letter_once_and_each_year_alone(day):
    now = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    later, (first, second) = demo._groups(now)
    in_hand = len(demo._IN_HAND)

    def years(group):
        return {demo._sent_at(i - in_hand, now, demo._stream(i)).year for i in group if i >= in_hand}

    assert sorted(first + second) == list(range(demo.LETTERS))
    assert first == sorted(first) and second == sorted(second) and second
    assert first[:in_hand] == list(range(in_hand))  # the letters in hand first, as staff find them at once
    # A reference is numbered per recipient and year: no year is shared, the letters in hand's included.
    assert not years(first) & years(second)
    earlier = max(demo._sent_at(i - in_hand, now, demo._stream(i)) for i in second)
    assert earlier < later <= now - datetime.timedelta(days=demo._OLDEST_IN_HAND)


def test_the_released_letters_span_four_years(seeded):
    released = PublicRecord.objects.all()

    assert released.count() >= len(SAMPLE) - 2  # the last ones may still wait for their day
    assert len(released.dates("sent_on", "year")) >= 4


def test_it_writes_to_many_states_and_a_non_state_actor(seeded):
    recipients = set(PublicRecord.objects.values_list("recipient", "recipient_name"))

    assert any(code == "OTH" for code, _name in recipients)
    assert len({code for code, _name in recipients if code != "OTH"}) >= 10


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
    # Reasons are sealed to each letter's key: read with the office key, not filtered in the database.
    assert any(c.early_release_reason for c in Communication.objects.filter(status=CommunicationStatus.RELEASED))
    assert any(c.withheld_reason for c in Communication.objects.filter(status=CommunicationStatus.WITHHELD))
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

    assert (Submission.objects.count(), Communication.objects.count(), PublicRecord.objects.count()) == counts
    assert "already present" in output.getvalue()
