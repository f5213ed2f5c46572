"""A case reported by a source: the submission, the defenders concerned, the
victim's consent, messages with the source, evidence and the status history.

Everything that names or describes a person, and every narrative, is stored
encrypted (portal.crypto). Structured answers (country, violation types,
gender, age group...) stay plain: they drive screening, queues and
statistics, and identify nobody without the encrypted fields.
"""

from collections.abc import Iterator

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal import sealed_files
from portal.crypto import EncryptedBinaryField, EncryptedCharField
from portal.sealing import SealedBinaryField, SealedCharField, SealedJSONField, SealedTextField


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("In the desk queue")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    COMMUNICATION_SENT = "communication_sent", _("Communication sent")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    DUPLICATE = "duplicate", _("Duplicate")
    CLOSED = "closed", _("Closed")


# Where a case's work ends: the queue opens on the others (submissions.admin.WorkFilter).
DONE = [Status.CLOSED, Status.DUPLICATE, Status.NOT_ADMISSIBLE, Status.COMMUNICATION_SENT]


class SourceStatus(models.TextChoices):
    """The coarse status a source sees: nothing of staff internals."""

    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    COMMUNICATION_SENT = "communication_sent", _("Communication sent")
    CLOSED = "closed", _("Closed")


SOURCE_STATUS = {
    Status.RECEIVED: SourceStatus.RECEIVED,
    Status.QUEUED: SourceStatus.UNDER_REVIEW,
    Status.IN_REVIEW: SourceStatus.UNDER_REVIEW,
    Status.INFO_REQUESTED: SourceStatus.INFO_REQUESTED,
    Status.ACCEPTED: SourceStatus.UNDER_REVIEW,
    Status.COMMUNICATION_SENT: SourceStatus.COMMUNICATION_SENT,
    Status.NOT_ADMISSIBLE: SourceStatus.CLOSED,
    Status.DUPLICATE: SourceStatus.CLOSED,
    Status.CLOSED: SourceStatus.CLOSED,
}


class SourceRelationship(models.TextChoices):
    VICTIM = "victim", _("I am the victim")
    FAMILY = "family", _("Family member of the victim")
    ORGANISATION = "organisation", _("Organisation working with the victim")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    SIGNAL = "signal", _("Signal")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    PHONE = "phone", _("Phone")
    OTHER = "other", _("Other")
    RECEIPT_ONLY = "receipt_only", _("Do not contact me; I will check with my receipt")


class ContactSafety(models.TextChoices):
    SAFE = "safe", _("Yes, it is safe to contact me")
    CAREFUL = "careful", _("Only with care (see my details)")
    UNSAFE = "unsafe", _("No, do not contact me")


class ViolationType(models.TextChoices):
    KILLING = "killing", _("Killing")
    ATTEMPTED_KILLING = "attempted_killing", _("Attempted killing")
    DEATH_THREATS = "death_threats", _("Death threats")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary arrest or detention")
    JUDICIAL_HARASSMENT = "judicial_harassment", _("Judicial harassment or criminalisation")
    TORTURE = "torture", _("Torture or ill-treatment")
    DISAPPEARANCE = "disappearance", _("Enforced disappearance")
    PHYSICAL_ATTACK = "physical_attack", _("Physical attack")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    SURVEILLANCE = "surveillance", _("Surveillance")
    ONLINE_ATTACKS = "online_attacks", _("Online attacks or smear campaigns")
    TRAVEL_BAN = "travel_ban", _("Travel ban")
    RAIDS = "raids", _("Raids or confiscation")
    FAMILY_HARASSMENT = "family_harassment", _("Harassment of family")
    REGISTRATION_FUNDING = "registration_funding", _("Restrictions on registration or funding")
    UN_REPRISALS = "un_reprisals", _("Reprisals for cooperation with the UN")
    OTHER = "other", _("Other")


class CurrentSituation(models.TextChoices):
    DETAINED = "detained", _("Is detained now")
    DEATH_THREATS = "death_threats", _("Receives death threats")
    DISAPPEARED = "disappeared", _("Whereabouts unknown (disappeared)")
    HEALTH_IN_DETENTION = "health_in_detention", _("Health at risk in detention")
    TRIAL_IMMINENT = "trial_imminent", _("Trial or hearing imminent")
    DEPORTATION_IMMINENT = "deportation_imminent", _("Deportation or extradition imminent")


