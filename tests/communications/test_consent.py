"""Consent is authoritative: one rule on the Consent, checked at every step; a change holds the letter.

A withdrawal or narrowing recorded by the source takes effect in its own transaction: released records
are rewritten at once, approved, sent and released letters get an alert that holds their next step until
the rapporteur acts, and the case's desk and the rapporteur get one mail through the outbox.
"""

import datetime
import threading

import psycopg2
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from communications import gate, services
from communications.models import Communication, CommunicationStatus, ConsentAlert, PublicRecord
from communications.services import WorkflowError
from portal import sealing
from portal.models import Mail
from submissions import services as submission_services
from submissions.models import Consent, Desk, Submission, WrittenConsent
from tests.support.factories import make_accepted_submission, make_sent_communication, make_staff_user
from tests.support.mail import drain_outbox
from tests.support.staff import login_staff, make_rapporteur

pytestmark = pytest.mark.django_db

S = CommunicationStatus
SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY_60 = SENT + datetime.timedelta(days=60)
NAME = "Ulfathonim Mamadshoeva"
DESK_EMAIL = "central-asia@example.org"
RAPPORTEUR_EMAIL = "rapporteur@example.org"
NARROWED_TO_GOVERNMENT_ONLY = {"contact_government": True, "public_naming": False, "written_consent": "written"}
NARROWED_TO_NOTHING = {"contact_government": False, "public_naming": False, "written_consent": "written"}


# --- The rule, in one place ----------------------------------------------------------------------


def consent(**answers) -> Consent:
    values = {"contact_government": True, "public_naming": True, "written_consent": "written", "withdrawn": False}
    return Consent(**{**values, **answers})


@pytest.mark.parametrize(
    ("answers", "government", "public"),
    [
        ({}, True, True),
        ({"public_naming": False}, True, False),
        ({"contact_government": False}, False, True),
        ({"withdrawn": True}, False, False),
        ({"written_consent": WrittenConsent.NOT_YET}, False, False),
        ({"written_consent": WrittenConsent.SOURCE_IS_VICTIM}, True, True),
    ],
)
def test_the_consent_answers_whether_the_victim_may_be_named(answers, government, public):
    assert consent(**answers).may_name_to_government() is government
    assert consent(**answers).may_name_publicly() is public


@pytest.mark.parametrize(
    ("before", "after", "takes_back"),
    [
        ({}, {"withdrawn": True}, True),
        ({}, {"public_naming": False}, True),
        ({}, {"contact_government": False}, True),
        ({"public_naming": False}, {"public_naming": True}, False),
        ({}, {}, False),
        ({"public_naming": False}, {"public_naming": False}, False),
        ({"withdrawn": True}, {"withdrawn": True}, False),
    ],
)
def test_a_consent_knows_whether_it_takes_back_what_the_previous_one_allowed(before, after, takes_back):
    assert consent(**after).takes_back(consent(**before)) is takes_back


# --- Held letters --------------------------------------------------------------------------------


@pytest.fixture
def people():
    Desk.objects.filter(code="central-asia").update(email=DESK_EMAIL)
    return {
        "desk": make_staff_user("desk.officer", "Desk officer"),
        "rapporteur": make_staff_user("the.rapporteur", "Rapporteur", email=RAPPORTEUR_EMAIL),
    }


def approved_letter(people, **consent_answers):
    """A letter that names the victim (who agreed), approved by the rapporteur, not yet sent."""
    submission = make_accepted_submission(country="TJ", **consent_answers)
    communication, _ = services.communication_draft(
        submissions=[submission], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en",
        by=people["desk"],
    )  # fmt: skip
    assert NAME in gate.government_letter(communication)  # through its name reference
    services.communication_submit_for_review(communication=communication, by=people["desk"])
    services.communication_approve(communication=communication, by=people["rapporteur"])
    return communication, submission


def change_consent(submission, answers=None):
    if answers is None:
        return submission_services.consent_withdraw(submission=submission, language="ru")
    return submission_services.consent_change(submission=submission, consent=answers, language="ru")


@pytest.mark.parametrize("answers", [None, NARROWED_TO_NOTHING], ids=["withdrawn", "narrowed"])
def test_sending_is_refused_after_consent_was_withdrawn_or_narrowed(people, answers):
    communication, submission = approved_letter(people)
    change_consent(submission, answers)

    with pytest.raises(WorkflowError, match="consent changed"):
        services.communication_send(communication=communication, by=people["desk"])
    communication.refresh_from_db()
    assert communication.status == S.APPROVED and communication.reference is None


