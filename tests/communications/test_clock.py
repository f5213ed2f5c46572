"""The 60-day clock: release, early release, withholding, replies, consent, reminders."""

import datetime

import pytest
import time_machine
from django.core import mail

from communications import gate, services
from communications.models import CommunicationStatus, PublicRecord, PublicReply
from communications.release import CONFIDENTIAL_REPLY
from portal import outbox
from portal.embedded import free_port
from portal.models import Mail
from submissions import services as submission_services
from tests.support.factories import make_accepted_submission, make_sent_communication, make_staff_user
from tests.support.mail import SmtpSink, drain_outbox

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY_60 = SENT + datetime.timedelta(days=60)
NAME = "Ulfathonim Mamadshoeva"


def public_text() -> str:
    return " ".join(
        [record.letter_html + record.summary for record in PublicRecord.objects.all()]
        + [reply.text for reply in PublicReply.objects.all()]
    )


def test_one_second_before_day_60_nothing_is_public_and_at_day_60_it_is():
    communication = make_sent_communication(sent_at=SENT)

    with time_machine.travel(DAY_60 - datetime.timedelta(seconds=1), tick=False):
        assert services.release_due() == 0
    assert not PublicRecord.objects.exists()

    with time_machine.travel(DAY_60, tick=False):
        assert services.release_due() == 1
    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.RELEASED
    record = PublicRecord.objects.get()
    assert (record.reference, record.slug, record.sent_on) == ("UA TJK 1/2026", "ua-tjk-1-2026", SENT.date())


@pytest.mark.slow  # a week of letters released at once (make test runs it; the day-60 tests stay in make quick)
def test_a_missed_week_of_beat_releases_everything_due_on_the_next_run_and_none_twice():
    due = [make_sent_communication(sent_at=SENT + datetime.timedelta(days=day)) for day in range(7)]
    not_yet = make_sent_communication(sent_at=SENT + datetime.timedelta(days=9))

    with time_machine.travel(DAY_60 + datetime.timedelta(days=7), tick=False):
        assert services.release_due() == 7
        assert services.release_due() == 0

    assert set(PublicRecord.objects.values_list("communication", flat=True)) == {c.pk for c in due}
    not_yet.refresh_from_db()
    assert not_yet.status == CommunicationStatus.SENT
    assert all(c.status_changes.filter(to_status="released").count() == 1 for c in due)


def test_staff_release_early_with_a_reason():
    communication = make_sent_communication(sent_at=SENT)
    officer = make_staff_user("press.officer", "Rapporteur")

    with time_machine.travel(SENT + datetime.timedelta(days=3), tick=False):
        services.communication_release(communication=communication, by=officer, reason="Press release of 5 March")

    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.RELEASED
    assert communication.early_release_reason == "Press release of 5 March"
    assert communication.status_changes.get(to_status="released").reason == "Press release of 5 March"
    assert PublicRecord.objects.filter(communication=communication).exists()


def test_a_withheld_communication_stays_unpublished_after_day_60():
    communication = make_sent_communication(sent_at=SENT)
    rapporteur = make_staff_user("rapp", "Rapporteur")
    services.communication_withhold(communication=communication, by=rapporteur, reason="Victim at acute risk")

    with time_machine.travel(DAY_60 + datetime.timedelta(days=30), tick=False):
        assert services.release_due() == 0

    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.WITHHELD
    assert communication.withheld_reason == "Victim at acute risk"
    assert not PublicRecord.objects.exists()


def test_the_release_names_only_victims_who_agreed_to_public_naming():
    refused = make_accepted_submission(country="TJ", public_naming=False)
    agreed = make_accepted_submission(defender_name="Azimjan Askarov", country="TJ", public_naming=True)
    communication = make_sent_communication(submissions=[refused, agreed], sent_at=SENT)

    with time_machine.travel(DAY_60, tick=False):
        services.release_due()

    text = public_text()
    letter = gate.government_letter(communication)
    assert "Azimjan Askarov" in letter and "Azimjan Askarov" in text
    assert NAME in letter
    assert "Ulfathonim" not in text and "Mamadshoeva" not in text
    assert "U. M." in text


def test_consent_withdrawn_before_release_holds_the_release_and_then_is_honoured_by_it():
    rapporteur = make_staff_user("rapp", "Rapporteur")
    submission = make_accepted_submission(country="TJ", public_naming=True)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT)
    submission_services.consent_withdraw(submission=submission, language="en")

    with time_machine.travel(DAY_60, tick=False):
        assert services.release_due() == 0  # held until staff act on the changed consent
    services.communication_acknowledge_consent(
        communication=communication, by=rapporteur, reason="Released with initials only"
    )
    with time_machine.travel(DAY_60 + datetime.timedelta(minutes=1), tick=False):
        assert services.release_due() == 1

    assert communication.public_record and "Mamadshoeva" not in public_text()


