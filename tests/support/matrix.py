"""The authorization matrix: every URL pattern of the portal, each role, the answer it must get.

A row of the matrix is a URL pattern (its route, as Django's resolver spells it) with one or more
probes: a concrete request built from the objects of a `World`, and the answer each role must get.
"""

import dataclasses
import datetime
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from communications import services as communications
from communications.models import Communication, LetterTemplate, Mandate, NormParagraph, PublicRecord, PublicReply
from portal import grants, roles
from portal.audit import audit_read
from portal.models import AuditEvent, RoleGrant
from submissions import services
from submissions.models import Desk, Submission
from tests.support.documents import pdf_with
from tests.support.factories import make_accepted_submission, make_sent_communication
from tests.support.intake import submit_case
from tests.support.staff import (
    attach_text,
    login_staff,
    make_administrator,
    make_desk_officer,
    make_intake_officer,
    make_rapporteur,
    make_staff,
    totp_device,
)

SOURCES = ("source", "other_source")
STAFF = ("intake_officer", "desk_officer", "other_desk_officer", "rapporteur", "administrator")
ROLES = ("anonymous", *SOURCES, *STAFF)

# A language other than the default is a prefix of every public address.
PREFIXED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


# --- Every URL pattern ----------------------------------------------------------


def url_patterns() -> set[str]:
    """Every route the URL configuration answers, each language prefix spelt out ("ru/receipt/")."""
    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
                for code, _name in settings.LANGUAGES:
                    with translation.override(code):
                        walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                routes.add(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return routes


# --- Answers and probes -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a role must get: a status, where a redirect leads, what the page shows or hides."""

    status: int
    # Path of the Location header, query string left out: "{w.submission.pk}" and the like are filled from
    # the world, or a function of the world gives it.
    location: str | Callable[["World"], str] | None = None
    # Names of World.markers that must appear in the body, and that must not.
    shows: tuple[str, ...] = ()
    hides: tuple[str, ...] = ()
    # Whether the request must have made its change (for probes that say how to tell).
    writes: bool = False
    # Whether the request is an attempt the audit must record as refused (self-escalation and the like).
    audited: bool = False
    # The audit action the request must record (a role asked for, confirmed, declined), or None.
    records: str | None = None

    def showing(self, *names: str) -> "Answer":
        return dataclasses.replace(self, shows=self.shows + names)

    def hiding(self, *names: str) -> "Answer":
        return dataclasses.replace(self, hides=self.hides + names)

    def audited_as_refused(self) -> "Answer":
        return dataclasses.replace(self, audited=True)

    def __str__(self) -> str:
        where = "the change page" if callable(self.location) else self.location
        text = f"{self.status}" + (f" to {where}" if where else "")
        text += "".join(f", showing {name}" for name in self.shows)
        text += "".join(f", hiding {name}" for name in self.hides)
        text += ", audited as refused" if self.audited else ""
        text += f", audited as {self.records}" if self.records else ""
        return text + (", with its change made" if self.writes else "")


@dataclass
class Probe:
    """One request of a row, and the answer of each role."""

    url: Callable[["World"], str]
    answers: dict[str, Answer]
    method: str = "get"
    data: Callable[["World", str], dict] | None = None
    # The request ends the session it is made in (a logout): made from a new client of the role.
    ends_session: bool = False
    # Whether the change the request asks for was made; compared with Answer.writes.
    changed: Callable[["World"], bool] | None = None

    def __post_init__(self):
        assert set(self.answers) == set(ROLES), f"answers for {sorted(set(ROLES) ^ set(self.answers))}"


def everyone(answer: Answer, **per_role: Answer) -> dict[str, Answer]:
    return dict.fromkeys(ROLES, answer) | per_role


# --- The objects every probe is built from ---------------------------------------------


@dataclass
class World:
    submission: Submission  # the source's case, on the central-asia desk
    other_submission: Submission  # the other source's case, on the eastern-europe desk
    attachment: object
    communication: Communication  # sent about a central-asia case, not yet public
    own_draft: Communication  # in review, drafted by the rapporteur (who holds the approval power)
    unreleased_reply: object
    released: PublicRecord
    public_document: PublicReply
    confidential_reply: PublicReply
    desk: Desk
    other_desk: Desk
    desk_country: object
    audit_event: AuditEvent
    # Roles asked for: by another administrator for the desk officer; by the administrator itself for
    # the other desk's officer; by another administrator for the administrator.
    grant: RoleGrant
    own_grant: RoleGrant
    grant_to_self: RoleGrant
    group: Group
    device: object
    static_device: object
    access_attempt: object
    access_log: object
    access_failure: object
    mandate: Mandate
    norm: NormParagraph
    template: LetterTemplate
    users: dict[str, object]
    superuser: object
    receipts: dict[str, tuple[str, str]]
    addresses: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)