@pytest.mark.parametrize("answers", [None, NARROWED_TO_NOTHING], ids=["withdrawn", "narrowed"])
def test_after_a_withdrawal_the_reference_renders_initials_and_a_typed_name_is_still_refused(people, answers):
    communication, submission = approved_letter(people)
    typed = sealing.seal_for(communication, communication.body + "<p>Мамадшоевой.</p>")
    Communication.objects.filter(pk=communication.pk).update(body=typed)
    change_consent(submission, answers)
    # Acknowledging does not let the name through: the typed spelling still names someone who said No.
    services.communication_acknowledge_consent(
        communication=communication, by=people["rapporteur"], reason="Seen; the letter will be revised"
    )
    with pytest.raises(services.GateRefused, match="no consent to be named to the government"):
        services.communication_send(communication=communication, by=people["desk"])

    communication.refresh_from_db()
    letter = gate.government_letter(communication)
    assert NAME not in letter and "U. M." in letter  # the reference follows the current consent
    assert communication.status == S.APPROVED and communication.reference is None


def test_a_revised_letter_approved_again_can_be_sent(people):
    communication, submission = approved_letter(people)
    change_consent(submission, NARROWED_TO_NOTHING)

    services.communication_back_to_draft(communication=communication, by=people["rapporteur"], reason="Consent")
    services.communication_edit(communication=communication, body=communication.body.replace(NAME, "U. M."))
    services.communication_submit_for_review(communication=communication, by=people["desk"])
    services.communication_approve(communication=communication, by=people["rapporteur"])
    services.communication_send(communication=communication, by=people["desk"])

    communication.refresh_from_db()
    assert communication.status == S.SENT
    alert = ConsentAlert.objects.get(communication=communication)
    assert alert.resolved_by == people["rapporteur"] and "Approved again" in alert.resolution


def test_a_narrowed_public_consent_holds_an_approved_letter_until_the_rapporteur_acknowledges_it(people):
    communication, submission = approved_letter(people, public_naming=True)
    change_consent(submission, NARROWED_TO_GOVERNMENT_ONLY)

    with pytest.raises(WorkflowError, match="consent changed"):
        services.communication_send(communication=communication, by=people["desk"])
    with pytest.raises(WorkflowError, match="reason"):
        services.communication_acknowledge_consent(communication=communication, by=people["rapporteur"], reason=" ")
    with pytest.raises(PermissionDenied):
        services.communication_acknowledge_consent(communication=communication, by=people["desk"], reason="Fine")
    services.communication_acknowledge_consent(
        communication=communication, by=people["rapporteur"], reason="The State may still read the name"
    )
    services.communication_send(communication=communication, by=people["desk"])

    communication.refresh_from_db()
    assert communication.status == S.SENT


@pytest.mark.parametrize("answers", [None, NARROWED_TO_GOVERNMENT_ONLY], ids=["withdrawn", "narrowed"])
def test_release_is_refused_after_consent_was_withdrawn_or_narrowed(people, answers):
    submission = make_accepted_submission(country="TJ", public_naming=True)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT)
    change_consent(submission, answers)

    with pytest.raises(WorkflowError, match="consent changed"):
        services.communication_release(communication=communication, by=people["rapporteur"], reason="Press release")
    with time_machine.travel(DAY_60 + datetime.timedelta(days=3), tick=False):
        assert services.release_due() == 0
    communication.refresh_from_db()
    assert communication.status == S.SENT and not PublicRecord.objects.exists()

    services.communication_acknowledge_consent(
        communication=communication, by=people["rapporteur"], reason="Release with initials"
    )
    with time_machine.travel(DAY_60 + datetime.timedelta(days=3), tick=False):
        assert services.release_due() == 1
    record = PublicRecord.objects.get()
    assert "Mamadshoeva" not in record.letter_html and "U. M." in record.letter_html


def test_a_withdrawal_after_release_rewrites_the_record_at_once_and_opens_an_alert(people):
    submission = make_accepted_submission(country="TJ", public_naming=True)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT)
    with time_machine.travel(DAY_60, tick=False):
        services.release_due()
    assert "Mamadshoeva" in PublicRecord.objects.get().letter_html

    change_consent(submission)

    assert "Mamadshoeva" not in PublicRecord.objects.get().letter_html
    alert = ConsentAlert.objects.get(communication=communication)
    assert (alert.status_then, alert.resolved_at) == (S.RELEASED, None)


# --- Alerts --------------------------------------------------------------------------------------


