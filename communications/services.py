"""Every write to a communication: drafting, the approval workflow, sending,
replies, release and withholding, the 60-day clock and its reminders."""

import logging
from collections.abc import Iterable, Sequence

import nh3
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from communications import gate, references, release
from communications.drafting import Draft, draft_letter
from communications.gate import GateBlocked, Problem
from communications.models import (
    LAST_CHANCE,
    PUBLICATION_DELAY,
    Communication,
    CommunicationStatus,
    CommunicationStatusChange,
    ConsentAlert,
    Reply,
)
from portal import outbox, sealing
from portal.audit import audit_refusal
from portal.roles import RAPPORTEUR, has_role
from submissions import services as submission_services
from submissions.models import Desk
from submissions.models import Status as SubmissionStatus

logger = logging.getLogger(__name__)

S = CommunicationStatus
DRAFTABLE = {SubmissionStatus.ACCEPTED, SubmissionStatus.COMMUNICATION_SENT}
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "blockquote"}


class WorkflowError(Exception):
    """The communication is not in a state that allows this step."""


class GateRefused(WorkflowError):
    """The name gate found what the audience of this step may not read; `problems` says where."""

    def __init__(self, step: str, problems: list[Problem]) -> None:
        self.problems = problems
        where = "; ".join(f"{p.where}: {p.what}" for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"It cannot be {step}: {where}{more}. Each is shown highlighted on the letter's page.")


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None)


def sanitise_marked(html: str) -> str:
    """For the staff preview of the public copy: the letter's tags, and <mark> on what was withheld."""
    return nh3.clean(html, tags=ALLOWED_TAGS | {"mark"}, attributes={"mark": {"class", "title"}}, link_rel=None)


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


def government_problems(communication: Communication) -> list[Problem]:
    """What stops approval and sending: the gate over the government copy (communications.gate)."""
    return gate.gate_government_copy(communication)


def public_problems(communication: Communication) -> list[Problem]:
    """What stops the approval of the public version, its release and every public write."""
    return gate.gate_public_copy(communication)


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
        # The letter's own key pair (portal.sealing): its values are sealed to it, its private half to the office.
        communication = Communication.objects.create(
            kind=kind, recipient=recipient.upper(), recipient_name=recipient_name, language=language,
            copies_to=[code.upper() for code in copies_to], body=sanitise(draft.body), created_by=by,
            follow_up_to=follow_up_to, letter_key=sealing.new_case_key(),
        )  # fmt: skip
        communication.submissions.set(submissions)
        communication.mandates.set(mandates)
        CommunicationStatusChange.objects.create(communication=communication, to_status=S.DRAFT, changed_by=by)
    logger.info("communication %s drafted", communication.pk)
    return communication, draft


def communication_edit(*, communication: Communication, body: str, public_summary: str | None = None) -> list[Problem]:
    """Save an edited draft (sanitised); returns what the gate finds in the government copy, for staff."""
    with transaction.atomic():
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        if locked.status != S.DRAFT:
            raise WorkflowError("only a draft can be edited; send it back to draft first")
        locked.body = sanitise(body)
        if public_summary is not None:
            locked.public_summary = public_summary.strip()  # plain text, escaped wherever it is shown
        locked.save(update_fields=["body", "public_summary", "updated_at"])
        _lapse_if_changed(locked)
    communication.refresh_from_db()
    return government_problems(communication)


def _lapse_if_changed(communication: Communication) -> None:
    """An edit of the public version's drafts after its approval lapses the approval, in the row: the worker,
    which cannot open the drafts, would otherwise release the copy approved before the edit."""
    if communication.public_approved_at is None or gate.public_version_approved(communication):
        return
    Communication.objects.filter(pk=communication.pk).update(
        public_approved_at=None, public_approved_digest="", approved_public_body="", approved_public_summary=""
    )


def communication_submit_for_review(*, communication: Communication, by) -> Communication:
    return _change(communication, to=S.IN_REVIEW, allowed=[S.DRAFT], by=by)


def _open_alerts(communication: Communication):
    return ConsentAlert.objects.filter(communication=communication, resolved_at__isnull=True)


def consent_alerts_open(communication: Communication) -> list[ConsentAlert]:
    """The consent changes staff have not acted on yet, for the letter's page."""
    return list(_open_alerts(communication).select_related("consent__submission", "never_named__submission"))


def _check_no_alert(communication: Communication, *, step: str) -> None:
    """A consent changed after approval holds the letter's next step until staff act."""
    if _open_alerts(communication).exists():
        raise WorkflowError(
            f"The victim's consent changed after this letter was approved: it cannot be {step} until the "
            "rapporteur acknowledges the change, or approves the revised letter again."
        )