def _receipt(client, **overrides) -> tuple[str, str]:
    """A case sent through the intake form; the reference and passphrase the source was shown."""
    html = submit_case(client, **overrides).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    return reference, passphrase


def _screened(reference: str) -> Submission:
    submission = Submission.objects.get(reference=reference)
    services.submission_screen(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    # Addresses of this run only: the limits per client (submissions an hour, receipt logins) outlive a run in Redis.
    network = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    addresses = {role: f"{network}.{number}" for number, role in enumerate(ROLES, start=10)}
    receipts = {
        "source": _receipt(Client(REMOTE_ADDR=addresses["source"])),
        "other_source": _receipt(
            Client(REMOTE_ADDR=addresses["other_source"]),
            **{"incident-country": "RU", "defender-0-country": "RU"},
        ),
    }
    submission = _screened(receipts["source"][0])
    other_submission = _screened(receipts["other_source"][0])
    assert (submission.desk.code, other_submission.desk.code) == ("central-asia", "eastern-europe")

    # Names of their own: the factories' numbered names ("desk-3") may meet each other's.
    users = {
        "intake_officer": make_intake_officer(username="matrix-intake"),
        "desk_officer": make_desk_officer("central-asia", username="matrix-central-asia"),
        "other_desk_officer": make_desk_officer("eastern-europe", username="matrix-eastern-europe"),
        "rapporteur": make_rapporteur(username="matrix-rapporteur"),
        "administrator": make_administrator(username="matrix-administrator"),
    }

    now = timezone.now()
    communication = make_sent_communication(sent_at=now)
    unreleased_reply = communications.reply_record(
        communication=communication, received_on=now.date(), kind="substantive", confidential=False,
        summary="Unreleased reply", document=b"%PDF unreleased", document_name="reply.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    # Named in public with consent, so that the State's document may be published with the letter.
    released = make_sent_communication(sent_at=now - datetime.timedelta(days=61), public_naming=True)
    document_reply = communications.reply_record(
        communication=released, received_on=now.date() - datetime.timedelta(days=50), kind="substantive",
        confidential=False, summary="The Government answers.", document=pdf_with("The Government answers."),
        document_name="reply.pdf", content_type="application/pdf",
    )  # fmt: skip
    confidential_reply = communications.reply_record(
        communication=released, received_on=now.date() - datetime.timedelta(days=40), kind="substantive",
        confidential=True, summary="Keep this to yourselves.", document=b"%PDF confidential",
        document_name="secret.pdf", content_type="application/pdf",
    )  # fmt: skip
    # Replies join the public record through an approved public version (its document's text gated).
    communications.communication_public_approve(communication=released, by=released.public_approved_by)
    assert communications.release_due(now=now) == 1
    record = PublicRecord.objects.get(communication=released)
    public_document = PublicReply.objects.get(reply=document_reply)
    public_confidential = PublicReply.objects.get(reply=confidential_reply)
    assert public_document.document is not None and public_confidential.document is None
    assert communication.submissions.get().desk.code == "central-asia"

    desk = submission.desk
    # Linked across desks: the central-asia officer sees the link, not the other desk's reference.
    submission.related.add(other_submission)
    own_draft, _draft = communications.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="AL", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=users["rapporteur"],
    )  # fmt: skip
    communications.communication_submit_for_review(communication=own_draft, by=users["rapporteur"])
    colleague = make_administrator(username="matrix-colleague")
    rapporteurs = Group.objects.get(name=roles.RAPPORTEUR)
    access = {"user_agent": "test", "ip_address": None, "username": "someone", "http_accept": "*/*", "path_info": "/"}
    world = World(
        submission=submission,
        other_submission=other_submission,
        attachment=attach_text(submission),
        communication=communication,
        own_draft=own_draft,
        unreleased_reply=unreleased_reply,
        released=record,
        public_document=public_document,
        confidential_reply=public_confidential,
        desk=desk,
        other_desk=other_submission.desk,
        desk_country=desk.countries.first(),
        audit_event=audit_read(user=users["administrator"], obj=submission, fields=["description"]),
        grant=grants.grant_request(user=users["desk_officer"], group=rapporteurs, by=colleague),
        own_grant=grants.grant_request(user=users["other_desk_officer"], group=rapporteurs, by=users["administrator"]),
        grant_to_self=grants.grant_request(user=users["administrator"], group=rapporteurs, by=colleague),
        group=Group.objects.get(name=roles.DESK_OFFICER),
        device=totp_device(users["desk_officer"]),
        static_device=None,
        # In bulk: axes' signal handlers expect its database handler, and the portal counts failures in Redis.
        access_attempt=AccessAttempt.objects.bulk_create(
            [AccessAttempt(**access, get_data="", post_data="", failures_since_start=1)]
        )[0],
        access_log=AccessLog.objects.bulk_create([AccessLog(**access)])[0],
        access_failure=AccessFailureLog.objects.bulk_create([AccessFailureLog(**access)])[0],
        mandate=Mandate.objects.first(),
        norm=NormParagraph.objects.first(),
        template=LetterTemplate.objects.first(),
        users=users,
        superuser=make_staff(None, superuser=True, username="matrix-superuser"),
        receipts=receipts,
        addresses=addresses,
    )
    world.static_device = StaticDevice.objects.create(user=world.superuser, name="backup codes", confirmed=True)
    world.markers = {
        "the source's case": submission.reference,
        "the other source's case": other_submission.reference,
        "the unreleased letter": communication.reference,
        "the released letter": record.reference,
        "the desk's queue": f">{desk.name}</a>",
        "the other desk": f">{other_submission.desk.name}</a>",
        "the other desk's officer": users["other_desk_officer"].username,
    }
    values = list(world.markers.values())
    assert all(a == b or a not in b for a in values for b in values), "a marker inside another"
    return world


# --- Clients and the run of one probe -------------------------------------------------


def log_in(client: Client, world: World, role: str, *, with_code: bool = True) -> Client:
    """Log `client` in as `role`: a source with their receipt, staff with password and TOTP code.

    with_code=False: the session of a verified login without typing a code, for a second
    login of the same person (a device accepts each code once).
    """
    if role in SOURCES:
        reference, passphrase = world.receipts[role]
        response = client.post("/receipt/", {"reference": reference, "passphrase": passphrase})
        assert response.status_code == 302 and response["Location"] == "/receipt/case/", response.status_code
    elif role in STAFF and with_code:
        login_staff(client, world.users[role])
    elif role in STAFF:
        user = world.users[role]
        client.force_login(user, backend="portal.roles.RoleBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client


def new_client(world: World, role: str) -> Client:
    # Each role from its own address, as people are: rate limits per client never mix them up.
    return Client(raise_request_exception=False, REMOTE_ADDR=world.addresses[role])


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _localised(path: str, prefix: str) -> str:
    """A path of the site in the language of `prefix` ("" or "/ru"); staff, API and health have none."""
    if not prefix or path.startswith(("/admin/", "/api/", "/healthz")):
        return path
    return prefix + path


def _forget_tries() -> None:
    """Limits on passphrase tries are not what this table checks: start each request with none counted."""
    redis = cache._cache.get_client(write=True)
    for key in redis.scan_iter(match="*throttle:*"):
        redis.delete(key)


def check(world: World, clients: dict[str, Client], probe: Probe, role: str, prefix: str = "") -> str | None:
    """Make the probe's request as `role`; a description of what went wrong, or None.

    Every request runs in a savepoint rolled back afterwards, so that what one role
    changes (a decision, a logout) never changes what the next one gets.
    """
    expected = probe.answers[role]
    url = _localised(probe.url(world), prefix)
    _forget_tries()
    with transaction.atomic():
        client = log_in(new_client(world, role), world, role, with_code=False) if probe.ends_session else None
        client = client or clients[role]
        audits = AuditEvent.objects.count()
        refusals = AuditEvent.objects.filter(action="refused").count()
        records = AuditEvent.objects.filter(action=expected.records).count() if expected.records else 0
        data = probe.data(world, role) if probe.data else {}
        response = getattr(client, probe.method)(url, data)
        problems = []
        location = response.get("Location", "").split("?")[0] or None
        if response.status_code != expected.status:
            problems.append(f"status {response.status_code}")
        wanted = expected.location
        wanted = wanted(world) if callable(wanted) else wanted.format(w=world) if wanted else None
        if (_localised(wanted, prefix) if wanted else None) != location:
            problems.append(f"location {location}")
        if not problems and (expected.shows or expected.hides):
            body = _body(response)
            problems += [f"{name} not shown" for name in expected.shows if world.markers[name] not in body]
            problems += [f"{name} shown" for name in expected.hides if world.markers[name] in body]
        if probe.changed is not None and probe.changed(world) != expected.writes:
            problems.append("its change made" if not expected.writes else "its change not made")
        refused = AuditEvent.objects.filter(action="refused").count() - refusals
        if expected.audited and refused != 1:
            problems.append(f"{refused} audit records of a refusal")
        elif expected.records:
            recorded = AuditEvent.objects.filter(action=expected.records).count() - records
            if recorded != 1:
                problems.append(f"{recorded} audit records of {expected.records}")
        elif not expected.audited and response.status_code >= 300 and AuditEvent.objects.count() != audits:
            problems.append("an audit record of a read that was refused")
        transaction.set_rollback(True)
    if problems:
        return f"{role:>18}: {probe.method.upper()} {url}: expected {expected}; got {', '.join(problems)}"
    return None
