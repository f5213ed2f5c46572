"""Drafting, review, the rapporteur's approval, sending and the reference number."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from communications import services
from communications.models import Communication, CommunicationStatus
from communications.services import WorkflowError
from submissions.models import Status as SubmissionStatus
from tests.support.factories import make_accepted_submission, make_sent_communication, make_staff_user, make_submission

pytestmark = pytest.mark.django_db

S = CommunicationStatus


@pytest.fixture
def desk_officer():
    return make_staff_user("desk.officer", "Desk officer")


@pytest.fixture
def rapporteur():
    return make_staff_user("the.rapporteur", "Rapporteur")


def draft(desk_officer, **kwargs):
    submissions = kwargs.pop("submissions", None) or [make_accepted_submission(country="TJ")]
    values = {"kind": "UA", "recipient": "TJK", "recipient_name": "Tajikistan", "language": "en", **kwargs}
    communication, result = services.communication_draft(submissions=submissions, by=desk_officer, **values)
    return communication, result


def test_a_draft_is_written_from_the_accepted_case(desk_officer):
    communication, _result = draft(desk_officer)

    body = communication.body
    assert "capacity as Special Rapporteur on the situation of human rights defenders" in body
    assert communication.submissions.get().description in body
    assert "Declaration on Human Rights Defenders" in body
    assert "within 60 days" in body
    assert communication.status == S.DRAFT


def test_only_accepted_cases_can_be_drafted_from(desk_officer):
    queued = make_submission(country="TJ")

    with pytest.raises(WorkflowError):
        draft(desk_officer, submissions=[queued])


def test_norms_are_picked_by_the_violations(desk_officer):
    torture = make_accepted_submission(country="TJ", violation_types=["torture"])
    threats = make_accepted_submission(country="TJ", violation_types=["death_threats"])

    torture_letter, _ = draft(desk_officer, submissions=[torture])
    threats_letter, _ = draft(desk_officer, submissions=[threats])

    assert "Convention against Torture" in torture_letter.body
    assert "Convention against Torture" not in threats_letter.body
    assert "right to life" in threats_letter.body


def test_a_defender_who_refused_government_contact_appears_by_initials_and_staff_are_warned(desk_officer):
    refused = make_accepted_submission(country="TJ", contact_government=False)

    communication, result = draft(desk_officer, submissions=[refused])

    assert "Ulfathonim" not in communication.body and "Mamadshoeva" not in communication.body
    assert "U. M." in communication.body
    assert result.warnings and "initials U. M." in result.warnings[0]


def test_the_source_is_never_in_the_draft(desk_officer):
    submission = make_accepted_submission(country="TJ", source_name="Zebiniso Sourcenova", contact_details="+992 77")

    communication, _ = draft(desk_officer, submissions=[submission])

    assert "Sourcenova" not in communication.body and "+992 77" not in communication.body


def test_edits_are_sanitised(desk_officer):
    communication, _ = draft(desk_officer)

    services.communication_edit(
        communication=communication, body='<p onclick="x()">Text<script>alert(1)</script><img src=x></p>'
    )

    communication.refresh_from_db()
    assert communication.body == "<p>Text</p>"


def test_an_edit_that_names_a_refusing_defender_is_flagged_and_cannot_be_approved(desk_officer, rapporteur):
    refused = make_accepted_submission(country="TJ", contact_government=False)
    communication, _ = draft(desk_officer, submissions=[refused])

    problems = services.communication_edit(communication=communication, body="<p>Ms Mamadshoeva was detained.</p>")
    services.communication_submit_for_review(communication=communication, by=desk_officer)

    assert problems
    with pytest.raises(WorkflowError):
        services.communication_approve(communication=communication, by=rapporteur)


def test_only_the_rapporteur_approves(desk_officer, rapporteur):
    communication, _ = draft(desk_officer)
    services.communication_submit_for_review(communication=communication, by=desk_officer)

    with pytest.raises(PermissionDenied):
        services.communication_approve(communication=communication, by=desk_officer)
    services.communication_approve(communication=communication, by=rapporteur)

    assert communication.status == S.APPROVED


def test_an_approved_letter_cannot_be_edited_until_sent_back_to_draft(desk_officer, rapporteur):
    communication, _ = draft(desk_officer)
    services.communication_submit_for_review(communication=communication, by=desk_officer)
    services.communication_approve(communication=communication, by=rapporteur)

    with pytest.raises(WorkflowError):
        services.communication_edit(communication=communication, body="<p>changed</p>")
    services.communication_back_to_draft(communication=communication, by=rapporteur, reason="Add the hearing date")
    services.communication_edit(communication=communication, body="<p>changed</p>")

    communication.refresh_from_db()
    assert communication.body == "<p>changed</p>"
    assert communication.status == S.DRAFT


def test_every_step_is_recorded_with_who_when_from_to_and_why(desk_officer, rapporteur):
    communication = make_sent_communication()

    steps = list(communication.status_changes.values_list("from_status", "to_status"))
    assert steps == [("", "draft"), ("draft", "in_review"), ("in_review", "approved"), ("approved", "sent")]
    assert all(change.changed_by is not None for change in communication.status_changes.all())


def test_sending_gives_the_reference_and_moves_the_cases_on():
    communication = make_sent_communication(sent_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC))

    assert communication.reference == "UA TJK 1/2026"
    assert communication.submissions.get().status == SubmissionStatus.COMMUNICATION_SENT


def test_numbers_count_per_recipient_and_year():
    in_2026 = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    first = make_sent_communication(sent_at=in_2026, kind="UA")
    second = make_sent_communication(sent_at=in_2026, kind="AL")
    other_state = make_sent_communication(sent_at=in_2026, recipient="KAZ")
    next_year = make_sent_communication(sent_at=in_2026.replace(year=2027))

    assert [c.reference for c in (first, second, other_state, next_year)] == [
        "UA TJK 1/2026",
        "AL TJK 2/2026",
        "UA KAZ 1/2026",
        "UA TJK 1/2027",
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_never_get_the_same_number(desk_officer, rapporteur):
    communications = []
    for _ in range(8):
        communication, _ = draft(desk_officer)
        services.communication_submit_for_review(communication=communication, by=desk_officer)
        services.communication_approve(communication=communication, by=rapporteur)
        communications.append(communication)
    barrier = threading.Barrier(len(communications))
    errors = []

    def send(communication):
        try:
            barrier.wait()
            services.communication_send(communication=Communication.objects.get(pk=communication.pk), by=desk_officer)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in communications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    references = sorted(Communication.objects.values_list("reference", flat=True))
    year = references[0].split("/")[1]
    assert references == sorted(f"UA TJK {n}/{year}" for n in range(1, 9))