def _resolve_alerts(communication: Communication, *, by, resolution: str) -> int:
    return _open_alerts(communication).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=sealing.seal_for(communication, resolution)
    )


def drafted_by(communication: Communication, user) -> bool:
    return communication.created_by_id == user.pk


def communication_approve(*, communication: Communication, by) -> Communication:
    """The rapporteur's approval, against the current consent; it settles any earlier consent alert."""
    if not has_role(by, RAPPORTEUR):
        raise PermissionDenied("only the rapporteur approves communications")
    if drafted_by(communication, by):
        # Four eyes: whoever wrote the letter (a rapporteur who also drafts, a superuser) asks another.
        audit_refusal(user=by, obj=communication, attempted=["approve own draft"])
        raise PermissionDenied("You drafted this letter: another person approves it.")
    with transaction.atomic():
        problems = government_problems(communication)
        if problems:
            raise GateRefused("approved", problems)
        _change(communication, to=S.APPROVED, allowed=[S.IN_REVIEW], by=by)
        _resolve_alerts(communication, by=by, resolution="Approved again with the current consent.")
    return communication


def communication_acknowledge_consent(*, communication: Communication, by, reason: str) -> int:
    """The rapporteur has seen the changed consent and decided (the reason says how); the letter may go on.

    The naming checks still run at every later step: acknowledging never lets a name through.
    """
    if not has_role(by, RAPPORTEUR):
        raise PermissionDenied("only the rapporteur acknowledges a consent change")
    if not reason.strip():
        raise WorkflowError("acknowledging a consent change needs a reason")
    with transaction.atomic():
        Communication.objects.select_for_update().get(pk=communication.pk)
        resolved = _resolve_alerts(communication, by=by, resolution=reason.strip())
    logger.info("communication %s consent change acknowledged", communication.pk)
    return resolved


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
        # The current consent, as at approval: the letter must not name anyone who took it back since.
        _check_no_alert(locked, step="recorded as sent")
        problems = government_problems(locked)
        if problems:
            raise GateRefused("recorded as sent", problems)
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
        if by is None and _open_alerts(locked).exists():
            return False  # held until staff act on the changed consent; the clock releases it afterwards
        if by is not None:
            _check_no_alert(locked, step="released")
        # Only a public version a person approved, and only if the gate passes it under the current consent.
        if not gate.public_version_approved(locked):
            if by is None:
                return False  # held; staff are alerted on the day (reminders_send)
            raise WorkflowError(
                "The public version has not been approved (or was changed since): review and approve it first."
            )
        problems = public_problems(locked)
        if problems:
            if by is None:
                return False
            raise GateRefused("released", problems)
        early = locked.sent_at + PUBLICATION_DELAY > now
        fields = {"released_at": now}
        if by is not None and early:
            fields["early_release_reason"] = sealing.seal_for(locked, reason)
        _change(locked, to=S.RELEASED, allowed=[S.SENT, S.WITHHELD], by=by, reason=reason, **fields)
        release.write_public_record(locked)
    logger.info("communication %s released", communication.pk)
    return True


def communication_withhold(*, communication: Communication, by, reason: str) -> Communication:
    if not reason.strip():
        raise WorkflowError("withholding needs a reason")
    return _change(
        communication, to=S.WITHHELD, allowed=[S.SENT], by=by, reason=reason,
        withheld_reason=sealing.seal_for(communication, reason),
    )  # fmt: skip


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
            # A confidential reply shows at once (a placeholder); any other once its public copy is approved.
            _rewrite_public_record(communication)
    logger.info("communication %s reply recorded", communication.pk)
    return reply


HELD = [S.APPROVED, S.SENT, S.WITHHELD, S.RELEASED]


def _rewrite_public_record(communication: Communication) -> bool:
    """Rewrite a released letter's public record from the current consent; True if it stays public.

    If the gate now finds a name in it (a spelling typed into the approved version of a person who has
    since withdrawn), the record is taken off every public surface at once and its public version must
    be approved again.
    """
    if not gate.public_version_approved(communication):
        release.public_record_take_down(communication)
        return False
    try:
        release.write_public_record(communication)
    except GateBlocked:
        release.public_record_take_down(communication)
        Communication.objects.filter(pk=communication.pk).update(public_approved_at=None, public_approved_digest="")
        logger.info("communication %s public record taken down by the gate", communication.pk)
        return False
    return True