def test_the_desk_and_the_rapporteur_are_alerted_once_without_personal_data(people):
    communication, submission = approved_letter(people)

    change_consent(submission)
    # The same change taking effect again (a retried request, a second receiver) alerts nobody again.
    services.consent_change_take_effect(
        submission_id=submission.pk, consent=submission.current_consent(), previous=None
    )

    assert ConsentAlert.objects.filter(communication=communication).count() == 1
    assert mail.outbox == []  # nothing talks to a mail server in the source's request
    assert Mail.objects.count() == 1
    assert drain_outbox() == 1
    (email,) = mail.outbox
    assert email.to == sorted([DESK_EMAIL, RAPPORTEUR_EMAIL])
    assert submission.reference in email.body
    assert f"/admin/communications/communication/{communication.pk}/change/" in email.body
    whole = email.message().as_string()
    for personal in (NAME, "Mamadshoeva", submission.description, submission.source_name, "Almaty"):
        assert personal not in whole


def test_a_consent_that_gives_more_alerts_nobody(people):
    communication, submission = approved_letter(people)

    change_consent(submission, {"contact_government": True, "public_naming": True, "written_consent": "written"})

    assert not ConsentAlert.objects.exists() and not Mail.objects.exists()
    services.communication_send(communication=communication, by=people["desk"])


def test_a_desk_without_an_address_is_alerted_through_its_members(people):
    Desk.objects.filter(code="central-asia").update(email="")
    member = make_staff_user("member", "Desk officer", email="member@example.org")
    Desk.objects.get(code="central-asia").members.add(member)
    _communication, submission = approved_letter(people)

    change_consent(submission)
    drain_outbox()

    assert mail.outbox[0].to == sorted(["member@example.org", RAPPORTEUR_EMAIL])


def test_the_alert_shows_on_the_letters_page_and_the_rapporteur_acknowledges_it_there(people):
    rapporteur = make_rapporteur()
    communication, submission = approved_letter(people)
    change_consent(submission)
    client = Client()
    login_staff(client, rapporteur)
    page_url = f"/admin/communications/communication/{communication.pk}/change/"

    page = client.get(page_url).content.decode()
    assert f"The victim in case {submission.reference} withdrew their consent" in page
    assert "step-acknowledge_consent" in page

    step = f"/admin/communications/communication/{communication.pk}/step/acknowledge_consent/"
    assert client.post(step, {"reason": ""}).status_code == 302
    assert ConsentAlert.objects.get().resolved_at is None  # a reason is required
    assert client.post(step, {"reason": "Will be revised"}).status_code == 302

    alert = ConsentAlert.objects.get()
    assert (alert.resolved_by, alert.resolution) == (rapporteur, "Will be revised")
    page = client.get(page_url).content.decode()
    assert "withdrew their consent" not in page and "step-acknowledge_consent" not in page


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_the_sending_of_the_letter_never_deadlocks_and_always_leaves_an_alert(people):
    letters = [approved_letter(people) for _ in range(6)]
    errors: list[Exception] = []
    keyring = sealing.current()  # staff's key, in each thread (a thread starts with none)

    def run(barrier, step):
        try:
            barrier.wait()
            with sealing.using(keyring):
                step()
        except WorkflowError:
            pass  # sending refused: the withdrawal came first
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    for communication, submission in letters:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=run, args=(barrier, lambda c=communication: services.communication_send(
                communication=Communication.objects.get(pk=c.pk), by=people["desk"]))),
            threading.Thread(target=run, args=(barrier, lambda s=submission: change_consent(
                Submission.objects.get(pk=s.pk)))),
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    for communication, _submission in letters:
        alert = ConsentAlert.objects.get(communication=communication)
        communication.refresh_from_db()
        # Sent before the withdrawal committed, or refused after it: held either way, never lost.
        assert alert.resolved_at is None
        assert communication.status in (S.APPROVED, S.SENT)


@pytest.mark.django_db(transaction=True)
def test_sending_does_not_wait_on_a_consent_being_recorded_for_the_case(people):
    """A consent being recorded holds a key-share lock on the case (its foreign key) while it waits for the
    case's letters; sending, which holds the letter, must not then wait for the case, or both would deadlock."""
    communication, submission = approved_letter(people)
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"] or None,
        port=db["PORT"] or None,
    )  # fmt: skip
    other.cursor().execute("SELECT id FROM submissions_submission WHERE id = %s FOR KEY SHARE", [submission.pk])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        services.communication_send(communication=communication, by=people["desk"])
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    communication.refresh_from_db()
    assert communication.status == S.SENT
