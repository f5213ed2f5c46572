"""Letters to governments and other actors, their replies, and what the public sees.

A Communication is confidential: its letter names defenders. Like a case, it has a key pair of its own
(portal.sealing; the letter key is a portal.CaseKey): the letter, the drafts of its public version, its
replies as received, the reasons of its steps and its consent alerts are sealed to it, and only staff
holding the office key open them. What the worker releases on day 60 without any key is the public
version a person approved, copied at that approval under the server's key (`approved_public_body`,
`approved_public_summary`, the replies' `public_*`): text that will be published anyway, on a known date,
after the name gate passed it. When it is released (60 days after sending, or earlier by decision)
communications.release writes a PublicRecord from the public version a person
approved, after the name gate (communications.gate) passed it. Public pages read PublicRecord and PublicReply
only, so no bug in a public view can reach a confidential original.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedBinaryField, EncryptedCharField, EncryptedTextField
from portal.sealing import SealedBinaryField, SealedCharField, SealedTextField

PUBLICATION_DELAY = timedelta(days=60)
LAST_CHANCE = timedelta(days=7)


class Kind(models.TextChoices):
    UA = "UA", _("Urgent appeal")
    AL = "AL", _("Allegation letter")
    OL = "OL", _("Other letter")


class Language(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    RU = "ru", "Русский"


class CommunicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    RELEASED = "released", _("Released")
    WITHHELD = "withheld", _("Withheld")


class ReplyKind(models.TextChoices):
    SUBSTANTIVE = "substantive", _("Substantive reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt only")


class Mandate(models.Model):
    """Another special procedure that may co-sign (a joint communication)."""

    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NormParagraph(models.Model):
    """A paragraph of applicable international law, picked into drafts by topic."""

    code = models.SlugField(max_length=60)
    language = models.CharField(max_length=2, choices=Language)
    title = models.CharField(max_length=200)
    text = models.TextField()
    # Violation types and work areas (submissions' choices) it applies to; "always" for every letter.
    topics = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["language", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "language"], name="one_norm_per_code_language")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class LetterTemplate(models.Model):
    """The fixed parts of a letter of one kind in one language."""

    kind = models.CharField(max_length=2, choices=Kind)
    language = models.CharField(max_length=2, choices=Language)
    opening = models.TextField(help_text="{mandates} is replaced by the signing mandates.")
    facts_intro = models.TextField()
    concerns = models.TextField()
    norms_intro = models.TextField()
    questions = models.TextField(help_text="One question per line.")
    closing = models.TextField()

    class Meta:
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_language")]

    def __str__(self) -> str:
        return f"{self.kind} template ({self.language})"


class CommunicationQuerySet(models.QuerySet):
    def due_for_release(self, now=None):
        now = now or timezone.now()
        return self.filter(status=CommunicationStatus.SENT, sent_at__lte=now - PUBLICATION_DELAY)


class Communication(models.Model):
    kind = models.CharField(max_length=2, choices=Kind)
    recipient = models.CharField(
        max_length=3, help_text="ISO 3166 alpha-3 code of the State, or OTH for a company or other non-State actor."
    )
    recipient_name = models.CharField(max_length=200, help_text="The State's name, or the company or group.")
    copies_to = ArrayField(
        models.CharField(max_length=3),
        default=list,
        blank=True,
        help_text="Alpha-3 codes of other States that receive a copy.",
    )
    language = models.CharField(max_length=2, choices=Language, default=Language.EN)
    submissions = models.ManyToManyField("submissions.Submission", related_name="communications", blank=True)
    mandates = models.ManyToManyField(Mandate, blank=True, related_name="communications")
    follow_up_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    status = models.CharField(max_length=10, choices=CommunicationStatus, default=CommunicationStatus.DRAFT)
    body = SealedTextField(help_text="The letter (HTML; sanitised when saved).")
    public_summary = SealedTextField(
        blank=True,
        help_text="A few lines for the public list (plain text). Refer to people only as [[person:N]]; "
        "it is checked by the name gate, never cut.",
    )
    reference = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    withheld_reason = SealedTextField(blank=True, editable=False)
    early_release_reason = SealedTextField(blank=True, editable=False)
    release_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reply_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The public version (communications.gate): what the public will read, approved by a person before
    # any release. Empty `public_body` means the letter itself, its name references rendered for the public.
    public_body = SealedTextField(
        blank=True,
        help_text="The letter as the public will read it (HTML). Empty: the letter itself, each name reference "
        "rendered as public-naming consent allows. Edit it to take out anything that identifies a person.",
    )
    public_keeps_traits = models.BooleanField(
        default=False,
        help_text="Keep themes that describe a person (LGBTI+, disability, child, woman) on the public version "
        "although a victim did not agree to be named in public.",
    )
    public_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # What was approved (see gate.public_digest): an edit after approval lapses it.
    public_approved_digest = models.CharField(max_length=64, blank=True, editable=False)
    # What the public read of each victim (defender id -> rendering, JSON) when the gate last passed the
    # public version with their cases open: the worker, which cannot open them, releases only if this is
    # still what the public would read (communications.gate).
    public_approved_names = EncryptedTextField(blank=True, editable=False)
    # The public version as approved (its letter with name references, and its summary), under the server's
    # key: what the worker releases on day 60 without any private key (the drafts above are sealed). Only
    # what will be published anyway; written at each approval, emptied when an edit lapses it.
    approved_public_body = EncryptedTextField(blank=True, editable=False)
    approved_public_summary = EncryptedTextField(blank=True, editable=False)
    release_held_alert_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The letter's key (portal.sealing); NULL for a letter stored before letters had keys (Fernet values).
    letter_key = models.OneToOneField(
        "portal.CaseKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="letter"
    )

    objects = CommunicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("approve_communication", "Can approve communications (the rapporteur)"),
            ("send_communication", "Can record a communication as sent"),
            ("release_communication", "Can release early or withhold a communication"),
        ]
        indexes = [models.Index(fields=["status", "sent_at"], name="communication_clock")]

    def __str__(self) -> str:
        return self.reference or f"{self.get_kind_display()} to {self.recipient_name} (draft {self.pk})"

    @property
    def release_due(self):
        return self.sent_at + PUBLICATION_DELAY if self.sent_at else None

    def sealing_key(self):
        return self.letter_key


class CommunicationStatusChange(models.Model):
    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=CommunicationStatus, blank=True)
    to_status = models.CharField(max_length=10, choices=CommunicationStatus)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = SealedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["communication", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.communication}: {self.from_status or '-'} -> {self.to_status}"

    def sealing_key(self):
        return self.communication.letter_key


class ConsentAlert(models.Model):
    """A consent withdrawn or narrowed while a letter of the case was approved, sent, withheld or public, or a
    person added to the case's list of people never to be named (`never_named`, then `consent` is empty).

    Written in the request that recorded the consent, with one mail to the case's desk and the rapporteur.
    While it is open, the letter's next step (recording as sent, release) waits: the rapporteur acknowledges
    it with a reason, or approves the revised letter again, in either case against the current consent.
    """

    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="consent_alerts")
    consent = models.ForeignKey("submissions.Consent", on_delete=models.PROTECT, related_name="+", null=True)
    never_named = models.ForeignKey(
        "submissions.NeverNamedChange", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status_then = models.CharField(max_length=10, choices=CommunicationStatus)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    resolution = SealedTextField(blank=True)

    class Meta:
        ordering = ["communication", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["communication", "consent"], name="one_alert_per_communication_consent"),
            models.UniqueConstraint(
                fields=["communication", "never_named"], name="one_alert_per_communication_never_named"
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=False, never_named__isnull=True)
                | models.Q(consent__isnull=True, never_named__isnull=False),
                name="alert_of_a_consent_or_a_never_named_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.communication}: {self.cause} in {self.submission.reference}"

    @property
    def submission(self):
        return (self.consent or self.never_named).submission

    @property
    def recorded_at(self):
        return (self.consent or self.never_named).recorded_at

    @property
    def cause(self) -> str:
        """What changed, in words for staff (no personal data)."""
        if self.never_named is not None:
            return "a person added to the people never to be named"
        return "consent withdrawn" if self.consent.withdrawn else "consent narrowed"

    def sealing_key(self):
        return self.communication.letter_key


class ReferenceCounter(models.Model):
    """The last number given to a recipient in a year; numbers are never reused."""

    recipient = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "year"], name="one_counter_per_recipient_year")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.year}: {self.last}"


class Reply(models.Model):
    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="replies")
    received_on = models.DateField()
    kind = models.CharField(max_length=16, choices=ReplyKind)
    confidential = models.BooleanField(default=False, help_text="The State asked that the reply stay confidential.")
    document = SealedBinaryField(null=True, blank=True)
    document_name = SealedCharField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    summary = SealedTextField(blank=True, help_text="Staff summary; public when the reply is published.")
    # A reply joins the public record only once staff approved its public copy (summary and document).
    public_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # That public copy, under the server's key, for the worker's release (see Communication): the summary,
    # and the document only if the name gate passed its text at approval.
    public_summary = EncryptedTextField(blank=True, editable=False)
    public_document = EncryptedBinaryField(null=True, blank=True, editable=False)
    public_document_name = EncryptedCharField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["communication", "received_on", "id"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply to {self.communication} of {self.received_on}"

    def sealing_key(self):
        return self.communication.letter_key


class ReplyStatus(models.TextChoices):
    NONE = "none", _("No reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement only")
    SUBSTANTIVE = "substantive", _("Substantive reply")
    CONFIDENTIAL = "confidential", _("Confidential reply")


# A search that matches a record's reference, recipient or summary (`search_rank`) matches its whole letter
# (`search`): the same words, at the same positions for the title and the English summary, shifted alike for
# the Russian one, so words and "phrases" alike. Except a -word (websearch's NOT): absent from the summary is
# not absent from the letter, so such a search is checked against `search` itself. (One more match: a phrase
# of a summary's last and first words, where its English and Russian readings join; it has the words there.)
_EXCLUDES_A_WORD = re.compile(r"(?:^|\s)-")


class PublicRecordQuerySet(models.QuerySet):
    # How many matches search() ranks (see there), and how many of the newest records a body-only search
    # walks through before it asks the search index instead (see _newest_matches()).
    RANKED = 500
    WALK = 300
    # How many records after the walk the search index is asked about first (see _older_matches()).
    OLDER = 2_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._search_text: str | None = None
        self._unsearched: PublicRecordQuerySet | None = None

    def _clone(self):
        clone = super()._clone()
        clone._search_text, clone._unsearched = self._search_text, self._unsearched
        return clone

    def only(self, *fields):
        clone = super().only(*fields)
        if clone._unsearched is not None:  # page() reads the records through it, with these columns
            clone._unsearched = clone._unsearched.only(*fields)
        return clone

    def defer(self, *fields):
        clone = super().defer(*fields)
        if clone._unsearched is not None:
            clone._unsearched = clone._unsearched.defer(*fields)
        return clone

    def filtered(
        self,
        *,
        q: str | None = None,
        recipient: str | None = None,
        kind: str | None = None,
        year: int | None = None,
        theme: str | None = None,
        violation: str | None = None,
        reply_status: str | None = None,
    ) -> "PublicRecordQuerySet":
        """The archive's filters, the same for the page, the CSV export and the API; an empty value filters nothing.

        With `q`, a full-text search, best matches first (see search()); otherwise newest first.
        """
        records = self
        if recipient:
            records = records.filter(recipient=recipient.upper())
        if kind:
            records = records.filter(kind=kind)
        if year:
            records = records.filter(sent_on__year=year)
        if theme:
            records = records.filter(themes__contains=[theme])
        if violation:
            records = records.filter(violation_types__contains=[violation])
        if reply_status:
            records = records.filter(reply_status=reply_status)
        if q and q.strip():
            records = records.search(q.strip())
        return records

    def search(self, text: str) -> "PublicRecordQuerySet":
        """Full-text search of the public letter in English and Russian, best matches first; filter before, not after.

        A record matches on its whole letter (`search`). Best matches are the records with the words in their
        reference, recipient or summary (`search_rank`), ranked by ts_rank over those, then newest first;
        the other matches follow, newest first (their rank is 0). Ranking all matches read every one of them:
        a word of a third of the archive cost 50-80 ms at 100,000 records, and more with the archive.

        So page() ranks a bounded set: the RANKED (500) newest records whose reference, recipient or summary
        hold the words. Where more records have the words there (a common word of the summaries: "alleged",
        "detention"; a country's name), the older ones follow the ranked 500 among the other matches, newest
        first; a word found there in 500 records or fewer is ranked over all of them. Ranks take few values (a
        word once in a summary ranks the same in every record), so the newest 500 hold the first pages of the
        full ranking but for an older record with the word twice ("Tajikistan" as recipient and in the summary
        of a 2016 letter: not first). Two differences with ranking everything, both tested: with several words
        a record is a best match when all of them are in its reference, recipient or summary; and past the 500
        newest, order is by date, not by rank.

        Iterated without page(), the queryset ranks every match the old way (correct, slower).
        """
        query = _search_query(text)
        records = (
            self.filter(search=query)
            .annotate(rank=SearchRank(models.F("search_rank"), query))
            .order_by("-rank", "-sent_on", "-id")
        )
        records._search_text, records._unsearched = text, self
        return records

    def page(self, start: int, stop: int) -> list["PublicRecord"]:
        """The records from start to stop, in the order of search() for a search, without counting the matches.

        Sequential scans are off for these queries: PostgreSQL costs `search @@ query` as cheap, but every
        record's vector is about 5 KB stored out of line, and for a word found in a third of the archive it
        would read all 100,000 of them. SET LOCAL ends with the transaction; inside a transaction that goes on
        (a test, ATOMIC_REQUESTS) the previous value is put back at once.
        """
        if self._search_text is None:
            return list(self[start:stop])
        with _planner(self.db, enable_seqscan="off"):
            ids = self._search_page(start, stop)
        return self._by_id(ids)

    def _by_id(self, ids: list[int]) -> list["PublicRecord"]:
        # Through the filters and columns, not the search again: each letter's vector is 5 KB out of line.
        by_id = {record.pk: record for record in self._unsearched.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def stream(self, limit: int, *, chunk: int = 500):
        """The first `limit` records in page()'s order, read a chunk at a time (the CSV export).

        The order is worked out once, as ids (for a search, the same queries as one page; the other matches in
        one pass of the search index), and the records are read `chunk` at a time: the first leave before the
        last are read, and no more than a chunk of them is held.
        """
        if self._search_text is None:
            yield from self[:limit].iterator(chunk_size=chunk)
            return
        with _planner(self.db, enable_seqscan="off"):
            ids = self._search_page(0, limit)
        for at in range(0, len(ids), chunk):
            yield from self._by_id(ids[at : at + chunk])

    def _search_page(self, start: int, stop: int) -> list[int]:
        text, records = self._search_text, self._unsearched
        query = _search_query(text)
        # The RANKED newest records with the words in reference, recipient or summary: an index-only walk of
        # publicrecord_ranked (newest first, search_rank included) or, for rarer words, its GIN index.
        candidates = records.filter(search_rank=query)
        if _EXCLUDES_A_WORD.search(text):
            candidates = candidates.filter(search=query)
        candidates = list(
            candidates.annotate(rank=SearchRank(models.F("search_rank"), query))
            .order_by("-sent_on", "-id")
            .values_list("rank", "sent_on", "pk")[: self.RANKED]
        )
        candidates.sort(reverse=True)  # rank, then newest
        ids = [pk for _, _, pk in candidates[start:stop]]
        if len(candidates) >= stop:
            return ids
        # The other matches, newest first: the ranked ones left out by id.
        skip, count = max(0, start - len(candidates)), stop - max(start, len(candidates))
        ranked = [pk for _, _, pk in candidates]
        return ids + _newest_matches(records, text, ranked, skip, count, walk=self.WALK, older=self.OLDER)


# search()'s query as SQL, for the one query written by hand (_newest_matches).
_TSQUERY = "websearch_to_tsquery('english'::regconfig, %s) || websearch_to_tsquery('russian'::regconfig, %s)"


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config="english", search_type="websearch") | SearchQuery(
        text, config="russian", search_type="websearch"
    )


def _newest_matches(
    records, text: str, excluded: list[int], skip: int, count: int, *, walk: int, older: int
) -> list[int]:
    """Ids of the matches of `text` in `records` but not in `excluded`, newest first, from skip, count of them.

    A word found in many letters is found among the newest few: the WALK newest records of `records` are
    read in order until enough match, at about 20 us a record (its 5 KB vector comes out of line). Where
    that is not enough the word is rare in them, and the search index finds the older matches a span of the
    archive at a time (_older_matches); left to itself, the planner would walk the whole archive for a rare
    word (costing `@@` as cheap).
    """
    rest = records.filter(search=_search_query(text)).exclude(pk__in=excluded)
    found, boundary = [], None
    if skip + count <= walk:  # else the window cannot hold them (a deep page, the CSV export)
        newest = records.order_by("-sent_on", "-id")
        window_sql, window_params = newest.values_list("pk", "sent_on", "search")[:walk].query.sql_with_params()
        with connections[records.db].cursor() as cursor:
            # The window in its order, filtered outside: a LIMIT in a subquery keeps its rows and order.
            cursor.execute(
                f"SELECT w.pk FROM ({window_sql}) w WHERE w.search @@ ({_TSQUERY}) AND NOT w.pk = ANY(%s::bigint[]) "  # noqa: S608
                "ORDER BY w.sent_on DESC, w.pk DESC LIMIT %s",
                [*window_params, text, text, excluded, skip + count],
            )
            found = [pk for (pk,) in cursor.fetchall()]
        if len(found) == skip + count:
            return found[skip:]
        boundary = newest.values_list("sent_on", "pk")[walk - 1 : walk].first()
        if boundary is None:  # the window was every record
            return found[skip:]
    skip_older = max(0, skip - len(found))
    wanted = count - max(0, len(found) - skip)
    # With a filter the span would have to be counted through it, past every record it leaves out.
    span = None if records.query.where else older
    return found[skip:] + _older_matches(records, rest, boundary, skip_older, wanted, span=span)


def _older_than(sent_on, pk) -> models.Q:
    """Records after (sent_on, pk) in the archive's order, newest first."""
    return models.Q(sent_on__lt=sent_on) | models.Q(sent_on=sent_on, pk__lt=pk)


def _older_matches(records, matches, boundary, skip: int, count: int, *, span: int | None) -> list[int]:
    """Ids of `matches` after `boundary` (a record's sent_on and id; None: from the newest) in the order of
    `records`, newest first, from skip, count of them.

    Through the search index (a bitmap): first among the `span` records after the boundary (None: no span),
    then among all the older ones. Read at once, every older match of a word in a few per cent of the
    letters was read and sorted to keep the newest few (100,000 records, a word in 5 %: 5,478 records,
    7.6 ms); the span's records by date, ANDed with the word's entries in the search index, leave only its
    own matches to read (2,000 records: 99 matches, 1.5 ms). A rarer word has too few there, and few enough
    in all to read them all.
    """
    after = records.order_by("-sent_on", "-id")
    if boundary is not None:
        after, matches = after.filter(_older_than(*boundary)), matches.filter(_older_than(*boundary))
    edge = after.values_list("sent_on", "pk")[span - 1 : span].first() if span else None  # the span's last record
    found: list[int] = []
    with _planner(records.db, enable_indexscan="off"):  # through the indexes' bitmaps, not a walk
        if edge is not None:
            within = matches.filter(sent_on__gte=edge[0]).exclude(_older_than(*edge))  # its dates for the index
            found = list(within.order_by("-sent_on", "-id").values_list("pk", flat=True)[: skip + count])
            if len(found) == skip + count:
                return found[skip:]
            matches = matches.filter(_older_than(*edge))
        found += matches.order_by("-sent_on", "-id").values_list("pk", flat=True)[: skip + count - len(found)]
    return found[skip:]


@contextmanager
def _planner(using: str, **settings: str):
    """PostgreSQL planner settings for the queries inside, SET LOCAL; inside a longer transaction put back after."""
    connection = connections[using]
    outer = connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        previous = {}
        for name, value in settings.items():
            if outer:
                cursor.execute("SELECT current_setting(%s)", [name])
                [previous[name]] = cursor.fetchone()
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield
        for name, value in previous.items():  # (an error rolls them back)
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


class PublicRecord(models.Model):
    """What the public may read of a released communication, already redacted."""

    communication = models.OneToOneField(Communication, on_delete=models.PROTECT, related_name="public_record")
    reference = models.CharField(max_length=32, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=2, choices=Kind)
    recipient = models.CharField(max_length=3)
    recipient_name = models.CharField(max_length=200)
    language = models.CharField(max_length=2, choices=Language)
    sent_on = models.DateField()
    released_on = models.DateField()
    mandates = ArrayField(models.CharField(max_length=200), default=list)
    summary = models.TextField(blank=True)
    letter_html = models.TextField()
    themes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    violation_types = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    earlier = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    # Derived when the record is written, for the public filters, search and statistics.
    letter_text = models.TextField(blank=True)
    search = SearchVectorField(null=True, editable=False)
    search_rank = SearchVectorField(null=True, editable=False)
    reply_status = models.CharField(max_length=16, choices=ReplyStatus, default=ReplyStatus.NONE)
    reply_count = models.PositiveSmallIntegerField(default=0)
    first_reply_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [
            # Type and reply status have 3 and 4 values, no use in an index alone; in the search index
            # (btree_gin) they narrow a search for a common word before any record is read.
            GinIndex(fields=["search", "kind", "reply_status"], name="publicrecord_search"),
            # What a search ranks (PublicRecordQuerySet.search): the newest records with the words in reference,
            # recipient or summary, read from the index alone, filters included; the GIN index for rarer words.
            models.Index(
                fields=["-sent_on", "-id"],
                include=["kind", "reply_status", "recipient", "themes", "violation_types", "search_rank"],
                name="publicrecord_ranked",
            ),
            # Not with type and reply status, unlike publicrecord_search: the planner would read it for those
            # alone, then check `search @@` record by record, out of line (a CSV export: 230 ms instead of 40).
            GinIndex(fields=["search_rank"], name="publicrecord_search_rank"),
            GinIndex(fields=["themes"], name="publicrecord_themes"),
            GinIndex(fields=["violation_types"], name="publicrecord_violations"),
            # The later communications of the same case, on each detail page (earlier @> [reference]).
            GinIndex(fields=["earlier"], name="publicrecord_earlier"),
            # The feeds, newest release first.
            models.Index(fields=["-released_on", "-id"], name="publicrecord_released"),
            models.Index(fields=["-sent_on", "-id"], name="publicrecord_newest"),
            models.Index(fields=["recipient", "-sent_on"], name="publicrecord_recipient"),
            # The statistics read only these columns: an index-only scan instead of the whole table.
            models.Index(
                fields=["recipient"],
                include=["recipient_name", "kind", "sent_on", "first_reply_on"],
                name="publicrecord_statistics",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def year(self) -> int:
        return self.sent_on.year


class PublicReply(models.Model):
    record = models.ForeignKey(PublicRecord, on_delete=models.CASCADE, related_name="replies")
    reply = models.OneToOneField(Reply, on_delete=models.PROTECT, related_name="public_reply")
    received_on = models.DateField()
    kind = models.CharField(max_length=16, choices=ReplyKind)
    confidential = models.BooleanField()
    text = models.TextField()
    document = models.BinaryField(null=True, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["record", "received_on", "id"]
        verbose_name_plural = "public replies"

    def __str__(self) -> str:
        return f"Public reply to {self.record}"


class PublicLetterPDF(models.Model):
    """A released letter's PDF, rendered once from its public record and served as stored (communications.pdf).

    Rendering takes about 300 ms of CPU; the record changes rarely (a consent withdrawn after release).
    Public, like the record it is made from; kept in the database so that it is rewritten in the same
    transaction as the record and can never outlive a redaction.
    """

    record = models.OneToOneField(PublicRecord, on_delete=models.CASCADE, primary_key=True, related_name="pdf")
    # A digest of what the PDF was made from: a stored PDF whose record changed since is not served.
    source = models.CharField(max_length=64)
    pdf = models.BinaryField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "public letter PDF"

    def __str__(self) -> str:
        return f"PDF of {self.record_id}"
