"""Every write to a submission goes through here: the intake form, the
receipt pages, the admin and the Celery tasks call the same functions."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal import outbox, sealed_files, sealing
from portal.crypto import keyed_hash
from submissions import consent as consent_texts
from submissions import screening
from submissions.attachments import CheckedFile
from submissions.attachments.cleaning import Cleaned, make_working_copy
from submissions.models import (
    Attachment,
    Cleaning,
    Consent,
    Defender,
    Desk,
    DeskCountry,
    InadmissibleReason,
    Message,
    NameFingerprint,
    NeverNamedChange,
    Status,
    StatusChange,
    Submission,
)
from submissions.receipts import (
    WORDS,
    canonical_passphrase,
    matching_form,
    new_passphrase,
    new_reference,
    passphrase_hash,
)
from submissions.signals import consent_changed, never_named_changed

logger = logging.getLogger(__name__)

NAME_KEY = "defender-name"

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
    "confidential_people",
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


def _attach(
    submission: Submission, files: Iterable[CheckedFile], written: list[str], message: Message | None = None
) -> None:
    """Store the files, each in a sealed file of its own (portal.sealed_files) whose name goes in `written`
    (deleted if the transaction rolls back); a working copy not made in the request is made by the worker
    after commit, with the file's key under the server's key."""
    case_key = submission.case_key
    attachments = []
    for checked in files:
        original = sealed_files.write(checked.original, case_key=case_key)
        written.append(original.name)
        working = None
        if checked.working_copy is not None:
            working = sealed_files.write(checked.working_copy, case_key=case_key).name
            written.append(working)
        attachments.append(
            Attachment(
                submission=submission,
                message=message,
                name=checked.name,
                kind=checked.kind,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                file=original.name,
                working_file=working or "",
                clean_key=original.key if working is None else None,
                cleaning=Cleaning.CLEAN if working is not None else Cleaning.PENDING,
            )
        )
    if not attachments:
        return
    sealed_files.sync_folder()
    Attachment.objects.bulk_create(attachments)
    from submissions.tasks import clean_attachment

    for attachment in attachments:
        if attachment.cleaning == Cleaning.PENDING:
            clean_attachment.delay_on_commit(attachment.pk)


def _to_clean(attachment: Attachment) -> bytes | None:
    """What the worker may read of the original: through the key it was given, or a row from before files."""
    if attachment.file:
        return sealed_files.open_with(attachment.file, attachment.clean_key).read() if attachment.clean_key else None
    original = attachment.to_clean if attachment.to_clean is not None else attachment.original
    return bytes(original)


def attachment_clean(*, attachment_id: int) -> None:
    """Make the metadata-free working copy of a stored attachment, once; a failure keeps the original and says so.

    The file key under the server's key is destroyed with it: from then on only the case's key opens the file.
    """
    attachment = (
        Attachment.objects.filter(pk=attachment_id, cleaning=Cleaning.PENDING)
        .select_related("submission__case_key")
        .defer("working_copy")
        .first()
    )
    if attachment is None:
        return
    case_key = attachment.submission.case_key
    original = _to_clean(attachment)
    if original is None:
        cleaned = Cleaned(None, Cleaning.FAILED, "no-key-for-worker")
    else:
        cleaned = make_working_copy(original, kind=attachment.kind)
    working = sealed_files.write(cleaned.working_copy, case_key=case_key).name if cleaned.working_copy else None
    try:
        updated = Attachment.objects.filter(pk=attachment_id, cleaning=Cleaning.PENDING).update(
            working_file=working or "",
            clean_key=None,
            to_clean=None,
            cleaning=cleaned.outcome,
            cleaning_note=cleaned.note,
        )
    except BaseException:
        sealed_files.delete([working])
        raise
    if not updated:  # another run got there first
        sealed_files.delete([working])
    elif cleaned.outcome != Cleaning.CLEAN:
        logger.warning(
            "attachment %s of submission %s: %s (%s)",
            attachment_id,
            attachment.submission_id,
            cleaned.outcome,
            cleaned.note,
        )


def attachment_files_sweep() -> int:
    """Delete the sealed files that no attachment names (a rolled-back intake, a stopped shredding)."""

    def named(names: list[str]) -> set[str]:
        rows = Attachment.objects.filter(Q(file__in=names) | Q(working_file__in=names))
        return {name for pair in rows.values_list("file", "working_file") for name in pair}

    return sealed_files.sweep(named=named)


def attachments_to_clean(*, older_than_seconds: int = 300) -> list[int]:
    """Attachments still without their working copy a while after they were stored: their message was lost."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    pending = Attachment.objects.filter(cleaning=Cleaning.PENDING, created_at__lte=cutoff)
    return list(pending.values_list("pk", flat=True)[:100])


