"""Every write to a submission goes through here: the intake form, the
receipt pages, the admin and the Celery tasks call the same functions."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from submissions import consent as consent_texts
from submissions.attachments import CheckedFile
from submissions.models import Attachment, Consent, Defender, Message, Status, StatusChange, Submission
from submissions.receipts import new_passphrase, new_reference, passphrase_hash, passphrase_matches

logger = logging.getLogger(__name__)

SUBMISSION_FIELDS = (
    "source_name",
    "source_relationship",
    "source_relationship_detail",
    "contact_method",
    "contact_details",
    "contact_safety",
    "notify_email",
    "violation_types",
    "violation_other",
    "current_situation",
    "incident_date",
    "incident_dates_detail",
    "country",
    "place",
    "perpetrator_kind",
    "perpetrators",
    "description",
    "current_risk",
    "steps_taken",
    "good_faith",
    "direct_knowledge",
    "media_only",
)
DEFENDER_FIELDS = (
    "kind",
    "name",
    "gender",
    "age_group",
    "has_disability",
    "country",
    "region",
    "remote_area",
    "work_areas",
    "work_description",
    "cooperated_with_un",
)


@dataclass(frozen=True)
class Receipt:
    reference: str
    passphrase: str


class StatusConflict(Exception):
    """The submission is no longer in the status the change expected."""


def _attach(submission: Submission, files: Iterable[CheckedFile], message: Message | None = None) -> None:
    Attachment.objects.bulk_create(
        Attachment(
            submission=submission,
            message=message,
            name=checked.name,
            kind=checked.kind,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            original=checked.original,
            working_copy=checked.working_copy,
        )
        for checked in files
    )


def submission_create(
    *,
    answers: dict,
    defenders: Sequence[dict],
    consent: dict,
    attachments: Sequence[CheckedFile] = (),
    language: str,
) -> tuple[Submission, Receipt]:
    """Store a new case and return it with its receipt, the only copy of the passphrase."""
    reference = new_reference()
    passphrase = new_passphrase()
    with transaction.atomic():
        submission = Submission.objects.create(
            reference=reference,
            passphrase_hash=passphrase_hash(reference, passphrase),
            language=language,
            **{name: answers[name] for name in SUBMISSION_FIELDS if name in answers},
        )
        Defender.objects.bulk_create(
            Defender(submission=submission, position=position, **{name: data[name] for name in DEFENDER_FIELDS})
            for position, data in enumerate(defenders)
        )
        Consent.objects.create(
            submission=submission,
            text_version=consent_texts.CURRENT_VERSION,
            language=language,
            via="intake",
            **consent,
        )
        _attach(submission, attachments)
        StatusChange.objects.create(submission=submission, to_status=Status.RECEIVED, actor="source")
    logger.info("submission %s received", submission.pk)
    return submission, Receipt(reference, passphrase)


def receipt_authenticate(*, reference: str, passphrase: str) -> Submission | None:
    """The submission for a receipt, or None; the same work whether or not the reference exists."""
    submission = Submission.objects.filter(reference=reference).first() if reference else None
    stored = submission.passphrase_hash if submission else passphrase_hash("HRD-00000-00000", "")
    if passphrase_matches(stored, reference, passphrase) and submission is not None:
        return submission
    return None


def consent_change(*, submission: Submission, consent: dict, language: str, withdrawn: bool = False) -> Consent:
    record = Consent.objects.create(
        submission=submission,
        text_version=consent_texts.CURRENT_VERSION,
        language=language,
        via="receipt",
        withdrawn=withdrawn,
        **consent,
    )
    logger.info("submission %s consent changed", submission.pk)
    return record


def consent_withdraw(*, submission: Submission, language: str) -> Consent:
    return consent_change(
        submission=submission,
        consent={"contact_government": False, "public_naming": False, "written_consent": "not_yet"},
        language=language,
        withdrawn=True,
    )


def source_message_add(*, submission: Submission, body: str, attachments: Sequence[CheckedFile] = ()) -> Message:
    """A message or new information from the source; it answers the latest open question, if any."""
    with transaction.atomic():
        question = submission.messages.filter(direction=Message.Direction.TO_SOURCE).order_by("-created_at").first()
        message = Message.objects.create(
            submission=submission, direction=Message.Direction.FROM_SOURCE, body=body, reply_to=question
        )
        _attach(submission, attachments, message)
    logger.info("submission %s message from source", submission.pk)
    return message


def submission_status_change(
    *,
    submission: Submission,
    to_status: Status,
    from_statuses: Iterable[Status],
    actor: str,
    changed_by=None,
    reason: str = "",
) -> StatusChange:
    """Move a submission on, only if it is still in one of `from_statuses`.

    The conditional UPDATE makes two concurrent decisions safe: only one of
    them finds the row in the expected status.
    """
    allowed = list(from_statuses)
    with transaction.atomic():
        current = Submission.objects.select_for_update().filter(pk=submission.pk, status__in=allowed).first()
        if current is None:
            raise StatusConflict(f"submission {submission.pk} is not in {allowed}")
        Submission.objects.filter(pk=submission.pk).update(status=to_status, updated_at=timezone.now())
        change = StatusChange.objects.create(
            submission=submission,
            from_status=current.status,
            to_status=to_status,
            actor=actor,
            changed_by=changed_by,
            reason=reason,
        )
    submission.status = to_status
    return change
