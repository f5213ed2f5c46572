"""The one gate every text passes before a name can leave the office.

It builds what is protected from the case's records and the CURRENT consent, renders the copy of an
audience from the draft's name references (communications.references), and runs the name finder
(communications.names.find_names) over every text of that copy:

- the government copy (approval, sending): the letter. Protected: each victim without consent to be
  named to the government; the source's name, contact details and relationship, always. Sentences in
  the first person (the source's voice) are problems too: staff rewrite them in the office's voice.
- the public copy (approval of the public version, release, every write of the public record): the
  public letter, the summary, the replies' summaries and the text of their documents. Protected: each
  victim without consent to be named in public, and the source as above. Themes that describe a
  person (LGBTI+, disability, child, woman) are left out for a victim not named in public unless
  staff keep them on the approved public version. A reply document the gate stops is held (left out
  of the public copy, staff shown why) without holding the rest: staff can rewrite a letter or a
  summary, never a State's document.
- in both copies, the people the source asked never to be named (a relative, a witness) are protected
  like the source, whatever the victims' consent: every part of each name, in every form and script.

The gate FINDS and BLOCKS: any hit stops the step and is shown to staff in context. It never rewrites
a text: names leave a letter only through the references, never by cutting fragments out of words.
Everything public (pages, search, feeds, CSV, API, PDF) derives from the public record, which
communications.release writes only from an approved public version that passes this gate. The drafts
staff review are sealed to the letter's key; at approval the version is copied under the server's key
(public_copy), so that the clock, which holds no key, releases exactly what was approved.
"""

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from html import escape, unescape

from communications import references
from communications.documents import Unreadable, document_text
from communications.names import Protected, find_names, first_person_sentences, in_context, name_keys
from communications.references import GOVERNMENT, PUBLIC
from portal import sealing
from portal import text as reading

# Themes that describe the person: with initials, a town and a date they can identify a victim.
TRAITS = frozenset({"lgbti", "disability", "child", "women"})
# What the draft generator leaves where staff must write (communications.drafting): never sent or published.
TO_COMPLETE = "[TO COMPLETE"
_TAG = re.compile(r"<[^>]*>")
_POSSESSIVES = {
    "latin": ("his", "her", "their", "the victim's"),
    "cyrillic": ("его", "её", "ее", "их"),
}


@dataclass(frozen=True)
class Problem:
    """Something that stops a step: where, what (for staff), and the text around it (escaped HTML)."""

    where: str
    what: str
    context: str = ""  # already escaped; the hit in <mark>


class GateBlocked(Exception):
    """A copy holds what its audience may not read."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join(f"{p.where}: {p.what}." for p in problems[:5]))


# --- What is protected ------------------------------------------------------------------------


def _allowed(submission, audience: str) -> bool:
    return submission.may_name_to_government() if audience == GOVERNMENT else submission.may_name_publicly()


def _unshared(name: str, readable: list[str]) -> list[str]:
    """The parts of `name` that are not also part of a name this audience may read (a shared family
    name: the niece's surname is her aunt's, who agreed to be named)."""
    keys = frozenset().union(*(name_keys(t.norm) for other in readable for t in reading.tokens(other)))
    parts = [t.norm for t in reading.tokens(name)]
    if not any(name_keys(part) & keys for part in parts):
        return [name]
    return [part for part in parts if not name_keys(part) & keys]


def _relationship_phrases(detail: str) -> list[str]:
    detail = detail.strip()
    if not detail:
        return []
    words = reading.tokens(detail)
    if len(words) != 1:
        return [detail]
    # One word ("aunt", "тётя") is a hit only as a phrase with a possessive: "her aunt", "его тётя".
    script = "cyrillic" if words[0].cyrillic else "latin"
    return [detail, *(f"{possessive} {detail}" for possessive in _POSSESSIVES[script])]


def protected(communication, audience: str) -> tuple[Protected, ...]:
    """What `audience` may not read, from the case's records and the current consent."""
    return protected_of(list(communication.submissions.all()), audience)