def submission_create(
    *,
    answers: dict,
    defenders: Sequence[dict],
    consent: dict,
    attachments: Sequence[CheckedFile] = (),
    language: str,
    passphrase_kind: str = WORDS,
) -> tuple[Submission, Receipt]:
    """Store a new case and return it with its receipt, the only copy of the passphrase: words of the
    interface's language, or digits if the source chose them.

    Everything of the case is sealed to its own key (portal.sealing). Screening runs here, on the
    answers before they are sealed: the worker routes the case on its results and never reads the case.
    """
    reference = new_reference()
    passphrase = new_passphrase(kind=passphrase_kind, language=language)
    with sealed_files.kept_if_committed() as written, transaction.atomic():
        case_key = sealing.new_case_key(sealing.passphrase_key(reference, canonical_passphrase(passphrase)))
        submission = Submission(
            reference=reference,
            passphrase_hash=passphrase_hash(reference, passphrase),
            language=language,
            case_key=case_key,
            **{name: answers[name] for name in SUBMISSION_FIELDS if name in answers},
        )
        victims = [
            Defender(submission=submission, position=position, **{name: data[name] for name in DEFENDER_FIELDS})
            for position, data in enumerate(defenders)
        ]
        given = Consent(
            submission=submission,
            text_version=consent_texts.CURRENT_VERSION,
            language=language,
            via="intake",
            **consent,
        )
        result = screening.screen(submission, victims, given)
        submission.missing_elements = result.missing
        submission.flags = result.flags
        submission.suggested_flags = result.suggested_flags
        submission.urgent = result.urgent
        submission.priority = result.priority
        submission.save()
        for victim in victims:
            victim.set_public_names(given.may_name_publicly())
        Defender.objects.bulk_create(victims)
        given.save()
        NameFingerprint.objects.bulk_create(_fingerprints(submission, victims))
        _attach(submission, attachments, written)
        StatusChange.objects.create(submission=submission, to_status=Status.RECEIVED, actor="source")
        _screen_after_commit(submission.pk)
    logger.info("submission %s received", submission.pk)
    return submission, Receipt(reference, passphrase)


def public_names_refresh(submission: Submission, consent: Consent) -> None:
    """After a consent change, what the public may read of each victim. Consent changes where the case is
    read (the receipt, staff); elsewhere a name is taken away but never given back."""
    named, readable = consent.may_name_publicly(), sealing.can_open(submission.case_key_id)
    for defender in submission.defenders.all():
        if readable:
            defender.set_public_names(named)
        elif not named:
            defender.public_name = ""
        defender.save(update_fields=["public_initials", "public_name"])


def receipt_authenticate(*, reference: str, passphrase: str) -> Submission | None:
    """The submission for a receipt, or None; the same work whether or not the reference exists.

    The submission comes with `receipt_keyring`: the key its receipt opens it with (portal.sealing).
    """
    found = Submission.objects.filter(reference=reference, shredded_at__isnull=True) if reference else None
    submission = found.first() if found is not None else None
    stored = submission.passphrase_hash if submission else passphrase_hash("HRD-00000-00000", "")
    form = matching_form(stored, reference, passphrase)
    if form is None or submission is None:
        return None
    submission.receipt_keyring = None
    if submission.case_key_id is not None:
        key = sealing.passphrase_key(reference, form)
        submission.receipt_keyring = sealing.source_keyring(submission.case_key_id, key)
    return submission