def communication_public_edit(
    *, communication: Communication, public_body: str, public_summary: str, keeps_traits: bool
) -> list[Problem]:
    """Save the public version (the letter as the public reads it, the summary, whether person-describing
    themes stay). Any change lapses an earlier approval; returns what the gate finds in it."""
    with transaction.atomic():
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        body = sanitise(public_body)
        # The letter itself unchanged: keep following it (a later edit of the draft shows here too).
        locked.public_body = "" if body == sanitise(locked.body) else body
        locked.public_summary = public_summary.strip()
        locked.public_keeps_traits = keeps_traits
        locked.save(update_fields=["public_body", "public_summary", "public_keeps_traits", "updated_at"])
        _lapse_if_changed(locked)
    communication.refresh_from_db()
    return public_problems(communication)


def communication_public_approve(*, communication: Communication, by) -> Communication:
    """A person approved the public version as shown (letter, summary, themes, every reply): the clock may
    release it; an already released letter's record is rewritten from it at once."""
    if not by.has_perm("communications.release_communication"):
        raise PermissionDenied("approving the public version needs the permission to release")
    with transaction.atomic():
        locked = Communication.objects.select_for_update().get(pk=communication.pk)
        if locked.status not in (S.APPROVED, S.SENT, S.WITHHELD, S.RELEASED):
            raise WorkflowError("the public version is approved once the letter itself is approved")
        known, items = references.people(locked), gate.protected(locked, references.PUBLIC)
        copy = gate.public_copy(locked, all_replies=True, known=known, items=items)
        problems = gate.gate_public_copy(locked, copy, known=known, items=items)
        if problems:
            raise GateRefused("approved for the public", problems)
        now = timezone.now()
        # The approved version is copied under the server's key: the clock releases it without any key.
        Communication.objects.filter(pk=locked.pk).update(
            public_approved_at=now,
            public_approved_by=by,
            public_approved_digest=gate.public_digest(locked),
            public_approved_names=gate.renderings(known),
            approved_public_body=copy.letter_source,
            approved_public_summary=copy.summary_source,
        )
        for reply in copy.replies:
            if not reply.reply.confidential:
                Reply.objects.filter(pk=reply.reply.pk).update(
                    public_summary=reply.text, public_document=reply.document, public_document_name=reply.document_name
                )
        Reply.objects.filter(communication=locked, public_approved_at__isnull=True).update(public_approved_at=now)
        locked.refresh_from_db()
        if locked.status == S.RELEASED:
            release.write_public_record(locked)
    communication.refresh_from_db()
    logger.info("communication %s public version approved", communication.pk)
    return communication


def consent_change_take_effect(*, submission_id: int, consent, previous) -> list[ConsentAlert]:
    """A source recorded a new consent: it takes effect in their request, within its transaction.

    The case's letters are locked first, so that a letter being sent or released meanwhile is seen
    in its new status. Released records are rewritten at once from the new consent. A withdrawal or a
    narrowing also opens an alert on each approved, sent, withheld or released letter of the case,
    which holds its next step, and mails the desk and the rapporteur once (through the outbox: this
    request never waits on a mail server).
    """
    letters = _letters_locked(submission_id)
    for communication in letters:
        if communication.status == S.RELEASED:
            _rewrite_public_record(communication)
    if not consent.takes_back(previous):
        return []
    alerts = _alert_held_letters(letters, consent=consent)
    logger.info("submission %s consent change held %s letters", submission_id, len(alerts))
    return alerts


def never_named_change_take_effect(*, submission_id: int, change) -> list[ConsentAlert]:
    """The source changed the case's list of people never to be named: an addition takes effect like a
    withdrawal, in their request and its transaction (the case is open there, so the gate reads the new names).

    Released records are rewritten at once (taken down if the approved public version names the person);
    an approved public version not yet released that names them lapses, since the clock's worker cannot
    read the case to see the new name; each approved, sent, withheld or released letter gets an alert
    that holds its next step, and the desk and the rapporteur one mail. A name taken off the list alerts
    nobody: the gate stops protecting it from the next step on.
    """
    if not change.added:
        return []
    letters = _letters_locked(submission_id)
    for communication in letters:
        if communication.status == S.RELEASED:
            _rewrite_public_record(communication)
        elif communication.public_approved_at is not None and public_problems(communication):
            Communication.objects.filter(pk=communication.pk).update(public_approved_at=None, public_approved_digest="")
    alerts = _alert_held_letters(letters, never_named=change)
    logger.info("submission %s never-named change held %s letters", submission_id, len(alerts))
    return alerts


def _letters_locked(submission_id: int) -> list[Communication]:
    # Locked first, so that a letter being sent or released meanwhile is seen in its new status.
    return list(
        Communication.objects.select_for_update()
        .filter(pk__in=Communication.objects.filter(submissions__pk=submission_id).values("pk"))
        .order_by("pk")
    )