def protected_of(submissions: list, audience: str, *, source_only: bool = False) -> tuple[Protected, ...]:
    """What `audience` may not read of these cases; source_only: only who is never named, whatever the
    consent (the sources, what identifies them, and the people they asked never to be named).

    Only cases this context opens (portal.sealing): a case it cannot open was checked when its victims'
    renderings were last approved, and `renderings_problems` holds the copy if they changed since.
    """
    submissions = [submission for submission in submissions if sealing.can_open(submission.case_key_id)]
    # Each case's consent and victims read once here (each read opens their sealed values).
    allowed_of = {submission.pk: _allowed(submission, audience) for submission in submissions}
    defenders_of = {submission.pk: list(submission.defenders.all()) for submission in submissions}
    readable = [
        defender.name
        for submission in submissions
        if allowed_of[submission.pk]
        for defender in defenders_of[submission.pk]
    ]
    to = "to the government" if audience == GOVERNMENT else "in public"
    items = []
    for submission in submissions:
        allowed = allowed_of[submission.pk]
        for number, defender in enumerate(defenders_of[submission.pk], 1):
            if not allowed and not source_only:
                label = f"{submission.reference}, victim {number}: no consent to be named {to}"
                items.append(Protected.person(label, *_unshared(defender.name, readable)))
        label = f"{submission.reference}: the source (never named)"
        source_is_victim = submission.source_relationship == "victim"
        # A victim who reported their own case is named as their consent allows, like any victim; the
        # letter never says who reported it.
        name = "" if source_is_victim and allowed else submission.source_name
        phrases = [] if source_is_victim else _relationship_phrases(submission.source_relationship_detail)
        if submission.source_relationship == "organisation" and len(reading.tokens(name)) > 1:
            # An organisation's name ("Civil Society Network") is found as the whole name, in any form:
            # its words alone are the words of letters ("civil society", "International Covenant on Civil…").
            phrases.append(name)
            name = ""
        names = _unshared(name, readable) if name.strip() else []
        items.append(Protected.person(label, *names))
        # The people the source asked never to be named (a relative, a witness): like the source, in
        # every copy, whatever the victims' consent; a part shared with a name this audience may read
        # (a family name) is protected only with the rest of the name.
        for number, other in enumerate(submission.confidential_names, 1):
            label_other = f"{submission.reference}: confidential person {number} (never named)"
            items.append(Protected.person(label_other, *_unshared(other, readable)))
        items.append(
            Protected.source(
                label,
                contacts=[submission.contact_details, submission.notify_email],
                phrases=phrases,
            )
        )
    return tuple(item for item in items if item.names or item.phrases or item.contacts)


# --- The copies ------------------------------------------------------------------------------


def government_letter(communication, known=None) -> str:
    """The letter as the government receives it (HTML)."""
    known = references.people(communication) if known is None else known
    return references.render(communication.body, known, GOVERNMENT, as_html=True)


def public_letter_source(communication) -> str:
    """The public letter as staff edit it (sealed to the letter's key): their version, or the letter itself."""
    return communication.public_body or communication.body


@dataclass
class ReplyCopy:
    reply: object
    text: str
    document_text: str | None = None  # None: no document, or not published
    note: str = ""  # why a document is not published, for staff
    held: list["Problem"] = field(default_factory=list)  # what the gate found in a held document (staff only)
    document: bytes | None = None  # the document as published, when it is
    document_name: str = ""


@dataclass
class PublicCopy:
    letter_html: str
    summary: str
    themes: list[str]
    violation_types: list[str]
    replies: list[ReplyCopy] = field(default_factory=list)
    # What the letter and the summary were rendered from (with their name references).
    letter_source: str = ""
    summary_source: str = ""


CONFIDENTIAL_REPLY = "A reply was received and is not made public at the State's request."


HELD_DOCUMENT = (
    "Its document is held, not published: the name gate found in it what the public may not read (below). "
    "The letter, its summary and this reply's summary can still be approved and released without it."
)