def consent_change(*, submission: Submission, consent: dict, language: str, withdrawn: bool = False) -> Consent:
    """Record the source's new consent; it takes effect in this transaction (see signals.consent_changed)."""
    with transaction.atomic():
        previous = submission.current_consent()
        record = Consent.objects.create(
            submission=submission,
            text_version=consent_texts.CURRENT_VERSION,
            language=language,
            via="receipt",
            withdrawn=withdrawn,
            **consent,
        )
        public_names_refresh(submission, record)
        consent_changed.send(sender=Consent, submission_id=submission.pk, consent=record, previous=previous)
    logger.info("submission %s consent changed", submission.pk)
    return record


def consent_withdraw(*, submission: Submission, language: str) -> Consent:
    return consent_change(
        submission=submission,
        consent={"contact_government": False, "public_naming": False, "written_consent": "not_yet"},
        language=language,
        withdrawn=True,
    )


def never_named_change(*, submission: Submission, names: Sequence[str]) -> NeverNamedChange | None:
    """Record the source's new list of people never to be named (normalised as the intake form does:
    submissions.forms.never_named_list); None when it is the list already held.

    It takes effect in this transaction (see signals.never_named_changed): from the moment it commits, the
    name gate protects an added name in every letter of the case, as a withdrawal would. The audit and the
    case's history say how many names were added and taken off, never whose.
    """
    from portal.audit import audit_record

    with transaction.atomic():
        # NO KEY UPDATE, as submission_status_change: a consent or a sending in flight holds a key-share lock.
        locked = Submission.objects.select_for_update(no_key=True).get(pk=submission.pk)
        before = locked.confidential_names
        added = [name for name in names if name not in before]
        removed = [name for name in before if name not in names]
        if not added and not removed:
            return None
        locked.confidential_people = "\n".join(names)
        locked.save(update_fields=["confidential_people", "updated_at"])
        change = NeverNamedChange.objects.create(submission=locked, added=len(added), removed=len(removed))
        StatusChange.objects.create(
            submission=locked,
            from_status=locked.status,
            to_status=locked.status,
            actor="source",
            reason=f"The source changed the list of people never to be named: {len(added)} added, "
            f"{len(removed)} taken off",
        )
        audit_record(
            user=None, obj=locked, fields=["confidential_people", f"added {len(added)}", f"removed {len(removed)}"],
            action="never-named list changed",
        )  # fmt: skip
        never_named_changed.send(sender=NeverNamedChange, submission_id=locked.pk, change=change)
    submission.confidential_people = locked.confidential_people
    logger.info("submission %s never-named list changed", submission.pk)
    return change


def source_message_add(*, submission: Submission, body: str, attachments: Sequence[CheckedFile] = ()) -> Message:
    """A message or new information from the source; it answers the latest open question, if any."""
    with sealed_files.kept_if_committed() as written, transaction.atomic():
        question = submission.messages.filter(direction=Message.Direction.TO_SOURCE).order_by("-created_at").first()
        message = Message.objects.create(
            submission=submission, direction=Message.Direction.FROM_SOURCE, body=body, reply_to=question
        )
        _attach(submission, attachments, written, message)
        if submission.status == Status.INFO_REQUESTED:
            submission_status_change(
                submission=submission,
                to_status=Status.IN_REVIEW,
                from_statuses=[Status.INFO_REQUESTED],
                actor="source",
                reason="The source answered",
            )
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
        # NO KEY UPDATE: a consent being recorded for this case holds a key-share lock on the row (its
        # foreign key) while it waits for the case's letters; FOR UPDATE here would deadlock with it.
        current = Submission.objects.select_for_update(no_key=True).filter(pk=submission.pk, status__in=allowed).first()
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


# --- Screening ----------------------------------------------------------------


def desk_for(country: str) -> Desk | None:
    mapping = DeskCountry.objects.filter(country=country).select_related("desk").first()
    return mapping.desk if mapping else None


def _fingerprints(submission: Submission, defenders: Sequence[Defender]) -> list[NameFingerprint]:
    prints = []
    for defender in defenders:
        full, tokens = screening.name_keys(defender.name)
        if full:
            prints.append(NameFingerprint(submission=submission, kind="full", key=keyed_hash(full, purpose=NAME_KEY)))
        prints += [
            NameFingerprint(submission=submission, kind="token", key=keyed_hash(token, purpose=NAME_KEY))
            for token in tokens
        ]
    return prints