def _alert_held_letters(letters: list[Communication], **cause) -> list[ConsentAlert]:
    """An alert on each approved, sent, withheld or released letter, once per change (`cause`: the consent or
    the never-named change), each with one mail through the outbox."""
    alerts = []
    for communication in letters:
        if communication.status not in HELD:
            continue
        alert, created = ConsentAlert.objects.get_or_create(
            communication=communication, **cause, defaults={"status_then": communication.status}
        )
        if created:
            _mail_consent_alert(alert)
            alerts.append(alert)
    return alerts


def _label(communication: Communication) -> str:
    return communication.reference or f"Communication {communication.pk} ({communication.get_status_display()})"


def _mail_consent_alert(alert: ConsentAlert) -> None:
    """One mail to the desk and the rapporteur: the case's reference and the letter's, never a name."""
    communication, reference = alert.communication, alert.submission.reference
    if alert.never_named is not None:
        count = alert.never_named.added
        subject = "Never to be named"
        names = f"{count} name{'s' if count > 1 else ''}"
        what = f"The source of case {reference} added {names} to the people never to be named"
        rewritten = "Its public record was rewritten at once, or taken off the public site if it names them."
    else:
        subject = "Consent"
        change = "withdrew their consent" if alert.consent.withdrawn else "narrowed their consent to being named"
        what = f"The victim in case {reference} {change}"
        rewritten = "Its public record was rewritten at once from the current consent."
    if communication.status == S.RELEASED:
        effect = f"{rewritten} Check any copies published elsewhere, and acknowledge the change on the letter's page."
    else:
        effect = (
            "Recording it as sent and its release are held until the rapporteur acknowledges the change "
            "on the letter's page, or approves the revised letter again."
        )
    path = reverse("admin:communications_communication_change", args=[communication.pk])
    outbox.mail_queue(
        key=f"communications.consent-alert:{alert.pk}",
        to=_desk_and_rapporteur(communication),
        subject=f"{subject} changed: {_label(communication)}",
        body=(
            f"{what} on {alert.recorded_at:%Y-%m-%d}. "
            f"This concerns {_label(communication)}.\n\n{effect}\n\nOpen it in the staff site: {path}\n"
        ),
    )


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


def _desk_and_rapporteur(communication: Communication) -> list[str]:
    """The rapporteur, the drafter, and each desk of the letter's cases (its address, or else its members)."""
    emails = set(_staff_to_tell(communication))
    for desk in Desk.objects.filter(submissions__communications=communication).distinct():
        if desk.email:
            emails.add(desk.email)
        else:
            emails |= set(desk.members.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    return sorted(emails)


def _remind_once(communications, *, kind: str, marker: str, now, subject: str, body: str) -> int:
    """Tell staff about each communication once.

    The marker column is set in the transaction that writes the mail to the outbox: both commit or
    neither does, and the outbox delivers the mail (at least once), however long the mail server is down.
    """
    queued = 0
    for communication in communications:
        with transaction.atomic():
            # A parallel run finds nothing left to claim.
            claimed = Communication.objects.filter(pk=communication.pk, **{f"{marker}__isnull": True}).update(
                **{marker: now}
            )
            if claimed:
                values = {"reference": communication.reference, "due": communication.release_due}
                outbox.mail_queue(
                    key=f"communications.{kind}:{communication.pk}",
                    to=_staff_to_tell(communication),
                    subject=subject.format(**values),
                    body=body.format(**values),
                )
                queued += 1
    return queued


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
    held = Communication.objects.filter(
        status=S.SENT, sent_at__lte=now - PUBLICATION_DELAY, release_held_alert_sent_at__isnull=True
    )
    return (
        _remind_once(
            held,
            kind="release-held",
            marker="release_held_alert_sent_at",
            now=now,
            subject="{reference} was due to become public on {due:%Y-%m-%d} and is held",
            body="{reference} is held: its public version has not been approved, or the name gate stopped it. "
            "Review the public version in the staff site and approve it, or withhold the letter with a reason.",
        )
        + _remind_once(
            soon,
            kind="release-reminder",
            marker="release_reminder_sent_at",
            now=now,
            subject="{reference} becomes public on {due:%Y-%m-%d}",
            body="{reference} will be released on {due:%Y-%m-%d}, if its public version is approved by then. "
            "This is the last chance to withhold it, with a reason, and to review and approve the public version, "
            "in the staff site.",
        )
        + _remind_once(
            overdue,
            kind="reply-reminder",
            marker="reply_reminder_sent_at",
            now=now,
            subject="No reply to {reference}",
            body="The reply to {reference} was due on {due:%Y-%m-%d}. Consider a follow-up communication.",
        )
    )
