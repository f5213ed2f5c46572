"""Objects made through the services, as the portal makes them."""

import itertools

from submissions import services
from tests.support.intake import DEFENDER_NAME, NARRATIVE


def make_submission(**kwargs):
    return make_submission_with_receipt(**kwargs)[0]


def make_submission_with_receipt(*, defender_name: str | None = None, consent: dict | None = None, **answers):
    """A submission made through the intake service, with the receipt its source was given."""
    values = {
        "source_name": "A. Source",
        "source_relationship": "witness",
        "contact_method": "receipt_only",
        "contact_safety": "unsafe",
        "violation_types": ["death_threats"],
        "current_situation": [],
        "country": "KZ",
        "place": "Almaty",
        "perpetrator_kind": "state",
        "perpetrators": "Police",
        "description": NARRATIVE,
        "current_risk": "Threats continue",
        "good_faith": True,
        "direct_knowledge": True,
        "media_only": False,
    }
    values.update(answers)
    defender = {
        "kind": "person",
        "name": DEFENDER_NAME,
        "gender": "woman",
        "age_group": "adult",
        "has_disability": "no",
        "country": values["country"],  # the victim lives where it happened
        "region": "",
        "remote_area": False,
        "work_areas": ["journalism"],
        "work_description": "Journalist",
        "cooperated_with_un": "no",
    }
    if defender_name is not None:
        defender["name"] = defender_name
    return services.submission_create(
        answers=values,
        defenders=[defender],
        consent=consent or {"contact_government": True, "public_naming": False, "written_consent": "written"},
        language="en",
    )


def give_receipt(submission, passphrase: str) -> None:
    """A receipt of the test's choosing for a case already stored: its hash, and the case's private key
    under the passphrase's key, as the intake writes them (portal.sealing)."""
    from portal import sealing
    from portal.models import CaseKey
    from submissions.models import Submission
    from submissions.receipts import canonical_passphrase, passphrase_hash

    Submission.objects.filter(pk=submission.pk).update(
        passphrase_hash=passphrase_hash(submission.reference, passphrase)
    )
    key = sealing.passphrase_key(submission.reference, canonical_passphrase(passphrase))
    private = sealing.current().case(submission.case_key_id)
    CaseKey.objects.filter(pk=submission.case_key_id).update(source_private_key=sealing.wrap(key, bytes(private)))


def make_staff_user(username: str, *roles: str, **fields):
    """A staff user in the given role groups (portal.roles)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=True, **fields
    )
    user.groups.add(*[Group.objects.get(name=role) for role in roles])
    return user


def make_accepted_submission(*, public_naming: bool = False, contact_government: bool = True, **answers):
    """A case screened and accepted, with the victim's consent as given."""
    return make_accepted_submission_with_receipt(
        public_naming=public_naming, contact_government=contact_government, **answers
    )[0]


def make_accepted_submission_with_receipt(*, public_naming: bool = False, contact_government: bool = True, **answers):
    """A case screened and accepted, and the receipt its source was given."""
    from submissions.models import Status

    consent = {"contact_government": contact_government, "public_naming": public_naming, "written_consent": "written"}
    submission, receipt = make_submission_with_receipt(consent=consent, **answers)
    services.submission_screen(submission_id=submission.pk)
    services.submission_status_change(
        submission=submission, to_status=Status.ACCEPTED, from_statuses=[Status.QUEUED], actor="staff"
    )
    submission.refresh_from_db()
    return submission, receipt


def make_sent_communication(
    *, submissions=None, sent_at=None, recipient="TJK", kind="UA", public_approved=True, **consent
):
    """A communication drafted, approved by the rapporteur and sent; its public version approved too
    (unless public_approved=False), so that the clock may release it."""
    from communications import services as communications

    desk = make_staff_user(f"desk-{next_number()}", "Desk officer")
    rapporteur = make_staff_user(f"rapporteur-{next_number()}", "Rapporteur")
    submissions = submissions or [make_accepted_submission(country="TJ", **consent)]
    communication, _draft = communications.communication_draft(
        submissions=submissions, kind=kind, recipient=recipient, recipient_name="Tajikistan", language="en", by=desk
    )
    communications.communication_submit_for_review(communication=communication, by=desk)
    communications.communication_approve(communication=communication, by=rapporteur)
    communications.communication_send(communication=communication, by=desk, sent_at=sent_at)
    if public_approved:
        communications.communication_public_approve(communication=communication, by=rapporteur)
    communication.refresh_from_db()
    return communication


_numbers = itertools.count(1)


def next_number() -> int:
    """A number no other made object of this test run has: staff.py numbers its users from it too,
    so that "desk-N" of a sent communication never meets "desk-N" of make_desk_officer."""
    return next(_numbers)