_ROUTING_FIELDS = ("reference", "status", "country", "urgent", "desk", "screened_at", "updated_at", "case_key")


def submission_screen(*, submission_id: int) -> bool:
    """Route a received submission into its desk's queue; False if it was routed already.

    The screening itself ran at intake (submission_create), before the case was sealed: this reads only
    its results and the country, so the worker needs no key. Safe to run twice, or concurrently: the row
    lock and the `screened_at` check let exactly one run route the case and write notifications.
    """
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            # What routing reads and writes, and the case's public key that seals the history's row: none of
            # the sealed columns, which the worker cannot open.
            .select_related("case_key")
            .only(*_ROUTING_FIELDS, "case_key__public_key")
            .filter(pk=submission_id)
            .first()
        )
        if submission is None or submission.screened_at is not None:
            return False
        submission.desk = desk_for(submission.country.code)
        submission.screened_at = timezone.now()
        from_status = submission.status
        if submission.status == Status.RECEIVED:
            submission.status = Status.QUEUED
        submission.save(update_fields=["desk", "screened_at", "status", "updated_at"])
        if submission.status != from_status:
            StatusChange.objects.create(
                submission=submission, from_status=from_status, to_status=submission.status, actor="system"
            )
        if submission.urgent and submission.desk and submission.desk.email:
            _announce_to_desk(submission)
    logger.info("submission %s screened", submission_id)
    return True


def possible_duplicates(submission: Submission):
    """Other submissions naming the same defender: the whole name, or two parts of it, alike."""
    keys = NameFingerprint.objects.filter(submission=submission)
    full = keys.filter(kind="full").values("key")
    tokens = keys.filter(kind="token").values("key")
    by_token = (
        NameFingerprint.objects.filter(kind="token", key__in=tokens)
        .exclude(submission=submission)
        .values("submission")
        .annotate(shared=Count("key", distinct=True))
        .filter(shared__gte=2)
        .values("submission")
    )
    by_full_name = NameFingerprint.objects.filter(kind="full", key__in=full).values("submission")
    # The candidates' ids first, from the fingerprint keys' index: as
    # subqueries joined by OR they made PostgreSQL scan every submission.
    candidates = {row["submission"] for row in by_full_name} | {row["submission"] for row in by_token}
    candidates.discard(submission.pk)
    return Submission.objects.filter(pk__in=candidates).order_by("created_at")


def submissions_to_resend(*, older_than_seconds: int = 120) -> list[int]:
    """Submissions still unscreened a while after they were stored: their message was lost."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return list(Submission.objects.unscreened().filter(created_at__lte=cutoff).values_list("pk", flat=True)[:500])


# --- Mail (portal.outbox) -------------------------------------------------------
# Written in the transaction of the change that causes it; no personal data of the case.


def _announce_to_desk(submission: Submission) -> None:
    """The urgent case's desk hears of it once (the key), with its reference and a link."""
    desk = submission.desk
    path = reverse("admin:submissions_submission_change", args=[submission.pk])
    outbox.mail_queue(
        key=f"submissions.urgent:{submission.pk}",
        to=[desk.email],
        subject=f"Urgent case in the {desk.name} queue",
        body=(
            f"An urgent submission waits in the {desk.name} queue.\n\n"
            f"Reference: {submission.reference}\nOpen it in the staff site: {path}\n"
        ),
    )


def _tell_source_of_message(submission: Submission, message: Message) -> None:
    """Only that a message waits: the source asked for this email, and anyone may read it."""
    with translation.override(submission.language):
        subject = gettext("You have a new message")
        body = gettext("You have a new message. Open it with your receipt on the portal.")
    outbox.mail_queue(
        key=f"submissions.new-message:{message.pk}", to=[submission.notify_email], subject=subject, body=body
    )


# --- Triage decisions ---------------------------------------------------------

OPEN_STATUSES = [Status.RECEIVED, Status.QUEUED, Status.IN_REVIEW, Status.INFO_REQUESTED]


