"""Every write to a communication: drafting, the approval workflow, sending,
replies, release and withholding, the 60-day clock and its reminders."""

import logging
from collections.abc import Iterable, Sequence

import nh3
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from communications import release
from communications.drafting import Draft, draft_letter
from communications.models import (
    LAST_CHANCE,
    PUBLICATION_DELAY,
    Communication,
    CommunicationStatus,
    CommunicationStatusChange,
    Reply,
)
from communications.names import mentions
from portal.roles import RAPPORTEUR, has_role
from submissions import services as submission_services
from submissions.models import Status as SubmissionStatus

logger = logging.getLogger(__name__)

S = CommunicationStatus
DRAFTABLE = {SubmissionStatus.ACCEPTED, SubmissionStatus.COMMUNICATION_SENT}
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "blockquote"}


class WorkflowError(Exception):
    """The communication is not in a state that allows this step."""


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None)


def _change(communication: Communication, *, to: str, allowed: Iterable[str], by=None, reason: str = "", **fields):
    """Move a communication on if it is still in one of `allowed`; record who, when, from, to, why."""
    with transaction.atomic():
        locked = Communication.objects.select_for_update().filter(pk=communication.pk, status__in=list(allowed)).first()
        if locked is None:
            raise WorkflowError(f"{communication} is not in {list(allowed)}")
        Communication.objects.filter(pk=communication.pk).update(status=to, updated_at=timezone.now(), **fields)
        CommunicationStatusChange.objects.create(
            communication=communication, from_status=locked.status, to_status=to, changed_by=by, reason=reason
        )
    communication.refresh_from_db()
    return communication


def naming_problems(communication: Communication) -> list[str]:
    """Defenders named in the letter although they did not agree to be named to the government."""
    problems = []
    for submission in communication.submissions.all():
        consent = submission.current_consent()
        if consent is not None and consent.contact_government and not consent.withdrawn:
            continue
        for defender in submission.defenders.all():
            if mentions(communication.body, defender.name):
                problems.append(f"{submission.reference}: a defender who did not consent is named in the letter.")
        if mentions(communication.body, submission.source_name):
            problems.append(f"{submission.reference}: the source is named in the letter.")
    return problems


def communication_draft(
    *, submissions: Sequence, kind: str, recipient: str, recipient_name: str, language: str, by,
    mandates: Sequence = (), copies_to: Sequence[str] = (), follow_up_to: Communication | None = None,
) -> tuple[Communication, Draft]:  # fmt: skip
    # Accepted cases, or cases already written about (a follow-up letter).
    not_accepted = [s.reference for s in submissions if s.status not in DRAFTABLE]
    if not_accepted:
        raise WorkflowError(f"only accepted submissions can be drafted from: {', '.join(not_accepted)}")
    draft = draft_letter(
        kind=kind, language=language, submissions=submissions, mandates=mandates, recipient_name=recipient_name
    )
    with transaction.atomic():
        communication = Communication.objects.create(
            kind=kind, recipient=recipient.upper(), recipient_name=recipient_name, language=language,
            copies_to=[code.upper() for code in copies_to], body=sanitise(draft.body), created_by=by,
            follow_up_to=follow_up_to,
        )  # fmt: skip
        communication.submissions.set(submissions)
        communication.mandates.set(mandates)
        CommunicationStatusChange.objects.create(communication=communication, to_status=S.DRAFT, changed_by=by)
    logger.info("communication %s drafted", communication.pk)
    return communication, draft


def communication_edit(*, communication: Communication, body: str, public_summary: str | None = None) -> list[str]:
    """Save an edited draft (sanitised); returns the naming problems staff must see."""
    with transaction.atomic():
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        if locked.status != S.DRAFT:
            raise WorkflowError("only a draft can be edited; send it back to draft first")
        locked.body = sanitise(body)
        if public_summary is not None:
            locked.public_summary = public_summary.strip()  # plain text, escaped wherever it is shown
        locked.save(update_fields=["body", "public_summary", "updated_at"])
    communication.refresh_from_db()
    return naming_problems(communication)


def communication_submit_for_review(*, communication: Communication, by) -> Communication:
    return _change(communication, to=S.IN_REVIEW, allowed=[S.DRAFT], by=by)


def communication_approve(*, communication: Communication, by) -> Communication:
    if not has_role(by, RAPPORTEUR):
        raise PermissionDenied("only the rapporteur approves communications")
    problems = naming_problems(communication)
    if problems:
        raise WorkflowError(" ".join(problems))
    return _change(communication, to=S.APPROVED, allowed=[S.IN_REVIEW], by=by)


def communication_back_to_draft(*, communication: Communication, by, reason: str) -> Communication:
    return _change(communication, to=S.DRAFT, allowed=[S.IN_REVIEW, S.APPROVED], by=by, reason=reason)