def test_consent_withdrawn_after_release_redacts_the_public_record_at_once_and_tells_staff():
    rapporteur = make_staff_user("rapp", "Rapporteur", email="rapporteur@example.org")
    submission = make_accepted_submission(country="TJ", public_naming=True)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT)
    with time_machine.travel(DAY_60, tick=False):
        services.release_due()
    assert "Mamadshoeva" in public_text()

    submission_services.consent_change(
        submission=submission,
        consent={"contact_government": True, "public_naming": False, "written_consent": "written"},
        language="ru",
    )

    assert "Mamadshoeva" not in public_text()
    assert mail.outbox == []  # written to the outbox, sent after commit by a worker
    assert drain_outbox() == 1
    assert [m.to for m in mail.outbox] == [[rapporteur.email]]
    assert communication.reference in mail.outbox[0].subject
    assert "Mamadshoeva" not in mail.outbox[0].body


def test_a_confidential_reply_shows_only_that_a_reply_exists():
    communication = make_sent_communication(sent_at=SENT)
    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 4, 1), kind="substantive", confidential=True,
        summary="The State says the charges are under review.", document=b"%PDF-1.4 state reply",
        document_name="reply.pdf", content_type="application/pdf",
    )  # fmt: skip

    with time_machine.travel(DAY_60, tick=False):
        services.release_due()

    reply = PublicReply.objects.get()
    assert reply.text == CONFIDENTIAL_REPLY
    assert reply.document is None
    assert "charges are under review" not in public_text()


def test_a_late_reply_joins_the_public_record_once_its_public_copy_is_approved():
    communication = make_sent_communication(sent_at=SENT, public_naming=True)
    rapporteur = make_staff_user("rapp", "Rapporteur")
    with time_machine.travel(DAY_60, tick=False):
        services.release_due()
    assert not PublicReply.objects.exists()

    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 6, 20), kind="acknowledgement",
        confidential=False, summary="The State acknowledges receipt.", document=b"Receipt acknowledged.",
        document_name="ack.txt", content_type="text/plain",
    )  # fmt: skip
    assert not PublicReply.objects.exists()  # not before a person approved its public copy
    services.communication_public_approve(communication=communication, by=rapporteur)

    reply = PublicReply.objects.get()
    assert (reply.kind, reply.text, bytes(reply.document)) == ("acknowledgement", "The State acknowledges receipt.",
                                                              b"Receipt acknowledged.")  # fmt: skip


def test_a_reply_document_naming_an_unnamed_defender_is_held_and_the_rest_is_released_without_it():
    communication = make_sent_communication(sent_at=SENT, public_naming=False, public_approved=False)
    rapporteur = make_staff_user("rapp", "Rapporteur")
    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 4, 1), kind="substantive",
        confidential=False, summary="The State replies about the case.", document="О Мамадшоевой У.".encode(),
        document_name="reply.txt", content_type="text/plain",
    )  # fmt: skip

    # The document is held, with what the gate found in it for staff; the letter and the reply's summary
    # are approved and released without it.
    [reply] = gate.public_copy(communication, all_replies=True).replies
    assert reply.document_text is None and reply.note == gate.HELD_DOCUMENT
    assert [problem.where for problem in reply.held] == ["document of the reply of 2026-04-01"]
    assert "Мамадшоевой" in reply.held[0].what
    services.communication_public_approve(communication=communication, by=rapporteur)
    with time_machine.travel(DAY_60, tick=False):
        assert services.release_due() == 1

    published = PublicReply.objects.get()
    assert published.text == "The State replies about the case."
    assert published.document is None and published.document_name == ""
    assert "Мамадшоев" not in PublicRecord.objects.get().letter_html


def test_staff_are_reminded_seven_days_before_release_and_when_a_reply_is_overdue_once_each():
    rapporteur = make_staff_user("rapp", "Rapporteur", email="rapporteur@example.org")
    communication = make_sent_communication(sent_at=SENT)

    with time_machine.travel(DAY_60 - datetime.timedelta(days=7, seconds=1), tick=False):
        assert services.reminders_send() == 0
    with time_machine.travel(DAY_60 - datetime.timedelta(days=7), tick=False):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    assert drain_outbox() == 1
    assert "last chance to withhold" in mail.outbox[0].body

    with time_machine.travel(DAY_60 + datetime.timedelta(days=1), tick=False):
        assert services.release_due() == 1
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    assert drain_outbox() == 1
    assert mail.outbox[1].subject == f"No reply to {communication.reference}"
    assert all(m.to == [rapporteur.email] for m in mail.outbox)


def test_the_last_chance_reminder_survives_a_mail_server_that_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    make_staff_user("rapp", "Rapporteur", email="rapporteur@example.org")
    communication = make_sent_communication(sent_at=SENT)

    with time_machine.travel(DAY_60 - datetime.timedelta(days=7), tick=False):
        assert services.reminders_send() == 1
    reminder = Mail.objects.get(key=f"communications.release-reminder:{communication.pk}")
    with pytest.raises(ConnectionRefusedError):
        outbox.mail_send(mail_id=reminder.pk)
    with time_machine.travel(DAY_60 - datetime.timedelta(days=7, minutes=-5), tick=False):
        assert services.reminders_send() == 0  # it is in the outbox already, not written twice

    with SmtpSink(settings.EMAIL_PORT) as sink:
        assert outbox.mail_send(mail_id=reminder.pk)
    [(_sender, recipients, message)] = sink.messages
    assert recipients == ["rapporteur@example.org"]
    assert message["Subject"] == f"{communication.reference} becomes public on 2026-05-01"