def submission_assign(*, submission: Submission, assignee, by) -> StatusChange:
    to_status = Status.IN_REVIEW if submission.status in (Status.RECEIVED, Status.QUEUED) else submission.status
    with transaction.atomic():
        change = submission_status_change(
            submission=submission,
            to_status=to_status,
            from_statuses=OPEN_STATUSES,
            actor="staff",
            changed_by=by,
            reason=f"Assigned to {assignee.get_username()}",
        )
        Submission.objects.filter(pk=submission.pk).update(assignee=assignee)
    submission.assignee = assignee
    return change


def submission_consent_noted(*, submission: Submission, by) -> StatusChange:
    """Staff took note of the source's changed consent: a row in the case's history, which takes the case off
    the queue's list of consent changes (selectors.consent_news). The status stays as it is."""
    consent = submission.current_consent()
    when = f" of {consent.recorded_at:%Y-%m-%d %H:%M}" if consent is not None else ""
    return StatusChange.objects.create(
        submission=submission,
        from_status=submission.status,
        to_status=submission.status,
        actor="staff",
        changed_by=by,
        reason=f"Noted the consent change{when}",
    )


def submission_accept(*, submission: Submission, by, reason: str = "") -> StatusChange:
    return submission_status_change(
        submission=submission,
        to_status=Status.ACCEPTED,
        from_statuses=OPEN_STATUSES,
        actor="staff",
        changed_by=by,
        reason=reason or "Accepted for a communication",
    )


def submission_request_information(*, submission: Submission, by, question: str) -> Message:
    """Ask the source: the question appears in their receipt inbox, and, if they asked for it, an email
    says only that a message is waiting."""
    with transaction.atomic():
        submission_status_change(
            submission=submission,
            to_status=Status.INFO_REQUESTED,
            from_statuses=OPEN_STATUSES,
            actor="staff",
            changed_by=by,
            reason="More information requested from the source",
        )
        message = Message.objects.create(
            submission=submission, direction=Message.Direction.TO_SOURCE, body=question, author=by
        )
        if submission.notify_email:
            _tell_source_of_message(submission, message)
    return message


def submission_reject(*, submission: Submission, by, reason: str, note: str = "") -> StatusChange:
    with transaction.atomic():
        change = submission_status_change(
            submission=submission,
            to_status=Status.NOT_ADMISSIBLE,
            from_statuses=OPEN_STATUSES,
            actor="staff",
            changed_by=by,
            reason=f"{InadmissibleReason(reason).label}. {note}".strip(),
        )
        Submission.objects.filter(pk=submission.pk).update(inadmissible_reason=reason)
    submission.inadmissible_reason = reason
    return change


def submission_mark_duplicate(*, submission: Submission, original: Submission, by) -> StatusChange:
    if original.pk == submission.pk:
        raise ValueError("a submission cannot duplicate itself")
    with transaction.atomic():
        change = submission_status_change(
            submission=submission,
            to_status=Status.DUPLICATE,
            from_statuses=OPEN_STATUSES,
            actor="staff",
            changed_by=by,
            reason=f"Duplicate of {original.reference}",
        )
        Submission.objects.filter(pk=submission.pk).update(duplicate_of=original)
        submission.related.add(original)
    submission.duplicate_of = original
    return change


def submission_link(*, submission: Submission, other: Submission, by) -> StatusChange:
    """Relate two submissions about the same defender; the status stays, the decision is recorded."""
    with transaction.atomic():
        submission.related.add(other)
        return StatusChange.objects.create(
            submission=submission,
            from_status=submission.status,
            to_status=submission.status,
            actor="staff",
            changed_by=by,
            reason=f"Linked to {other.reference}",
        )


def submission_confirm_flags(*, submission: Submission, flags: Iterable[str]) -> None:
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        confirmed = sorted(set(locked.flags) | (set(flags) & set(locked.suggested_flags)))
        suggested = sorted(set(locked.suggested_flags) - set(confirmed))
        Submission.objects.filter(pk=submission.pk).update(
            flags=confirmed, suggested_flags=suggested, priority=len(confirmed)
        )
    submission.flags, submission.suggested_flags, submission.priority = confirmed, suggested, len(confirmed)


def _screen_after_commit(submission_id: int) -> None:
    from submissions.tasks import screen_submission

    screen_submission.delay_on_commit(submission_id)


# --- Retention: destroying a case ---------------------------------------------------------------