def _next_number(recipient: str, year: int) -> int:
    # One statement: concurrent senders each get their own number.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO communications_referencecounter (recipient, year, last) VALUES (%s, %s, 1)
            ON CONFLICT (recipient, year) DO UPDATE SET last = communications_referencecounter.last + 1
            RETURNING last
            """,
            [recipient, year],
        )
        return cursor.fetchone()[0]


def communication_send(*, communication: Communication, by, sent_at=None) -> Communication:
    """Record the transmittal: the reference number is given now, and the 60-day clock starts."""
    sent_at = sent_at or timezone.now()
    with transaction.atomic():
        locked = Communication.objects.select_for_update().filter(pk=communication.pk, status=S.APPROVED).first()
        if locked is None:
            raise WorkflowError(f"{communication} is not approved")
        number = _next_number(locked.recipient, sent_at.year)
        reference = f"{locked.kind} {locked.recipient} {number}/{sent_at.year}"
        _change(communication, to=S.SENT, allowed=[S.APPROVED], by=by, reference=reference, sent_at=sent_at)
        for submission in communication.submissions.all():
            submission_services.submission_status_change(
                submission=submission,
                to_status=SubmissionStatus.COMMUNICATION_SENT,
                from_statuses=[SubmissionStatus.ACCEPTED, SubmissionStatus.COMMUNICATION_SENT],
                actor="staff",
                changed_by=by,
                reason=f"Communication {reference} sent",
            )
    logger.info("communication %s sent", communication.pk)
    return communication


def communication_release(*, communication: Communication, by=None, reason: str = "", now=None) -> bool:
    """Make a sent (or withheld) communication public; False if it was released already.

    Without `by`, this is the 60-day clock; with it, a staff decision (an early
    release after a press release, or lifting a withholding) with its reason.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Communication.objects.select_for_update()
            .filter(pk=communication.pk, status__in=[S.SENT, S.WITHHELD])
            .first()
        )
        if locked is None:
            return False
        if by is None and (locked.status != S.SENT or locked.sent_at + PUBLICATION_DELAY > now):
            return False
        early = locked.sent_at + PUBLICATION_DELAY > now
        fields = {"released_at": now}
        if by is not None and early:
            fields["early_release_reason"] = reason
        _change(locked, to=S.RELEASED, allowed=[S.SENT, S.WITHHELD], by=by, reason=reason, **fields)
        release.write_public_record(locked)
    logger.info("communication %s released", communication.pk)
    return True


def communication_withhold(*, communication: Communication, by, reason: str) -> Communication:
    if not reason.strip():
        raise WorkflowError("withholding needs a reason")
    return _change(communication, to=S.WITHHELD, allowed=[S.SENT], by=by, reason=reason, withheld_reason=reason)


def reply_record(
    *, communication: Communication, received_on, kind: str, confidential: bool, summary: str = "",
    document: bytes | None = None, document_name: str = "", content_type: str = "",
) -> Reply:  # fmt: skip
    """A State's reply; a reply arriving after release joins the public record at once."""
    with transaction.atomic():
        reply = Reply.objects.create(
            communication=communication, received_on=received_on, kind=kind, confidential=confidential,
            summary=summary, document=document, document_name=document_name, content_type=content_type,
        )  # fmt: skip
        if Communication.objects.filter(pk=communication.pk, status=S.RELEASED).exists():
            release.write_public_record(communication)
    logger.info("communication %s reply recorded", communication.pk)
    return reply


def public_record_refresh_for_submission(*, submission_id: int) -> int:
    """A consent changed: rewrite the public records of the released communications of that case."""
    count = 0
    released = Communication.objects.filter(submissions__pk=submission_id, status=S.RELEASED).distinct()
    for communication in released:
        with transaction.atomic():
            release.write_public_record(communication)
        _notify_staff(
            f"Public record {communication.reference} redacted",
            f"The victim changed their consent to public naming. The public record of {communication.reference} "
            "was rewritten at once from the current consent. Check any copies published elsewhere.",
            communication,
        )
        count += 1
    return count


# --- The clock ----------------------------------------------------------------


def release_due(*, now=None) -> int:
    """Release everything whose 60 days have passed; a missed week releases all of it, none twice."""
    now = now or timezone.now()
    released = 0
    for communication in Communication.objects.due_for_release(now).order_by("sent_at"):
        released += communication_release(communication=communication, now=now)
    return released


def _staff_to_tell(communication: Communication) -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name=RAPPORTEUR).exclude(email="")
    emails = {user.email for user in users}
    if communication.created_by.email:
        emails.add(communication.created_by.email)
    return sorted(emails)


def _notify_staff(subject: str, body: str, communication: Communication) -> None:
    recipients = _staff_to_tell(communication)
    if recipients:
        send_mail(subject, body, None, recipients)


def _remind_once(communications, *, marker: str, now, subject: str, body: str) -> int:
    """Tell staff about each communication once: the marker column is claimed before the mail goes."""
    sent = 0
    for communication in communications:
        # A parallel run finds nothing left to claim.
        claimed = Communication.objects.filter(pk=communication.pk, **{f"{marker}__isnull": True}).update(
            **{marker: now}
        )
        if claimed:
            values = {"reference": communication.reference, "due": communication.release_due}
            _notify_staff(subject.format(**values), body.format(**values), communication)
            sent += 1
    return sent


def reminders_send(*, now=None) -> int:
    """Seven days before release (last chance to withhold), and when a reply is overdue. Once each."""
    now = now or timezone.now()
    soon = Communication.objects.filter(
        status=S.SENT, sent_at__lte=now - (PUBLICATION_DELAY - LAST_CHANCE), release_reminder_sent_at__isnull=True
    )
    overdue = Communication.objects.filter(
        status__in=[S.SENT, S.RELEASED, S.WITHHELD],
        sent_at__lte=now - PUBLICATION_DELAY,
        reply_reminder_sent_at__isnull=True,
        replies__isnull=True,
    )
    return _remind_once(
        soon,
        marker="release_reminder_sent_at",
        now=now,
        subject="{reference} becomes public on {due:%Y-%m-%d}",
        body="{reference} will be released on {due:%Y-%m-%d}. "
        "This is the last chance to withhold it, with a reason, in the staff site.",
    ) + _remind_once(
        overdue,
        marker="reply_reminder_sent_at",
        now=now,
        subject="No reply to {reference}",
        body="The reply to {reference} was due on {due:%Y-%m-%d}. Consider a follow-up communication.",
    )
