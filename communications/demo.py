"""Fictional demo communications for `manage.py seed_demo`: four years of released letters and the work in hand.

What a newcomer should find on the archive, its statistics and its feed: letters to many States and to a
company (a non-State actor), in English, Russian, French and Spanish; urgent appeals and allegation letters;
joint letters with other mandates; follow-ups; substantive, acknowledgement-only, confidential and late
replies, and letters without any; letters released early after a press release, and withheld ones. And on
the staff side, a letter at each step of the workflow.

Every letter is written as staff would write it, through the services (communications.services): drafted
from its accepted case with the proposed type, recipient and language, reviewed, approved by another
person, sent on its (past) date, its public version approved, then released by the 60-day clock as of the
day it fell due. Every name in it is invented (submissions.demo).
"""

import datetime
import os
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone
from django_countries import countries

from communications import services
from communications.models import Communication, CommunicationStatus, Mandate, ReplyKind
from communications.proposals import communication_propose
from portal import roles, sealing
from submissions.demo import demo_case, demo_case_for, desk_staff
from submissions.models import Status

RELEASED = 216  # over the four years before the seeding day, about 54 a year
YEARS = 4
# The countries written to, weighted as a Central Asian and Eastern European practice would be.
_STATES = ["KZ", "KZ", "KG", "KG", "TJ", "TJ", "TJ", "TM", "UZ", "UZ", "RU", "RU", "BY", "BY", "AZ", "GE", "PH", "MM",
           "EG", "TN", "CD", "KE", "CO", "CO", "MX", "HN", "RS"]  # fmt: skip
# Non-State recipients (recipient code OTH), each with the State the harm happened in, which gets a copy.
_COMPANIES = [("Steppe Minerals Ltd (fictional company)", "KZ", "KAZ"), ("Andes Palm Holdings (fictional company)",
              "CO", "COL")]  # fmt: skip
_PRESS = "Press release of the Special Rapporteur on the day (demo): the case is made public at once."


def _staff():
    users = get_user_model().objects
    desk = desk_staff()
    rapporteur = users.filter(groups__name=roles.RAPPORTEUR).order_by("pk").first()
    return desk, rapporteur or users.filter(is_superuser=True).exclude(pk=desk.pk).first() or desk


_LABELS = {
    "arbitrary_detention": "arbitrary detention",
    "judicial_harassment": "judicial harassment",
    "online_attacks": "online smear campaign",
    "family_harassment": "harassment of family members",
    "registration_funding": "restrictions on registration and funding",
    "un_reprisals": "reprisals for cooperation with the UN",
    "raids": "raid on the office",
    "travel_ban": "travel ban",
}


def _summary(case) -> str:
    violations = " and ".join(_LABELS.get(v, v.replace("_", " ")) for v in case.violation_types)
    return f"Alleged {violations} in {case.place} (demo)."


