"""The public record of a released communication: what the public may read.

It is written only from the public version a person approved, as stored at that approval under the
server's key (communications.gate.public_copy): never from the sealed letter, so that the clock, a
receipt and staff write the same record, none of them needing the letter's key. It is the
letter with each name reference rendered as public-naming consent allows, the summary, the themes,
and the replies whose public copy was approved. Nothing is cut out of a text here: before every write
the name gate reads each field of the record, and a hit stops the write (GateBlocked). A consent
withdrawn after release rewrites the record at once; if the rewritten copy still holds a name the
person no longer agrees to (a typed spelling), the record is taken down at once, from every public
page, search, feed, CSV, API and PDF, until staff approve a corrected public version.
"""

import re
from html import unescape

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.text import slugify

from communications import gate, pdf, references, stats
from communications.gate import CONFIDENTIAL_REPLY, GateBlocked  # noqa: F401  (CONFIDENTIAL_REPLY: re-exported)
from communications.models import CommunicationStatus, PublicRecord, PublicReply, Reply, ReplyKind, ReplyStatus

_TAG = re.compile(r"(<[^>]*>)")


def slug_for(reference: str) -> str:
    return slugify(reference.replace("/", " "))


def write_public_record(communication) -> PublicRecord:
    """Create or rewrite the public record from the approved public version, as the current consent renders it.

    Raises GateBlocked, writing nothing, when any text of it holds a protected name, contact or phrase.
    """
    # The letter's people and what is protected, read once for the copy and its check.
    known, items = references.people(communication), gate.protected(communication, references.PUBLIC)
    copy = gate.public_copy(communication, known=known, items=items)
    problems = gate.gate_public_copy(communication, copy, known=known, items=items)
    if problems:
        raise GateBlocked(problems)
    # The gate passed every victim's rendering (those of open cases by their names): what a later write
    # by the worker compares with.
    communication.public_approved_names = gate.renderings(known)
    type(communication).objects.filter(pk=communication.pk).update(
        public_approved_names=communication.public_approved_names
    )
    # Only earlier letters that are public themselves: an unreleased letter's reference is confidential.
    earlier, previous = [], communication.follow_up_to
    while previous is not None:
        public = PublicRecord.objects.filter(communication=previous).exists()
        if previous.status == CommunicationStatus.RELEASED and public:
            earlier.append(previous.reference)
        previous = previous.follow_up_to
    record, _ = PublicRecord.objects.update_or_create(
        communication=communication,
        defaults={
            "reference": communication.reference,
            "slug": slug_for(communication.reference),
            "kind": communication.kind,
            "recipient": communication.recipient,
            "recipient_name": communication.recipient_name,
            "language": communication.language,
            "sent_on": communication.sent_at.date(),
            "released_on": (communication.released_at or timezone.now()).date(),
            "mandates": [str(m) for m in communication.mandates.all()],
            "summary": copy.summary,
            "letter_html": copy.letter_html,
            "themes": copy.themes,
            "violation_types": copy.violation_types,
            "earlier": earlier,
        },
    )
    published = []
    for reply in copy.replies:
        published.append(publish_reply(reply, record=record))
    # A reply no longer approved (or a document no longer publishable) leaves the record.
    PublicReply.objects.filter(record=record).exclude(pk__in=[p.pk for p in published]).delete()
    _index(record, [reply.reply for reply in copy.replies])
    pdf.public_letter_store(record)  # made here, once, not on every download
    transaction.on_commit(stats.invalidate)
    _rewrite_later(communication)
    return record


def public_record_take_down(communication) -> bool:
    """Take the record off every public surface at once (search and statistics included); True if there was one."""
    deleted, _ = PublicRecord.objects.filter(communication=communication).delete()  # replies cascade
    if deleted:
        transaction.on_commit(stats.invalidate)
        _rewrite_later(communication)
    return bool(deleted)


def _rewrite_later(communication) -> None:
    for later in communication.follow_ups.filter(status=CommunicationStatus.RELEASED, public_record__isnull=False):
        try:
            write_public_record(later)  # it may now link back to this one, or no longer
        except GateBlocked:
            public_record_take_down(later)


def _reply_status(replies: list[Reply]) -> str:
    if not replies:
        return ReplyStatus.NONE
    if any(reply.confidential for reply in replies):
        return ReplyStatus.CONFIDENTIAL
    if any(reply.kind == ReplyKind.SUBSTANTIVE for reply in replies):
        return ReplyStatus.SUBSTANTIVE
    return ReplyStatus.ACKNOWLEDGEMENT


def _index(record: PublicRecord, replies: list[Reply]) -> None:
    """The derived columns of the public filters, statistics and search, from the public text only."""
    text = unescape(_TAG.sub(" ", record.letter_html))
    title = f"{record.reference} {record.recipient_name}"
    PublicRecord.objects.filter(pk=record.pk).update(
        letter_text=text,
        reply_status=_reply_status(replies),
        reply_count=len(replies),
        first_reply_on=min((reply.received_on for reply in replies), default=None),
        search=_vector(title, f"{record.summary} {text}"),
        # What search results are ranked by: small enough to stay in the row (see PublicRecordQuerySet.search).
        search_rank=_vector(title, record.summary),
    )


def _vector(title: str, body: str) -> SearchVector:
    # English and Russian stemming over the same text: a search in either language finds it.
    return (
        SearchVector(Value(title), config="english", weight="A")
        + SearchVector(Value(body), config="english", weight="B")
        + SearchVector(Value(body), config="russian", weight="B")
    )


def publish_reply(copy: gate.ReplyCopy, *, record: PublicRecord) -> PublicReply:
    """A reply as its approved public copy: a confidential one as a placeholder only; a document only when
    its text could be read and passed the gate."""
    reply = copy.reply
    show_document = copy.document_text is not None
    public, _ = PublicReply.objects.update_or_create(
        reply=reply,
        defaults={
            "record": record,
            "received_on": reply.received_on,
            "kind": reply.kind,
            "confidential": reply.confidential,
            "text": copy.text,
            "document": copy.document if show_document else None,
            "document_name": copy.document_name if show_document else "",
            "content_type": reply.content_type if show_document else "",
        },
    )
    return public
