"""Drafting, review, the rapporteur's approval, sending and the reference number."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from communications import gate, services
from communications.models import Communication, CommunicationStatus
from communications.names import find_names, first_person_sentences
from communications.services import WorkflowError
from portal import sealing
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


def test_a_draft_is_written_from_the_accepted_case_in_the_office_s_voice(desk_officer):
    communication, _result = draft(desk_officer)

    body = communication.body
    submission = communication.submissions.get()
    defender = submission.defenders.get()
    assert "capacity as Special Rapporteur on the situation of human rights defenders" in body
    assert f"According to the information received, [[person:{defender.pk}]] is a human rights defender" in body
    assert "death threats" in body and "Police" in body  # what, and who is alleged to have done it
    # The source's narrative is shown to staff beside the draft, never pasted into it.
    assert submission.description not in body
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

    letter = gate.government_letter(communication)
    assert "Ulfathonim" not in communication.body and "Mamadshoeva" not in communication.body
    assert "Ulfathonim" not in letter and "Mamadshoeva" not in letter
    assert "U. M." in letter
    assert result.warnings and "initials" in result.warnings[0]


def test_a_defender_who_agreed_is_named_in_the_government_copy_through_the_reference(desk_officer):
    agreed = make_accepted_submission(country="TJ", contact_government=True)

    communication, _ = draft(desk_officer, submissions=[agreed])

    assert "Ulfathonim Mamadshoeva" in gate.government_letter(communication)
    assert services.government_problems(communication) == []


def test_the_source_is_never_in_the_draft(desk_officer):
    submission = make_accepted_submission(country="TJ", source_name="Zebiniso Sourcenova", contact_details="+992 77")

    communication, _ = draft(desk_officer, submissions=[submission])

    assert "Sourcenova" not in communication.body and "+992 77" not in communication.body


FIRST_PERSON_REPORTS = [
    ("I, Farida Nazarova, her niece, visited her in the colony in October 2026. She was beaten.", "Farida Nazarova",
     "niece", "I was told by the guards that she is ill."),
    ("I am his aunt and heard it from the family. He was taken at night.", "Zarina Holova", "aunt",
     "I fear for his life."),
    ("I work with Aigerim at the hotline. We were both threatened.", "Dana Serikova", "colleague at the hotline",
     "My colleagues and I receive calls at night."),
    ("Я, Фарида Назарова, её племянница, навещала её в колонии. Её избивают.", "Фарида Назарова",
     "племянница", "Я боюсь за её жизнь."),
]  # fmt: skip


@pytest.mark.parametrize(("narrative", "source", "relationship", "risk"), FIRST_PERSON_REPORTS)
def test_a_draft_from_a_report_in_the_first_person_holds_no_sentence_of_the_source(
    desk_officer, narrative, source, relationship, risk
):
    submission = make_accepted_submission(
        country="TJ", description=narrative, source_name=source, source_relationship="family",
        source_relationship_detail=relationship, current_risk=risk, steps_taken="I wrote to the prosecutor.",
        perpetrators="My neighbour saw police officers",
    )  # fmt: skip

    communication, result = draft(desk_officer, submissions=[submission])

    letter = gate.government_letter(communication)
    assert first_person_sentences(letter, "ru" if "Я" in narrative else "en") == []
    assert narrative not in letter and source not in letter and risk not in letter
    assert find_names(letter, gate.protected(communication, "government")) == []
    # What could not be used is left for staff to write, and the gate holds it until they do.
    assert any("[TO COMPLETE" in warning or "source's voice" in warning for warning in result.warnings)
    problems = services.government_problems(communication)
    assert problems and all(problem.what == "a part of the draft still to write" for problem in problems)


def test_a_victim_who_reported_their_own_case_is_named_as_their_consent_allows_without_saying_so(desk_officer):
    own = make_accepted_submission(
        country="TJ", source_relationship="victim", source_name="Ulfathonim Mamadshoeva", contact_government=True,
        description="I was detained at the airport.",
    )  # fmt: skip

    communication, _ = draft(desk_officer, submissions=[own])

    letter = gate.government_letter(communication)
    assert "Ulfathonim Mamadshoeva" in letter
    assert "I was detained" not in letter and "source" not in letter.lower()
    assert services.government_problems(communication) == []


def test_edits_are_sanitised(desk_officer):
    communication, _ = draft(desk_officer)

    services.communication_edit(
        communication=communication, body='<p onclick="x()">Text<script>alert(1)</script><img src=x></p>'
    )

    communication.refresh_from_db()
    assert communication.body == "<p>Text</p>"


REFUSED_FORMS = [
    "<p>Ms Mamadshoeva was detained.</p>",
    "<p>Г-жа Ульфатхоним Мамадшоева задержана.</p>",
    "<p>Задержание Мамадшоевой вызывает тревогу.</p>",
    "<p>Ulfat<em>honim</em> was detained.</p>",
    "<p>Mamad\u200bshoeva was detained.</p>",
    "<p>Ms Mаmаdshoevа (Cyrillic look-alikes) was detained.</p>",
]


@pytest.mark.parametrize("body", REFUSED_FORMS)
def test_approval_and_sending_refuse_a_name_without_consent_in_any_form(desk_officer, rapporteur, body):
    refused = make_accepted_submission(country="TJ", contact_government=False)
    communication, _ = draft(desk_officer, submissions=[refused])

    problems = services.communication_edit(communication=communication, body=body)
    services.communication_submit_for_review(communication=communication, by=desk_officer)

    assert problems and "<mark" in problems[0].context
    with pytest.raises(services.GateRefused):
        services.communication_approve(communication=communication, by=rapporteur)
    # The gate never rewrites: the text is as staff wrote it.
    communication.refresh_from_db()
    assert communication.body == services.sanitise(body)


@pytest.mark.parametrize(
    "body",
    [
        "<p>Her niece Farida Nazarova visited her.</p>",
        "<p>Write to farida.n@example.org for details.</p>",
        "<p>Call +992 93 555 12 34.</p>",
        "<p>She works with the coordinator of the same hotline.</p>",
        "<p>I visited her in the colony.</p>",
    ],
)
def test_approval_refuses_the_source_s_name_contact_relationship_or_voice(desk_officer, rapporteur, body):
    submission = make_accepted_submission(
        country="TJ", source_name="Farida Nazarova", contact_method="email",
        contact_details="farida.n@example.org, +992 93 555 12 34", source_relationship="organisation",
        source_relationship_detail="coordinator of the same hotline",
    )  # fmt: skip
    communication, _ = draft(desk_officer, submissions=[submission])
    services.communication_edit(communication=communication, body=communication.body + body)
    services.communication_submit_for_review(communication=communication, by=desk_officer)

    with pytest.raises(services.GateRefused):
        services.communication_approve(communication=communication, by=rapporteur)


def test_sending_refuses_a_letter_that_names_a_victim_whose_consent_was_narrowed_after_approval(
    desk_officer, rapporteur
):
    submission = make_accepted_submission(country="TJ", contact_government=True)
    communication, _ = draft(desk_officer, submissions=[submission])
    services.communication_edit(communication=communication, body=communication.body + "<p>Мамадшоевой.</p>")
    services.communication_submit_for_review(communication=communication, by=desk_officer)
    services.communication_approve(communication=communication, by=rapporteur)
    submission.consents.update(contact_government=False)
    services.communication_acknowledge_consent(communication=communication, by=rapporteur, reason="seen")

    with pytest.raises(services.GateRefused):
        services.communication_send(communication=communication, by=desk_officer)


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
    keyring = sealing.current()  # each sender reads the letter it checks: a thread starts with no key

    def send(communication):
        try:
            barrier.wait()
            with sealing.using(keyring):
                services.communication_send(
                    communication=Communication.objects.get(pk=communication.pk), by=desk_officer
                )
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