class PerpetratorKind(models.TextChoices):
    STATE = "state", _("State (police, security services, courts, officials)")
    NON_STATE = "non_state", _("Non-state (company, armed group, private persons)")
    BOTH = "both", _("Both")
    UNKNOWN = "unknown", _("Not known")


class DefenderKind(models.TextChoices):
    PERSON = "person", _("A person")
    GROUP = "group", _("A group of people")
    ORGANISATION = "organisation", _("An organisation")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary or another gender")
    UNDISCLOSED = "undisclosed", _("Prefer not to say / not applicable")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Under 18")
    ADULT = "adult", _("18 to 64")
    OLDER = "older", _("65 or older")
    UNKNOWN = "unknown", _("Not known / not applicable")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class WorkArea(models.TextChoices):
    CIVIL_POLITICAL = "civil_political", _("Civil and political rights, democracy")
    JOURNALISM = "journalism", _("Journalism, media, freedom of expression")
    LEGAL = "legal", _("Legal defence (lawyers)")
    WOMEN = "women", _("Women's rights")
    LGBTI = "lgbti", _("Rights of LGBTI+ people")
    CHILDREN = "children", _("Children's rights")
    DISABILITY = "disability", _("Rights of persons with disabilities")
    MIGRANTS = "migrants", _("Refugees, migrants and asylum seekers")
    ENVIRONMENT = "environment", _("Land, environment, indigenous peoples")
    BUSINESS = "business", _("Business and human rights, labour rights")
    ANTI_CORRUPTION = "anti_corruption", _("Anti-corruption")
    MINORITIES = "minorities", _("Minority rights, religion or belief")
    OTHER = "other", _("Other")


class PriorityFlag(models.TextChoices):
    """The mandate's thematic priorities; each one found raises a case's priority."""

    KILLING = "killing", _("Killing or attempted killing")
    IMPRISONMENT = "imprisonment", _("Detention or imprisonment")
    ONLINE_ATTACKS = "online_attacks", _("Online attacks")
    BUSINESS = "business", _("Business and human rights")
    WOMEN = "women", _("Woman defender")
    LGBTI = "lgbti", _("Defender of LGBTI+ rights")
    CHILD = "child", _("Child defender")
    DISABILITY = "disability", _("Defender with a disability")
    MIGRANTS = "migrants", _("Defender of refugees, migrants, asylum seekers")
    LAND_ENVIRONMENT = "land_environment", _("Land, indigenous or environmental defender")
    REMOTE = "remote", _("Remote or isolated area")
    ANTI_CORRUPTION = "anti_corruption", _("Anti-corruption defender")
    UN_REPRISALS = "un_reprisals", _("Reprisal for cooperation with the UN")


class Element(models.TextChoices):
    """The minimum content of a submission, checked by screening."""

    VICTIM = "victim", _("Identity of the victim")
    WORK = "work", _("Human rights work")
    PERPETRATOR = "perpetrator", _("Alleged perpetrator")
    DATE = "date", _("Date")
    PLACE = "place", _("Place")
    DESCRIPTION = "description", _("Description")
    SOURCE_CONTACT = "source_contact", _("Source contact")
    CONSENT = "consent", _("Consent")


class InadmissibleReason(models.TextChoices):
    OUTSIDE_MANDATE = "outside_mandate", _("Outside the mandate (not a human rights defender or not for their work)")
    UNFOUNDED = "unfounded", _("Manifestly unfounded")
    POLITICAL = "political", _("Politically motivated")
    ABUSIVE = "abusive", _("Abusive language")
    MEDIA_ONLY = "media_only", _("Based solely on media reports")
    BAD_FAITH = "bad_faith", _("Source not in good faith or without reliable knowledge")
    ANONYMOUS = "anonymous", _("Source anonymous to the office")