class _Writer:
    """Writes one demo letter at a time; each draws from its own random stream, so a seeding that stopped
    half-way resumes with the same letters."""

    def __init__(self, now: datetime.datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.desk, self.rapporteur = _staff()
        self.mandates = list(Mandate.objects.filter(is_active=True).order_by("pk"))

    def case(self, country: str, *, when: datetime.datetime, non_state: bool = False, urgent: bool | None = None):
        # Patterns 0-4 are ongoing (an urgent appeal); 5 onwards happened (an allegation letter).
        pattern = None if urgent is None else self.rng.randrange(5) if urgent else self.rng.randrange(5, 12)
        incident = (when - timedelta(days=self.rng.randrange(7, 60))).date()
        case = demo_case_for(self.rng, country, pattern=pattern, incident_date=incident, non_state=non_state)
        return case, demo_case(case, status=Status.ACCEPTED, staff=self.desk)

    def draft(self, case, submission, *, recipient=None, follow_up_to=None, joint: bool = False):
        proposal = communication_propose([submission])
        code, name = recipient or (proposal.recipient, submission.country.name)
        copies = [copy for company, _country, copy in _COMPANIES if company == name]
        mandates = self.rng.sample(self.mandates, self.rng.choice([1, 1, 2])) if joint else []
        communication, _draft = services.communication_draft(
            submissions=[submission], kind=proposal.kind, recipient=code, recipient_name=str(name),
            language=proposal.language, by=self.desk, mandates=mandates, copies_to=copies, follow_up_to=follow_up_to,
        )  # fmt: skip
        communication.public_summary = _summary(case)
        communication.save(update_fields=["public_summary"])
        return communication

    def to(self, communication, status: str, *, sent_at=None) -> Communication:
        """Take a draft along the workflow to `status` (sent on `sent_at`)."""
        if status == CommunicationStatus.DRAFT:
            return communication
        services.communication_submit_for_review(communication=communication, by=self.desk)
        if status == CommunicationStatus.IN_REVIEW:
            return communication
        services.communication_approve(communication=communication, by=self.rapporteur)
        if status == CommunicationStatus.APPROVED:
            return communication
        services.communication_send(communication=communication, by=self.desk, sent_at=sent_at)
        return communication

    def reply(self, communication, *, days: int, kind: str = ReplyKind.SUBSTANTIVE, confidential: bool = False):
        received = (communication.sent_at + timedelta(days=days)).date()
        if received >= self.now.date():
            return None
        summaries = {
            ReplyKind.SUBSTANTIVE: "The Government states that the measures were lawful and that an inquiry is "
            "under way (demo).",
            ReplyKind.ACKNOWLEDGEMENT: "The Permanent Mission acknowledges receipt of the letter (demo).",
        }
        return services.reply_record(
            communication=communication, received_on=received, kind=kind, confidential=confidential,
            summary="Confidential reply (demo)." if confidential else summaries[kind],
        )  # fmt: skip

    def released(self, index: int, sent_at: datetime.datetime) -> Communication:
        """The index-th letter of the four years: released by the clock (or early), with or without replies."""
        rng = self.rng
        company = _COMPANIES[index // 12 % 2] if index % 12 == 5 else None
        country = company[1] if company else rng.choice(_STATES)
        earlier = None
        if company is None and index % 11 == 3:
            # The last letter released to the same State earlier in the same year: each year is written by one
            # writer (see _groups), so the follow-up is the same whichever writer got there first.
            code = countries.alpha3(country)
            earlier = (
                Communication.objects.filter(recipient=code, status=CommunicationStatus.RELEASED)
                .filter(sent_at__year=sent_at.year, sent_at__lt=sent_at)
                .first()
            )
        if earlier is not None:  # a follow-up about the same case
            submission = earlier.submissions.first()
            case = demo_case_for(rng, country)
            case.place, case.violation_types = submission.place, submission.violation_types
        else:
            case, submission = self.case(country, when=sent_at, non_state=company is not None)
        communication = self.draft(
            case, submission, recipient=("OTH", company[0]) if company else None, follow_up_to=earlier,
            joint=index % 4 == 1,
        )  # fmt: skip
        self.to(communication, CommunicationStatus.SENT, sent_at=sent_at)
        # Replies within the 60 days are published with the letter; a late one joins it when it arrives.
        roll = rng.random()
        early = index % 37 == 8
        late = None
        if early and roll < 0.70:
            late = ReplyKind.SUBSTANTIVE  # released before any reply could come
        elif roll < 0.34:
            self.reply(communication, days=rng.randrange(20, 58))
        elif roll < 0.50:
            self.reply(communication, days=rng.randrange(5, 40), kind=ReplyKind.ACKNOWLEDGEMENT)
        elif roll < 0.58:
            self.reply(communication, days=rng.randrange(20, 58), confidential=True)
        elif roll < 0.70:
            late = rng.choice([ReplyKind.SUBSTANTIVE, ReplyKind.ACKNOWLEDGEMENT])
        services.communication_public_approve(communication=communication, by=self.rapporteur)
        if early:
            services.communication_release(
                communication=communication, by=self.rapporteur, reason=_PRESS, now=sent_at + timedelta(days=9)
            )
        else:
            services.communication_release(communication=communication, now=sent_at + timedelta(days=60))
        if late and self.reply(communication, days=rng.randrange(75, 200), kind=late):
            # A late reply joins the public record once a person approved its public copy.
            services.communication_public_approve(communication=communication, by=self.rapporteur)
        return communication

    def at_step(self, status: str, country: str, *, joint: bool = False) -> Communication:
        case, submission = self.case(country, when=self.now)
        return self.to(self.draft(case, submission, joint=joint), status)

    def sent(self, days: int, country: str, reply: str | None) -> Communication:
        """Sent `days` ago, within the 60 days (public later), perhaps replied to already."""
        sent_at = self.now - timedelta(days=days)
        case, submission = self.case(country, when=sent_at)
        communication = self.to(self.draft(case, submission), CommunicationStatus.SENT, sent_at=sent_at)
        if reply:
            self.reply(communication, days=days // 2, kind=reply)
        if 40 < days <= 60:  # reviewed in good time for the clock
            services.communication_public_approve(communication=communication, by=self.rapporteur)
        # Over 60 days and never approved for the public: the clock holds it and tells staff.
        return communication

    def withheld(self, days: int, country: str, reason: str, lifted_after: int | None = None) -> Communication:
        """Withheld with its reason; perhaps released by decision `lifted_after` days after sending."""
        sent_at = self.now - timedelta(days=days)
        case, submission = self.case(country, when=sent_at)
        communication = self.to(self.draft(case, submission), CommunicationStatus.SENT, sent_at=sent_at)
        services.communication_withhold(communication=communication, by=self.rapporteur, reason=reason)
        if lifted_after:
            services.communication_public_approve(communication=communication, by=self.rapporteur)
            services.communication_release(
                communication=communication, by=self.rapporteur, now=sent_at + timedelta(days=lifted_after),
                reason="The hearing took place; the family agreed to publication (demo).",
            )  # fmt: skip
        return communication


# The letters in hand, made first so that staff find the workflow at once: (method, arguments).
_IN_HAND = [
    ("at_step", ("draft", "TJ")),
    ("at_step", ("draft", "CO")),
    ("at_step", ("draft", "EG")),
    ("at_step", ("in_review", "KG"), {"joint": True}),
    ("at_step", ("in_review", "BY")),
    ("at_step", ("in_review", "CD")),
    ("at_step", ("approved", "UZ")),
    ("at_step", ("approved", "MX"), {"joint": True}),
    ("sent", (5, "KZ", None)),
    ("sent", (12, "TM", ReplyKind.ACKNOWLEDGEMENT)),
    ("sent", (25, "RU", None)),
    ("sent", (33, "PH", ReplyKind.SUBSTANTIVE)),
    ("sent", (47, "HN", None)),
    ("sent", (55, "TN", None)),
    ("sent", (66, "KE", None)),
    ("withheld", (80, "TJ", "Acute risk of reprisal: the defender is in custody awaiting trial (demo).")),
    ("withheld", (140, "AZ", "The family asked for time to leave the country (demo).")),
    ("withheld", (220, "MM", "Publication would identify a witness (demo).")),
    ("withheld", (400, "UZ", "Pending the outcome of a hearing (demo).", 330)),
]
LETTERS = len(_IN_HAND) + RELEASED
WRITERS = 2  # processes writing the letters of `seed` (see _groups)
CHUNK = 8  # letters per transaction: the archive fills as they commit, a few seconds apart
_LOCK = 0x44454D4F  # "DEMO": one seeding at a time, whatever starts it


def _stream(index: int) -> random.Random:
    return random.Random(f"demo-letter-{index}")  # noqa: S311 (invented data, no secret)


def _letter(index: int, now: datetime.datetime) -> Communication:
    """The index-th demo letter: first the letters in hand, then four years of released ones, oldest first."""
    writer = _Writer(now, _stream(index))
    if index < len(_IN_HAND):
        method, args, *kwargs = _IN_HAND[index]
        return getattr(writer, method)(*args, **(kwargs[0] if kwargs else {}))
    index -= len(_IN_HAND)
    return writer.released(index, _sent_at(index, now, writer.rng))


def _sent_at(index: int, now: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """When the index-th released letter was sent: from the first days of the year three years back (four
    calendar years) to ten days before the last of them fell due; the first draw of the letter's stream."""
    first = now.replace(year=now.year - YEARS + 1, month=1, day=10)
    span = (now - timedelta(days=70)) - first
    return first + span * index / RELEASED + timedelta(hours=rng.randrange(9, 17))


# The oldest letter in hand was sent this many days ago.
_OLDEST_IN_HAND = max(args[0] for method, args, *_ in _IN_HAND if method != "at_step")


def _groups(now: datetime.datetime) -> tuple[datetime.datetime, list[list[int]]]:
    """The letters of the two writers of `seed`, each in order: the letters in hand and the released letters of
    their years and later; and the released letters of the earlier years. A reference is numbered per
    recipient and year (communication_send), so that, a year being wholly one writer's, every letter gets
    the number it gets from a single writer, and neither writer waits for the other's numbers. Returns
    the first day of the later years with the groups."""
    year = min(now.year - 1, (now - timedelta(days=_OLDEST_IN_HAND)).year)
    later = now.replace(year=year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    in_hand = len(_IN_HAND)
    cut = next((i for i in range(RELEASED) if _sent_at(i, now, _stream(in_hand + i)) >= later), RELEASED)
    return later, [[*range(in_hand), *range(in_hand + cut, LETTERS)], list(range(in_hand, in_hand + cut))]


def seed_some(*, now: datetime.datetime | None = None, limit: int = CHUNK, writer: int | None = None) -> int:
    """Write the next `limit` demo letters in one transaction; returns how many are left to write, or 0 when
    another process holds the seeding (it goes on with it). Every letter in order, or only those of one of
    the writers of `seed` (`_groups`).

    Where to go on is read from the database (one letter per step, in order), so that a seeding stopped
    half-way (Ctrl-C) goes on at the next start and nothing is written twice.
    """
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK + (0 if writer is None else 1 + writer)])
        if not cursor.fetchone()[0]:
            return 0
        done = Communication.objects.count()
        letters = list(range(LETTERS))
        if writer is not None:
            later, groups = _groups(now)
            letters = groups[writer]
            earlier = Communication.objects.filter(sent_at__lt=later).count()  # the second writer's letters
            done = done - earlier if writer == 0 else earlier
        for index in letters[done : done + limit]:
            _letter(index, now)
        services.release_due(now=now)
        return max(len(letters) - done - limit, 0)


def seed() -> int:
    """For `manage.py seed_demo`: write the demo letters that are missing in a background process, so that
    `make run` is up at once and the archive fills in its first minutes. Returns 0: nothing is made here.

    Letters are drafted from sealed cases (portal.sealing): only a process holding the office key can write
    them, never the Celery worker. seed_demo holds it on the first start, when it makes the key; the
    processes forked from it keep it in their memory only and end when the letters are written (or with
    `make run`). A later start, which does not hold the key, cannot go on with letters left unwritten.

    Two processes write them side by side, on the machine's two cores (`_groups` says which letters each
    writes); the servers started meanwhile mostly wait for their first requests.
    """
    keyring = sealing.current()
    missing = LETTERS - Communication.objects.count()
    if missing <= 0 or keyring is None or not keyring.office or not settings.DEMO_LETTERS_IN_BACKGROUND:
        return 0
    now = timezone.now()  # one plan for both writers
    connections.close_all()  # each child opens its own connections
    for writer in range(WRITERS):
        if os.fork() == 0:
            try:
                with sealing.using(keyring):
                    # A transaction per CHUNK letters: the archive fills as they commit.
                    while seed_some(now=now, writer=writer):
                        pass
            finally:
                os._exit(0)
    return 0


def seed_all(*, now: datetime.datetime | None = None) -> int:
    """Every demo letter at once, here (tests)."""
    now = now or timezone.now()
    while seed_some(now=now, limit=LETTERS):
        pass
    return Communication.objects.count()
