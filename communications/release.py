"""The public record of a released communication: what the public may read, redacted.

Names appear only where the victim agreed to be named in public; otherwise
persons appear by initials and groups as "[name withheld]". The source never
appears. The record is rewritten whenever what it depends on changes (a late
reply, a consent withdrawn after release), always from the current consent.
"""

import re
from html import escape, unescape

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.text import slugify

from communications import pdf, stats
from communications.models import CommunicationStatus, PublicRecord, PublicReply, Reply, ReplyKind, ReplyStatus
from communications.names import WITHHELD, initials, redact

_TAG = re.compile(r"(<[^>]*>)")
CONFIDENTIAL_REPLY = "A reply was received and is not made public at the State's request."


def _hidden(communication) -> tuple[list[tuple[str, str]], bool]:
    """Each (text, replacement) that must not appear in public, and whether any defender is unnamed."""
    hidden, defender_withheld = [], False
    for submission in communication.submissions.all():
        public = submission.may_name_publicly()
        for defender in submission.defenders.all():
            if not public:
                defender_withheld = True
                hidden.append((defender.name, initials(defender.name) if defender.kind == "person" else WITHHELD))
        sources = (submission.source_name, submission.contact_details, submission.notify_email,
                   submission.source_relationship_detail)  # fmt: skip
        hidden += [(value, WITHHELD) for value in sources if value.strip()]
    # Longest first, so a full name goes before the parts it contains.
    return sorted(hidden, key=lambda item: len(item[0]), reverse=True), defender_withheld


def redacted_text(text: str, hidden: list[tuple[str, str]]) -> str:
    for value, replacement in hidden:
        text = redact(text, value, replacement=replacement if replacement == WITHHELD else None)
    return text


def redacted(html: str, hidden: list[tuple[str, str]]) -> str:
    """The HTML with every hidden value replaced, in its text only (never inside a tag)."""
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even parts are text, odd parts are tags
        parts[index] = escape(redacted_text(unescape(parts[index]), hidden), quote=False)
    return "".join(parts)


def slug_for(reference: str) -> str:
    return slugify(reference.replace("/", " "))


def write_public_record(communication) -> PublicRecord:
    """Create or rewrite the public record from the communication as it is now."""
    hidden, defender_withheld = _hidden(communication)
    submissions = list(communication.submissions.all())
    themes = sorted({flag for s in submissions for flag in s.flags})
    violations = sorted({v for s in submissions for v in s.violation_types})
    # Only earlier letters that are public themselves: an unreleased letter's reference is confidential.
    earlier, previous = [], communication.follow_up_to
    while previous is not None:
        if previous.status == CommunicationStatus.RELEASED:
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
            "summary": redacted_text(communication.public_summary, hidden),
            "letter_html": redacted(communication.body, hidden),
            "themes": themes,
            "violation_types": violations,
            "earlier": earlier,
        },
    )
    replies = list(communication.replies.all())
    for reply in replies:
        publish_reply(reply, record=record, hidden=hidden, defender_withheld=defender_withheld)
    _index(record, replies)
    pdf.public_letter_store(record)  # made here, once, not on every download
    transaction.on_commit(stats.invalidate)
    for later in communication.follow_ups.filter(status=CommunicationStatus.RELEASED):
        write_public_record(later)  # it may now link back to this one
    return record


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


def publish_reply(
    reply: Reply, *, record: PublicRecord, hidden: list[tuple[str, str]], defender_withheld: bool
) -> PublicReply:
    # A State's document cannot be redacted reliably: it is published only when
    # every defender of the case agreed to be named in public.
    show_document = not reply.confidential and not defender_withheld and reply.document is not None
    public, _ = PublicReply.objects.update_or_create(
        reply=reply,
        defaults={
            "record": record,
            "received_on": reply.received_on,
            "kind": reply.kind,
            "confidential": reply.confidential,
            "text": CONFIDENTIAL_REPLY if reply.confidential else redacted_text(reply.summary, hidden),
            "document": reply.document if show_document else None,
            "document_name": reply.document_name if show_document else "",
            "content_type": reply.content_type if show_document else "",
        },
    )
    return public