class Desk(models.Model):
    """A country desk: its officers handle the submissions from its countries."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, help_text=_("Where urgent cases are announced (no personal data)."))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="desks")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeskCountry(models.Model):
    country = CountryField(unique=True)
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="countries")

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "desk countries"

    def __str__(self) -> str:
        return f"{self.country.code} -> {self.desk}"


class SubmissionQuerySet(models.QuerySet):
    def unscreened(self):
        return self.filter(status=Status.RECEIVED, screened_at__isnull=True)

    def visible_to(self, user):
        """What a staff member may see: desk officers only their desks' submissions."""
        desks = desks_seen_by(user)
        return self if desks is None else self.filter(desk__in=desks)


def desks_seen_by(user) -> list[int] | None:
    """The desks whose submissions a staff member may see, by key; None for every desk."""
    from portal.roles import sees_every_desk

    if sees_every_desk(user):
        return None
    # The desk ids first: with them as constants PostgreSQL walks one
    # desk's queue in order on its index, where a join to the members
    # made it read and sort the whole desk.
    if not hasattr(user, "_desk_ids"):  # kept for the request, as sees_every_desk keeps its answer
        user._desk_ids = list(Desk.objects.filter(members=user).values_list("pk", flat=True))
    return user._desk_ids


class Submission(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    passphrase_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The case's key (portal.sealing); NULL for a case stored before cases had keys.
    case_key = models.OneToOneField(
        "portal.CaseKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="submission"
    )

    # When its content was destroyed (retention, or the source's request): its key and ciphertext are gone.
    shredded_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The source: never disclosed outside the office. The names here are what staff read (in the third
    # person); the intake form asks the source in its own words (submissions.forms).
    source_name = SealedCharField(_("source’s name"))
    source_relationship = models.CharField(
        _("how the source knows the facts"), max_length=16, choices=SourceRelationship
    )
    source_relationship_detail = SealedCharField(_("the source’s relationship to the victim"), blank=True)
    contact_method = models.CharField(_("safe way to contact the source"), max_length=16, choices=ContactMethod)
    contact_details = SealedTextField(_("the source’s contact details"), blank=True)
    contact_safety = models.CharField(_("is it safe to contact the source"), max_length=8, choices=ContactSafety)
    notify_email = SealedCharField(_("the source’s email for notifications"), blank=True)

    # What happened.
    violation_types = ArrayField(models.CharField(max_length=24, choices=ViolationType.choices))
    violation_other = SealedCharField(_("other violation"), blank=True)
    current_situation = ArrayField(
        models.CharField(max_length=24, choices=CurrentSituation.choices), blank=True, default=list
    )
    incident_date = models.DateField(_("date it happened (or started)"), null=True, blank=True)
    incident_dates_detail = SealedTextField(_("dates"), blank=True)
    country = CountryField(_("country where it happened"))
    place = SealedCharField(_("place"))
    perpetrator_kind = models.CharField(_("who is responsible"), max_length=10, choices=PerpetratorKind)
    perpetrators = SealedTextField(_("alleged perpetrators"))
    description = SealedTextField(_("what happened"))
    current_risk = SealedTextField(_("current risk"))
    steps_taken = SealedTextField(_("steps already taken"), blank=True)
    # Other people the source asks never to be named (family, witnesses), one per line: protected by the
    # name gate like the source, in every copy of every letter (communications.gate).
    confidential_people = SealedTextField(_("people who must never be named"), blank=True)

    # What the source confirms.
    good_faith = models.BooleanField(_("the source acts in good faith"), default=False)
    direct_knowledge = models.BooleanField(
        _("the source knows the facts directly or from a trusted source"), default=False
    )
    media_only = models.BooleanField(_("based only on media reports"), default=False)

    # Screening (submissions.screening) and triage.
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)
    desk = models.ForeignKey(Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions")
    urgent = models.BooleanField(_("urgent appeal candidate"), default=False)
    priority = models.PositiveSmallIntegerField(default=0, editable=False)
    flags = ArrayField(models.CharField(max_length=20, choices=PriorityFlag.choices), default=list, blank=True)
    suggested_flags = ArrayField(
        models.CharField(max_length=20, choices=PriorityFlag.choices), default=list, blank=True, editable=False
    )
    missing_elements = ArrayField(
        models.CharField(max_length=16, choices=Element.choices), default=list, blank=True, editable=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_submissions"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", editable=False
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    inadmissible_reason = models.CharField(max_length=20, choices=InadmissibleReason, blank=True, editable=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("triage_submission", "Can take triage decisions on submissions"),
            ("message_source", "Can send questions to the source"),
        ]
        indexes = [
            # The desk queues: open submissions by urgency, priority, age.
            models.Index(
                models.F("urgent").desc(),
                models.F("priority").desc(),
                "created_at",
                name="submission_queue_order",
            ),
            # One desk's queue in that order, for desk officers and the desk filter.
            models.Index(
                "desk",
                models.F("urgent").desc(),
                models.F("priority").desc(),
                "created_at",
                name="submission_desk_queue_order",
            ),
            # The open work alone in that order: the queue's first view, whose filters (a rare flag) would
            # otherwise walk the closed cases of every year too (100,000 cases: 21 -> 12 ms for a rare flag).
            models.Index(
                models.F("urgent").desc(),
                models.F("priority").desc(),
                "created_at",
                condition=~models.Q(status__in=DONE),
                name="submission_open_queue_order",
            ),
            # A desk's open work in that order: a desk officer's queue, a page of it and the capped count of
            # its filters, without walking the other desks' open cases (100,000 cases, a desk of a third of
            # them: the twentieth page 9 -> 3 ms of SQL, the count of its urgent cases 5 -> 1 ms).
            models.Index(
                "desk",
                models.F("urgent").desc(),
                models.F("priority").desc(),
                "created_at",
                condition=~models.Q(status__in=DONE),
                name="submission_open_desk_queue",
            ),
            # Counts per status and desk (the admin index's panel): the open statuses' entries alone are read.
            models.Index(fields=["status", "desk"], name="submission_status_desk"),
            # The open work with one priority flag, in the queue's order, one index per flag (the flag filter's
            # first view): a page of a rare flag's cases without walking the queue for them, and the page's
            # capped count from the index alone, per desk too (100,000 cases: 7-9 ms -> 0.1-0.5 ms of SQL each).
            *(
                models.Index(
                    models.F("urgent").desc(),
                    models.F("priority").desc(),
                    "created_at",
                    include=["desk"],
                    condition=models.Q(flags__contains=[flag]) & ~models.Q(status__in=DONE),
                    name=f"queue_flag_{flag}",
                )
                for flag in PriorityFlag.values
            ),
            # The flag filter over every case, or the closed ones (flags @> ARRAY[...]).
            GinIndex(fields=["flags"], name="submission_flags"),
        ]

    def __str__(self) -> str:
        return self.reference

    def sealing_key(self):
        return self.case_key

    @property
    def is_complete(self) -> bool:
        return not self.missing_elements

    @property
    def confidential_names(self) -> list[str]:
        """The people the source asked never to be named, one name per item."""
        return [line.strip() for line in self.confidential_people.splitlines() if line.strip()]

    @property
    def source_status(self) -> SourceStatus:
        return SOURCE_STATUS[Status(self.status)]

    def current_consent(self) -> "Consent | None":
        return self.consents.order_by("-recorded_at", "-id").first()

    def may_name_to_government(self) -> bool:
        """Whether, by the current consent, a letter may name this case's victims (see Consent)."""
        consent = self.current_consent()
        return consent is not None and consent.may_name_to_government()

    def may_name_publicly(self) -> bool:
        """Whether, by the current consent, the public may read the names of this case's victims."""
        consent = self.current_consent()
        return consent is not None and consent.may_name_publicly()


class Defender(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="defenders")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("who"), max_length=16, choices=DefenderKind)
    name = SealedCharField(_("name"))
    gender = SealedCharField(_("gender"), choices=Gender, default=Gender.UNDISCLOSED)
    age_group = SealedCharField(_("age"), choices=AgeGroup, default=AgeGroup.UNKNOWN)
    has_disability = SealedCharField(_("lives with a disability"), choices=YesNoUnknown, default=YesNoUnknown.UNKNOWN)
    country = CountryField(_("country"))
    region = SealedCharField(_("region or town"), blank=True)
    remote_area = models.BooleanField(_("lives or works in a remote or isolated area"), default=False)
    work_areas = SealedJSONField(default=list, blank=True)  # WorkArea codes
    work_description = SealedTextField(_("their human rights work"))
    cooperated_with_un = SealedCharField(
        _("cooperated with the UN"), choices=YesNoUnknown, default=YesNoUnknown.UNKNOWN
    )
    # What the public may read of this victim, kept where the worker that releases letters reads it (under
    # the server's key, portal.crypto), so that it never opens the sealed case: the initials (or "[name
    # withheld]" for a group) always, the name only while public-naming consent holds. Written at intake,
    # at every consent change and at every edit of the name (submissions.services.public_names_refresh).
    public_initials = EncryptedCharField(blank=True, editable=False)
    public_name = EncryptedCharField(blank=True, editable=False)

    class Meta:
        ordering = ["submission", "position"]

    def __str__(self) -> str:
        return f"{self.submission.reference} #{self.position + 1}"

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None and isinstance(self.name, str):
            self.set_public_names(self.submission.may_name_publicly())  # an edit of the name
        super().save(*args, **kwargs)

    def set_public_names(self, named_publicly: bool) -> None:
        """What the public may read of this victim, from the name (which this context must read)."""
        from communications.names import WITHHELD, initials

        self.public_initials = initials(self.name) if self.kind == "person" else WITHHELD
        self.public_name = self.name if named_publicly else ""

    def sealing_key(self):
        return self.submission.case_key


class WrittenConsent(models.TextChoices):
    SOURCE_IS_VICTIM = "source_is_victim", _("I am the victim")
    WRITTEN = "written", _("The victim has given written consent")
    NOT_YET = "not_yet", _("Written consent has not been obtained yet")


class Consent(models.Model):
    """One statement of consent; never changed, only followed by a newer one.

    The latest row is what applies. `text_version` names the exact wording the
    source was shown (submissions.consent.TEXTS).
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="consents")
    text_version = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    contact_government = models.BooleanField()
    public_naming = models.BooleanField()
    written_consent = models.CharField(max_length=16, choices=WrittenConsent)
    withdrawn = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=16, choices=[("intake", "intake form"), ("receipt", "receipt")])

    class Meta:
        ordering = ["submission", "recorded_at", "id"]
        indexes = [
            # Every queue page looks for cases whose source changed consent through the receipt
            # (selectors.consent_news): a few rows of a table with one per case, found here, not by reading it all.
            models.Index(
                fields=["submission", "-recorded_at"], name="consent_from_receipt", condition=models.Q(via="receipt")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission.reference} consent {self.recorded_at:%Y-%m-%d %H:%M}"

    # The one answer to "may this person be named": drafting, approval, sending, release and every
    # public record ask these, never the fields. A Yes counts only while the consent stands and is
    # in writing (or the source is the victim).

    def _stands(self) -> bool:
        return not self.withdrawn and self.written_consent != WrittenConsent.NOT_YET

    def may_name_to_government(self) -> bool:
        """A letter to the government or other actor may name the victims."""
        return self.contact_government and self._stands()

    def may_name_publicly(self) -> bool:
        """The public record and the online database may name the victims."""
        return self.public_naming and self._stands()

    def glance(self, previous: "Consent | None") -> tuple[str, str]:
        """(state, words) for staff screens: "withdrawn", "narrowed" (took back part of `previous`) or "given",
        with what may be done with the victims' names now."""
        if self.withdrawn:
            return "withdrawn", "Withdrawn"
        if self.written_consent == WrittenConsent.NOT_YET:
            allowed = "not yet in writing"
        elif self.may_name_to_government() and self.may_name_publicly():
            allowed = "may be named to the government and in public"
        elif self.may_name_to_government():
            allowed = "may be named to the government, not in public"
        elif self.may_name_publicly():
            allowed = "may be named in public, not to the government"
        else:
            allowed = "not to be named"
        if self.takes_back(previous):
            return "narrowed", f"Narrowed: {allowed}"
        return "given", f"Given: {allowed}"

    def takes_back(self, previous: "Consent | None") -> bool:
        """Whether this statement withdraws consent or narrows what `previous` allowed."""
        if self.withdrawn and not (previous is not None and previous.withdrawn):
            return True
        if previous is None:
            return False
        return (previous.may_name_to_government() and not self.may_name_to_government()) or (
            previous.may_name_publicly() and not self.may_name_publicly()
        )


class NeverNamedChange(models.Model):
    """The source changed, from the receipt, the list of people never to be named: how many names were added
    and taken off, and when, never whose (the list itself is sealed on the case, `confidential_people`).

    An addition takes effect like a consent withdrawal (submissions.services.never_named_change); the row is
    what a letter's alert refers to."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="never_named_changes")
    added = models.PositiveSmallIntegerField(default=0)
    removed = models.PositiveSmallIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission.reference} never-named list {self.recorded_at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    class Direction(models.TextChoices):
        TO_SOURCE = "to_source", _("From the office")
        FROM_SOURCE = "from_source", _("From you")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=12, choices=Direction)
    body = SealedTextField()
    # Staff author of a question; never shown to the source.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission.reference} message {self.pk}"

    def sealing_key(self):
        return self.submission.case_key


class Cleaning(models.TextChoices):
    PENDING = "pending", "working copy being made"
    CLEAN = "clean", "working copy without metadata"
    ORIGINAL_ONLY = "original_only", "no working copy: open the original with care"
    FAILED = "failed", "could not be cleaned within limits: kept as evidence, open with care"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    name = SealedCharField()
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = SealedCharField()  # a known document must not be confirmable from the database
    # The original and the working copy are sealed files (portal.sealed_files), named here. Rows stored
    # before files hold the bytes themselves in `original` and `working_copy` (and, until cleaned, `to_clean`).
    file = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    working_file = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The file's key under the server's own key (portal.crypto), for the worker only until it has made the
    # working copy (submissions.services.attachment_clean), then NULL.
    clean_key = EncryptedBinaryField(null=True, editable=False)
    original = SealedBinaryField(null=True)
    working_copy = SealedBinaryField(null=True)
    to_clean = EncryptedBinaryField(null=True, editable=False)
    # Made by the worker (submissions.attachments.cleaning); the note is a reason code for staff.
    cleaning = models.CharField(max_length=16, choices=Cleaning.choices, default=Cleaning.PENDING)
    cleaning_note = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission.reference} attachment {self.pk}"

    def sealing_key(self):
        return self.submission.case_key

    def chunks(self, copy: str = "original") -> Iterator[bytes] | None:
        """The original ("original", the evidence as sent) or the metadata-free copy staff work on ("working"),
        piece by piece; None where there is none. Raises portal.sealing.Locked without the case's key."""
        name = self.file if copy == "original" else self.working_file
        if name:
            return sealed_files.open_sealed(name).chunks()
        data = self.original if copy == "original" else self.working_copy
        return None if data is None else iter([bytes(data)])

    def content(self, copy: str = "original") -> bytes | None:
        chunks = self.chunks(copy)
        return None if chunks is None else b"".join(chunks)

    def has_working_copy(self) -> bool:
        return bool(self.working_file) or self.working_copy is not None

    def file_names(self) -> list[str]:
        return [name for name in (self.file, self.working_file) if name]


class StatusChange(models.Model):
    """Every status change of a submission: who, when, from, to and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.CharField(max_length=16, choices=[("staff", "staff"), ("source", "source"), ("system", "system")])
    reason = SealedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission.reference}: {self.from_status or '-'} -> {self.to_status}"

    def sealing_key(self):
        return self.submission.case_key


class NameFingerprint(models.Model):
    """Keyed hashes of a defender's normalised, transliterated name.

    They let screening find other submissions about the same defender across
    spellings and scripts without any name being stored in plain text.
    """

    class Kind(models.TextChoices):
        FULL = "full", "full name"
        TOKEN = "token", "one part of the name"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="fingerprints")
    kind = models.CharField(max_length=5, choices=Kind)
    key = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.kind}"