def _reply_copy(reply, items: tuple[Protected, ...], *, approved: bool) -> ReplyCopy:
    """A reply's public copy. Its document is published only if its text can be read and passes the gate;
    a document the gate stops is held (and staff are shown why), without holding the rest of the version:
    staff cannot rewrite a State's document, only leave it out.

    approved: from the public copy stored at approval under the server's key (the release); otherwise from
    the reply as received, sealed to the letter's key (the review before approval).
    """
    if reply.confidential:
        return ReplyCopy(reply, CONFIDENTIAL_REPLY)
    if approved:
        summary, document, name = reply.public_summary, reply.public_document, reply.public_document_name
    else:
        summary, document, name = reply.summary, reply.document, reply.document_name
    copy = ReplyCopy(reply, summary)
    if document is None:
        return copy
    try:
        text = document_text(bytes(document), name=name, content_type=reply.content_type)
    except Unreadable as error:
        copy.note = f"Its document is not published: {error}."
        return copy
    copy.held = check_text(f"document of the reply of {reply.received_on:%Y-%m-%d}", text, items)
    if copy.held:
        copy.note = HELD_DOCUMENT
    else:
        copy.document_text, copy.document, copy.document_name = text, bytes(document), name
    return copy


def public_themes(communication) -> list[str]:
    themes = set()
    for submission in communication.submissions.all():
        keep = submission.may_name_publicly() or communication.public_keeps_traits
        themes |= {flag for flag in submission.flags if keep or flag not in TRAITS}
    return sorted(themes)


def public_copy(communication, *, mark: bool = False, all_replies: bool = False, known=None, items=None) -> PublicCopy:
    """The public version as the public will read it, from the current consent.

    all_replies: the version under review, from the drafts staff edit (sealed: read with the letter's key),
    with every reply. Otherwise the version a person approved, as stored at that approval under the server's
    key (what the clock releases with no key at all), with only confidential replies (a placeholder) and
    those whose public copy staff approved. known, items: the letter's people and what is protected in
    public, when the caller has just read them.
    """
    known = references.people(communication) if known is None else known
    submissions = list(communication.submissions.all())
    items = protected(communication, PUBLIC) if items is None else items
    replies = [
        _reply_copy(reply, items, approved=not all_replies)
        for reply in communication.replies.all()
        if all_replies or reply.confidential or reply.public_approved_at is not None
    ]
    if all_replies:
        letter, summary = public_letter_source(communication), communication.public_summary
    else:
        letter, summary = communication.approved_public_body, communication.approved_public_summary
    return PublicCopy(
        letter_html=references.render(letter, known, PUBLIC, as_html=True, mark=mark),
        summary=references.render(summary, known, PUBLIC, as_html=False, mark=False),
        themes=public_themes(communication),
        violation_types=sorted({v for s in submissions for v in s.violation_types}),
        replies=replies,
        letter_source=letter,
        summary_source=summary,
    )


def public_digest(communication, *, approved: bool = False) -> str:
    """What an approval of the public version covers; the rendering of references is not part of it
    (a consent change re-renders them, and the gate checks the result again at every write).

    approved: of the copy stored at approval (the same digest as the drafts' while neither changed).
    """
    if approved:
        letter, summary = communication.approved_public_body, communication.approved_public_summary
    else:
        letter, summary = public_letter_source(communication), communication.public_summary
    value = [letter, summary, communication.public_keeps_traits]
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def public_version_approved(communication) -> bool:
    """Approved, and neither the drafts (where this context opens the letter) nor the stored copy changed
    since. An edit also lapses the approval in the row (services.communication_public_edit): the worker,
    which cannot open the drafts, reads only the stored copy."""
    if communication.public_approved_at is None:
        return False
    digest = communication.public_approved_digest
    if sealing.can_open(communication.letter_key_id) and digest != public_digest(communication):
        return False
    return digest == public_digest(communication, approved=True)


# --- The checks ------------------------------------------------------------------------------


def check_text(where: str, text: str, items: tuple[Protected, ...]) -> list[Problem]:
    hits = find_names(text, items)
    return [
        Problem(where, f"{hit.protected_label}: “{hit.found_text}”", snippet)
        for hit, snippet in zip(hits, in_context(text, hits), strict=True)
    ]


def _first_person(where: str, text: str, language: str) -> list[Problem]:
    return [
        Problem(
            where,
            "a sentence in the first person (the source's voice): rewrite it in the office's voice",
            f"<mark>{escape(sentence.text)}</mark>",
        )
        for sentence in first_person_sentences(text, language)
    ]


def _unknown(where: str, text: str, known) -> list[Problem]:
    return [
        Problem(where, f"{found} refers to nobody of this letter's cases", f"<mark>{escape(found)}</mark>")
        for found in references.unknown_references(text, known)
    ]