def submission_shred(*, submission: Submission, reason: str) -> bool:
    """Destroy a case's content: its key (sealed for the office and for the receipt), every sealed value,
    its messages, attachments (their files once this commits) and name fingerprints. What stays has no
    personal data: the reference, dates, statuses, consent answers and codes, so that letters and counts keep
    their links. An audit row records it (reason: a code). False if it was shredded already.
    """
    from portal.audit import audit_record
    from portal.models import CaseKey

    now = timezone.now()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(pk=submission.pk, shredded_at__isnull=True).first()
        if locked is None:
            return False
        empty = dict.fromkeys(sealing.sealed_fields(Submission), sealing.SHREDDED_TEXT)
        Submission.objects.filter(pk=locked.pk).update(shredded_at=now, **empty)
        empty = dict.fromkeys(sealing.sealed_fields(Defender), sealing.SHREDDED_TEXT)
        Defender.objects.filter(submission=locked).update(**empty)
        StatusChange.objects.filter(submission=locked).update(reason=sealing.SHREDDED_TEXT)
        files = Attachment.objects.filter(submission=locked).values_list("file", "working_file")
        sealed_files.delete_on_commit(name for pair in files for name in pair)
        Attachment.objects.filter(submission=locked).delete()
        Message.objects.filter(submission=locked).delete()
        NameFingerprint.objects.filter(submission=locked).delete()
        if locked.case_key_id is not None:
            CaseKey.objects.filter(pk=locked.case_key_id).update(
                sealed_private_key=None, source_private_key=None, destroyed_at=now
            )
        audit_record(user=None, obj=locked, fields=[reason], action="shredded")
    logger.info("submission %s shredded (%s)", submission.pk, reason)
    return True


def submission_delete_requested(*, submission: Submission, language: str) -> None:
    """The source asked, with the receipt, that the case be destroyed: consent is withdrawn first (so that
    every public record stops naming the victims at once, and staff are alerted), then it is shredded."""
    with transaction.atomic():
        if not (submission.current_consent() and submission.current_consent().withdrawn):
            consent_withdraw(submission=submission, language=language)
        if submission.status in OPEN_STATUSES or submission.status == Status.ACCEPTED:
            submission_status_change(
                submission=submission,
                to_status=Status.CLOSED,
                from_statuses=[*OPEN_STATUSES, Status.ACCEPTED],
                actor="source",
                reason="The source asked for the case to be deleted",
            )
        submission_shred(submission=submission, reason="source-request")


def cases_due_for_shredding(*, now=None) -> list[tuple[int, str]]:
    """(submission id, rule) of every case past its retention period (settings.RETENTION_DAYS), counted
    from its last status change or, for a withdrawal, from the withdrawal."""
    from django.conf import settings
    from django.db.models import Max, OuterRef, Subquery

    now = now or timezone.now()
    due = []
    alive = Submission.objects.filter(shredded_at__isnull=True)
    last_change = alive.annotate(last_change=Max("status_changes__created_at"))
    for status, days in settings.RETENTION_DAYS.items():
        if status == "withdrawn":
            continue
        cutoff = now - timezone.timedelta(days=days)
        due += [
            (pk, status)
            for pk in last_change.filter(status=status, last_change__lte=cutoff).values_list("pk", flat=True)
        ]
    latest = Consent.objects.filter(submission=OuterRef("pk")).order_by("-recorded_at", "-id")
    cutoff = now - timezone.timedelta(days=settings.RETENTION_DAYS["withdrawn"])
    withdrawn = alive.annotate(
        withdrawn=Subquery(latest.values("withdrawn")[:1]), withdrawn_at=Subquery(latest.values("recorded_at")[:1])
    ).filter(withdrawn=True, withdrawn_at__lte=cutoff)
    due += [(pk, "withdrawn") for pk in withdrawn.values_list("pk", flat=True)]
    return due


def retention_sweep(*, now=None) -> int:
    """Beat, hourly (submissions.retention, on the default queue): shred every case past its retention
    period; returns how many."""
    count = 0
    for submission_id, rule in cases_due_for_shredding(now=now):
        submission = Submission.objects.filter(pk=submission_id).first()
        if submission is not None and submission_shred(submission=submission, reason=f"retention:{rule}"):
            count += 1
    return count