def _to_complete(where: str, text: str) -> list[Problem]:
    plain = unescape(_TAG.sub(" ", text))
    found, start = [], plain.find(TO_COMPLETE)
    while start >= 0:
        end = plain.find("]", start) + 1 or len(plain)
        found.append(Problem(where, "a part of the draft still to write", f"<mark>{escape(plain[start:end])}</mark>"))
        start = plain.find(TO_COMPLETE, end)
    return found


def gate_government_copy(communication) -> list[Problem]:
    """Everything that stops approval and sending of the letter to the government."""
    known = references.people(communication)
    letter = government_letter(communication, known)
    items = protected(communication, GOVERNMENT)
    return (
        _unknown("letter", communication.body, known)
        + _to_complete("letter", letter)
        + check_text("letter", letter, items)
        + _first_person("letter", letter, communication.language)
    )


def approved_renderings(communication) -> dict[str, str]:
    return json.loads(communication.public_approved_names or "{}")


def renderings(known) -> str:
    return json.dumps({str(pk): person.public for pk, person in sorted(known.items())}, ensure_ascii=False)


def renderings_problems(communication, known) -> list[Problem]:
    """The cases this context cannot open (the worker at release): their victims must read as they did when
    the gate last passed them with the case open, or the copy waits for staff."""
    approved = approved_renderings(communication)
    problems = []
    for submission in communication.submissions.all():
        if sealing.can_open(submission.case_key_id):
            continue
        if any(approved.get(str(d.pk)) != known[d.pk].public for d in submission.defenders.all()):
            problems.append(
                Problem(
                    "public letter",
                    f"{submission.reference}: what the public may read of its victims changed since the public "
                    "version was approved: a person who reads the case must approve it again",
                )
            )
    return problems


def gate_public_copy(communication, copy: PublicCopy | None = None, *, known=None, items=None) -> list[Problem]:
    """Everything that stops the approval of the public version, its release and every public write.

    known, items: the letter's people and what is protected in public, when the caller has just read them.
    """
    known = references.people(communication) if known is None else known
    items = protected(communication, PUBLIC) if items is None else items
    copy = public_copy(communication, known=known, items=items) if copy is None else copy
    problems = (
        renderings_problems(communication, known)
        + _unknown("public letter", copy.letter_source, known)
        + _unknown("summary", copy.summary_source, known)
        + _to_complete("public letter", copy.letter_html)
        + check_text("public letter", copy.letter_html, items)
        + check_text("summary", copy.summary, items)
        + _first_person("public letter", copy.letter_html, communication.language)
    )
    for reply in copy.replies:
        where = f"reply of {reply.reply.received_on:%Y-%m-%d}"
        problems += check_text(where, reply.text, items)
        if reply.document_text is not None:  # it passed in public_copy; read again as every public write is
            problems += check_text(f"document of the {where}", reply.document_text, items)
    return problems


# --- What staff see before approving the public version ------------------------------------------


@functools.lru_cache(maxsize=32)
def _known_words(kind: str, language: str, extra: tuple[str, ...]) -> frozenset[str]:
    from django_countries import countries

    from communications.models import LetterTemplate, Mandate, NormParagraph

    texts = [*extra, *(str(name) for _code, name in countries), *Mandate.objects.values_list("name", flat=True)]
    for template in LetterTemplate.objects.filter(language=language):
        texts += [template.opening, template.facts_intro, template.concerns, template.norms_intro,
                  template.questions, template.closing]  # fmt: skip
    texts += [f"{title} {text}" for title, text in NormParagraph.objects.values_list("title", "text")]
    return frozenset(token.norm for text in texts for token in reading.tokens(text))


def person_like_names(communication, text: str) -> list[str]:
    """Capitalised words of the public text that are neither in the letter templates and libraries nor in a
    dictionary, nor a name with public-naming consent: possibly a person's name, for staff to look at."""
    consented = [p.name for p in references.people(communication).values() if p.public_named]
    known = _known_words(communication.kind, communication.language, (communication.recipient_name, *consented))
    plain = unescape(_TAG.sub(" ", text))
    found: dict[str, str] = {}
    for token in reading.tokens(plain):
        if not token.capitalised or token.norm in known or token.norm in found or len(token.norm) < 3:
            continue
        if not reading.is_ordinary_word(token.norm):
            found[token.norm] = plain[token.start : token.end]
    return list(found.values())
