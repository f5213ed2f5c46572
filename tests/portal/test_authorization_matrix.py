"""Every URL of the portal against every role, with the answer each must get.

The table has one row per URL pattern (public pages, receipt, staff admin, API, health). A pattern
added to the URL configuration without a row here fails `test_every_url_pattern_has_a_row`; so does a
row whose pattern is gone. Roles: anonymous; a source logged in with the receipt of their case (desk
central-asia); another source with the receipt of a case of another desk; an intake officer; a desk
officer of central-asia; a desk officer of eastern-europe; the rapporteur; an administrator (by the
group's permissions, not a superuser). Staff log in with password and TOTP code.
"""

import time
from collections.abc import Callable
from operator import attrgetter
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from communications import stats as archive_stats
from communications.models import Communication, CommunicationStatus
from communications.release import slug_for
from portal import roles
from portal.celery import QUEUES, heartbeat_key
from portal.models import RoleGrant
from submissions.models import Status, Submission
from tests.support.matrix import (
    PREFIXED_LANGUAGES,
    ROLES,
    STAFF,
    Answer,
    Probe,
    World,
    build_world,
    check,
    everyone,
    log_in,
    new_client,
    url_patterns,
)
from tests.support.seeds import ensure_seeded
from tests.support.staff import PASSWORD

OK = Answer(200)
BAD = Answer(400)
DENIED = Answer(403)
NOT_FOUND = Answer(404)
LOGIN = Answer(302, "/admin/login/")
RECEIPT_LOGIN = Answer(302, "/receipt/")
# The admin's answer for an object outside the user's queryset: back to the index, "… doesn't exist".
NO_SUCH_OBJECT = Answer(302, "/admin/")

CASE = "the source's case"
OTHER_CASE = "the other source's case"
UNRELEASED = "the unreleased letter"
RELEASED = "the released letter"
QUEUE = "the desk's queue"
OTHER_DESK = "the other desk"
OTHER_OFFICER = "the other desk's officer"
# An attempt to raise one's own powers (or another's without the right): refused, and in the audit.
REFUSED = DENIED.audited_as_refused()


def staff(answer: Answer, **per_role: Answer) -> dict[str, Answer]:
    """Anonymous visitors and sources are sent to the staff login; staff get `answer` unless named."""
    return everyone(LOGIN) | dict.fromkeys(STAFF, answer) | per_role


def only_admin(answer: Answer = OK, **per_role: Answer) -> dict[str, Answer]:
    return staff(DENIED, administrator=answer, **per_role)


def get(url, answers, **options) -> Probe:
    return Probe(url=url, answers=answers, **options)


def post(url, answers, data=None, **options) -> Probe:
    return Probe(url=url, answers=answers, method="post", data=data or (lambda w, role: {}), **options)


def model_rows(
    model: str,
    obj: Callable[[World], object],
    *,
    changelist: dict,
    add: dict,
    history: dict,
    delete: dict,
    change: dict,
    change_post: dict | None = None,
) -> dict[str, list[Probe]]:
    """The rows of the admin's views of one model; `obj(world)` is the object of its object pages."""
    base = f"/admin/{model}/"
    item = lambda w: f"{base}{obj(w).pk}/"  # noqa: E731
    change_probes = [get(lambda w: f"{item(w)}change/", change)]
    if change_post is not None:
        change_probes.append(post(lambda w: f"{item(w)}change/", change_post))
    return {
        f"admin/{model}/": [get(lambda w: base, changelist)],
        f"admin/{model}/add/": [get(lambda w: f"{base}add/", add)],
        f"admin/{model}/<path:object_id>/history/": [get(lambda w: f"{item(w)}history/", history)],
        f"admin/{model}/<path:object_id>/delete/": [get(lambda w: f"{item(w)}delete/", delete)],
        f"admin/{model}/<path:object_id>/change/": change_probes,
        # The old address of the change page: a redirect to it, for anyone past the login.
        f"admin/{model}/<path:object_id>/": [get(item, staff(Answer(302, lambda w: f"{item(w)}change/")))],
    }


# --- Staff site: the models -------------------------------------------------------------


NOBODY = staff(DENIED)
# Read by everyone who handles cases, changed by no one: every change is a decision through a service.
# Administrators keep accounts and desks, and see no case.
# A case's history: outside an administrator's queryset like another desk's case.
CASE_HISTORY = staff(OK.showing(CASE), other_desk_officer=NO_SUCH_OBJECT, administrator=NO_SUCH_OBJECT)
# The case is linked to the other desk's case: its reference is shown only to those who see every desk.
CASE_PAGE = staff(
    OK.showing(CASE, OTHER_CASE),
    desk_officer=OK.showing(CASE).hiding(OTHER_CASE),
    other_desk_officer=NO_SUCH_OBJECT,
    administrator=DENIED,
)
# Letter libraries: desk officers read them to draft, administrators keep them.
LIBRARY_READ = staff(DENIED, desk_officer=OK, other_desk_officer=OK, administrator=OK)
COMMUNICATION_READ = staff(
    OK.showing(UNRELEASED), intake_officer=DENIED, other_desk_officer=NO_SUCH_OBJECT, administrator=DENIED
)


def decided(w: World) -> bool:
    return Submission.objects.get(pk=w.submission.pk).status == Status.ACCEPTED


def own_account_as_superuser(w: World, role: str) -> dict:
    """The administrator's account form, with "superuser" ticked."""
    return own_account(w) | {"is_superuser": "on"}


def own_account(w: World, *, groups: tuple[str, ...] = (), permissions: tuple[str, ...] = ()) -> dict:
    """The administrator's account form, with the groups it has and the groups and permissions named."""
    account = w.users["administrator"]
    group_ids = [str(pk) for pk in account.groups.values_list("pk", flat=True)]
    group_ids += [str(Group.objects.get(name=name).pk) for name in groups]
    data = {"username": account.username, "is_active": "on", "is_staff": "on", "groups": group_ids,
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}  # fmt: skip
    if permissions:
        data["user_permissions"] = [str(Permission.objects.get(codename=name).pk) for name in permissions]
    return data


NEW_ACCOUNT = "matrix-newcomer"


def new_account(w: World):
    return get_user_model().objects.get(username=NEW_ACCOUNT)


def account_with_group(account, name: str) -> dict:
    """`account`'s form as an administrator sends it, with the group `name` ticked besides its own."""
    group_ids = [str(pk) for pk in account.groups.values_list("pk", flat=True)]
    group_ids.append(str(Group.objects.get(name=name).pk))
    return {"username": account.username, "is_active": "on", "is_staff": "on", "groups": group_ids,
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}  # fmt: skip


def has_rapporteur_role(user) -> bool:
    return user.groups.filter(name=roles.RAPPORTEUR).exists()


def in_group(w: World, name: str) -> bool:
    return w.users["administrator"].groups.filter(name=name).exists()


def administrator_is_superuser(w: World) -> bool:
    return get_user_model().objects.get(pk=w.users["administrator"].pk).is_superuser


USER_ROWS = model_rows(
    "auth/user",
    lambda w: w.users["desk_officer"],
    changelist=only_admin(),
    add=only_admin(),
    history=only_admin(),
    delete=NOBODY,
    change=only_admin(),
)
# Administrators keep staff accounts; only a superuser makes a superuser.
# Nobody raises their own powers: the administrator's own superuser flag, groups and permissions.
OWN_ACCOUNT = lambda w: f"/admin/auth/user/{w.users['administrator'].pk}/change/"  # noqa: E731
USER_ROWS["admin/auth/user/<path:object_id>/change/"] += [
    post(OWN_ACCOUNT, only_admin(REFUSED), data=own_account_as_superuser, changed=administrator_is_superuser),
    post(
        OWN_ACCOUNT,
        only_admin(REFUSED),
        data=lambda w, role: own_account(w, groups=(roles.RAPPORTEUR,)),
        changed=lambda w: in_group(w, roles.RAPPORTEUR),
    ),
    post(
        OWN_ACCOUNT,
        only_admin(REFUSED),
        data=lambda w, role: own_account(w, permissions=("approve_communication",)),
        changed=lambda w: w.users["administrator"].user_permissions.exists(),
    ),
]
# A role given by an administrator alone is only asked for: the account keeps its roles until another
# administrator confirms (portal.grants), and the request is in the audit.
USER_ROWS["admin/auth/user/<path:object_id>/change/"] += [
    post(
        lambda w: f"/admin/auth/user/{w.users['desk_officer'].pk}/change/",
        # The desk officer's own account: refused before any change.
        only_admin(Answer(302, "/admin/auth/user/", records="role requested"), desk_officer=REFUSED),
        data=lambda w, role: account_with_group(w.users["desk_officer"], roles.INTAKE_OFFICER),
        changed=lambda w: w.users["desk_officer"].groups.filter(name=roles.INTAKE_OFFICER).exists(),
    ),
]
# A new account is made with no role, whatever the form is sent with.
USER_ROWS["admin/auth/user/add/"] += [
    post(
        lambda w: "/admin/auth/user/add/",
        only_admin(
            Answer(302, lambda w: f"/admin/auth/user/{new_account(w).pk}/change/", writes=True, records="created")
        ),
        data=lambda w, role: {
            "username": NEW_ACCOUNT,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
            "groups": [str(Group.objects.get(name=roles.RAPPORTEUR).pk)],
            "is_superuser": "on",
            "is_staff": "on",
        },
        changed=lambda w: (
            get_user_model().objects.filter(username=NEW_ACCOUNT, groups=None, is_superuser=False).exists()
        ),
    ),
]
# Setting another member's password is logging in as them: a superuser's act, each attempt audited.
USER_ROWS["admin/auth/user/<id>/password/"] = [
    get(lambda w: f"/admin/auth/user/{w.users['desk_officer'].pk}/password/", staff(REFUSED)),
    get(lambda w: f"/admin/auth/user/{w.superuser.pk}/password/", staff(REFUSED)),
]

ADMIN_MODELS = {
    **model_rows(
        "submissions/submission",
        attrgetter("submission"),
        changelist=staff(OK.showing(CASE), other_desk_officer=OK.hiding(CASE), administrator=DENIED),
        add=NOBODY,
        history=CASE_HISTORY,
        delete=NOBODY,
        change=CASE_PAGE,
        change_post=NOBODY,
    ),
    "admin/submissions/submission/<int:pk>/decide/": [
        get(
            lambda w: f"/admin/submissions/submission/{w.submission.pk}/decide/",
            staff(OK.showing(CASE), other_desk_officer=NOT_FOUND, rapporteur=DENIED, administrator=DENIED),
        ),
        post(
            lambda w: f"/admin/submissions/submission/{w.submission.pk}/decide/",
            staff(
                Answer(302, "/admin/submissions/submission/{w.submission.pk}/change/", writes=True),
                other_desk_officer=NOT_FOUND,
                rapporteur=DENIED,
                administrator=DENIED,
            ),
            data=lambda w, role: {"decision": "accept", "note": "Within the mandate"},
            changed=decided,
        ),
    ],
    # Noting a source's changed consent: a row in the case's history, by those who triage.
    "admin/submissions/submission/<int:pk>/consent-noted/": [
        get(
            lambda w: f"/admin/submissions/submission/{w.submission.pk}/consent-noted/",
            staff(DENIED, other_desk_officer=NOT_FOUND),
        ),
        post(
            lambda w: f"/admin/submissions/submission/{w.submission.pk}/consent-noted/",
            staff(
                Answer(302, "/admin/submissions/submission/{w.submission.pk}/change/", writes=True),
                other_desk_officer=NOT_FOUND,
                rapporteur=DENIED,
                administrator=DENIED,
            ),
        ),
    ],
    "admin/submissions/submission/<int:pk>/attachment/<int:attachment_id>/<str:copy>/": [
        get(
            lambda w: f"/admin/submissions/submission/{w.submission.pk}/attachment/{w.attachment.pk}/original/",
            staff(OK, other_desk_officer=NOT_FOUND, administrator=DENIED),
        ),
        # An attachment asked for under another case than its own.
        get(
            lambda w: f"/admin/submissions/submission/{w.other_submission.pk}/attachment/{w.attachment.pk}/original/",
            staff(NOT_FOUND, administrator=DENIED),
        ),
    ],
    **model_rows(
        "submissions/desk",
        attrgetter("desk"),
        # A desk officer sees their own desks and colleagues; administrators keep every desk.
        changelist=staff(
            OK.showing(QUEUE, OTHER_DESK),
            desk_officer=OK.showing(QUEUE).hiding(OTHER_DESK),
            other_desk_officer=OK.showing(OTHER_DESK).hiding(QUEUE),
        ),
        add=only_admin(),
        history=staff(OK, other_desk_officer=NO_SUCH_OBJECT),
        delete=only_admin(),
        # Administrators choose members among all staff.
        change=staff(OK.hiding(OTHER_OFFICER), other_desk_officer=NO_SUCH_OBJECT, administrator=OK),
    ),
    **model_rows(
        "submissions/deskcountry",
        attrgetter("desk_country"),
        changelist=only_admin(),
        add=only_admin(),
        history=only_admin(),
        delete=only_admin(),
        change=only_admin(),
    ),
    **model_rows(
        "communications/communication",
        attrgetter("communication"),
        changelist=staff(
            OK.showing(UNRELEASED),
            intake_officer=DENIED,
            other_desk_officer=OK.hiding(UNRELEASED),
            administrator=DENIED,
        ),
        # The draft form's "follow-up to" choices: the letters of one's own desks.
        add=staff(
            OK.showing(UNRELEASED, RELEASED),
            intake_officer=DENIED,
            rapporteur=DENIED,
            administrator=DENIED,
            other_desk_officer=OK.hiding(UNRELEASED, RELEASED),
        ),
        history=COMMUNICATION_READ | {"administrator": NO_SUCH_OBJECT},
        delete=NOBODY,
        change=COMMUNICATION_READ,
    ),
    # Withholding asks for a reason: without one, nothing changes and the change page says why.
    "admin/communications/communication/<int:pk>/step/<str:action>/": [
        post(
            lambda w: f"/admin/communications/communication/{w.communication.pk}/step/withhold/",
            staff(
                Answer(302, "/admin/communications/communication/{w.communication.pk}/change/"),
                intake_officer=DENIED,
                desk_officer=DENIED,
                other_desk_officer=NOT_FOUND,
                administrator=DENIED,
            ),
        ),
        # Approving one's own draft: the rapporteur wrote this one.
        post(
            lambda w: f"/admin/communications/communication/{w.own_draft.pk}/step/approve/",
            staff(DENIED, rapporteur=REFUSED, other_desk_officer=NOT_FOUND),
            changed=lambda w: Communication.objects.get(pk=w.own_draft.pk).status != CommunicationStatus.IN_REVIEW,
        ),
    ],
    # An empty reply form: refused, or sent back to the change page with the errors.
    "admin/communications/communication/<int:pk>/reply/": [
        post(
            lambda w: f"/admin/communications/communication/{w.communication.pk}/reply/",
            staff(
                Answer(302, "/admin/communications/communication/{w.communication.pk}/change/"),
                intake_officer=DENIED,
                other_desk_officer=NOT_FOUND,
                administrator=DENIED,
            ),
        )
    ],
    "admin/communications/communication/<int:pk>/pdf/": [
        get(
            lambda w: f"/admin/communications/communication/{w.communication.pk}/pdf/",
            staff(OK, intake_officer=DENIED, other_desk_officer=NOT_FOUND, administrator=DENIED),
        )
    ],
    # The public version: read by the letter's staff; a post without a step is refused to everyone.
    "admin/communications/communication/<int:pk>/public/": [
        get(
            lambda w: f"/admin/communications/communication/{w.communication.pk}/public/",
            staff(OK, intake_officer=DENIED, other_desk_officer=NOT_FOUND, administrator=DENIED),
        ),
        post(
            lambda w: f"/admin/communications/communication/{w.communication.pk}/public/",
            staff(DENIED, other_desk_officer=NOT_FOUND),
        ),
    ],
    **model_rows(
        "communications/mandate",
        attrgetter("mandate"),
        changelist=LIBRARY_READ,
        add=only_admin(),
        history=LIBRARY_READ,
        delete=only_admin(),
        change=LIBRARY_READ,
    ),
    **model_rows(
        "communications/normparagraph",
        attrgetter("norm"),
        changelist=LIBRARY_READ,
        add=only_admin(),
        history=LIBRARY_READ,
        delete=only_admin(),
        change=LIBRARY_READ,
    ),
    **model_rows(
        "communications/lettertemplate",
        attrgetter("template"),
        changelist=LIBRARY_READ,
        add=only_admin(),
        history=LIBRARY_READ,
        delete=only_admin(),
        change=LIBRARY_READ,
    ),
    # The audit trail: read by administrators, changed and deleted by no one.
    **model_rows(
        "portal/auditevent",
        attrgetter("audit_event"),
        changelist=only_admin(),
        add=NOBODY,
        history=only_admin(),
        delete=NOBODY,
        change=only_admin(),
        change_post=NOBODY,
    ),
    **USER_ROWS,
    # Roles asked for by one administrator, confirmed by another: never by the one who asked, nor to oneself.
    **model_rows(
        "portal/rolegrant",
        attrgetter("grant"),
        changelist=only_admin(),
        add=NOBODY,
        history=only_admin(),
        delete=NOBODY,
        change=only_admin(),
        change_post=NOBODY,
    ),
    "admin/portal/rolegrant/<int:pk>/confirm/": [
        get(lambda w: f"/admin/portal/rolegrant/{w.grant.pk}/confirm/", staff(Answer(405))),
        post(
            lambda w: f"/admin/portal/rolegrant/{w.grant.pk}/confirm/",
            only_admin(
                Answer(302, "/admin/portal/rolegrant/{w.grant.pk}/change/", writes=True, records="role confirmed")
            ),
            changed=lambda w: has_rapporteur_role(w.users["desk_officer"]),
        ),
        post(
            lambda w: f"/admin/portal/rolegrant/{w.own_grant.pk}/confirm/",
            only_admin(REFUSED),
            changed=lambda w: has_rapporteur_role(w.users["other_desk_officer"]),
        ),
        post(
            lambda w: f"/admin/portal/rolegrant/{w.grant_to_self.pk}/confirm/",
            only_admin(REFUSED),
            changed=lambda w: has_rapporteur_role(w.users["administrator"]),
        ),
    ],
    "admin/portal/rolegrant/<int:pk>/decline/": [
        get(lambda w: f"/admin/portal/rolegrant/{w.grant.pk}/decline/", staff(Answer(405))),
        post(
            lambda w: f"/admin/portal/rolegrant/{w.grant.pk}/decline/",
            only_admin(
                Answer(302, "/admin/portal/rolegrant/{w.grant.pk}/change/", writes=True, records="role declined")
            ),
            changed=lambda w: RoleGrant.objects.get(pk=w.grant.pk).status == RoleGrant.Status.DECLINED,
        ),
    ],
    **model_rows(
        "auth/group",
        attrgetter("group"),
        changelist=only_admin(),
        add=NOBODY,
        history=only_admin(),
        delete=NOBODY,
        change=only_admin(),
    ),
    # Second-factor devices and the lockout records: superusers only.
    **model_rows(
        "otp_totp/totpdevice",
        attrgetter("device"),
        changelist=NOBODY,
        add=NOBODY,
        history=NOBODY,
        delete=NOBODY,
        change=NOBODY,
    ),
    **model_rows(
        "otp_static/staticdevice",
        attrgetter("static_device"),
        changelist=NOBODY,
        add=NOBODY,
        history=NOBODY,
        delete=NOBODY,
        change=NOBODY,
    ),
    "admin/otp_totp/totpdevice/<int:pk>/config/": [
        get(lambda w: f"/admin/otp_totp/totpdevice/{w.device.pk}/config/", NOBODY)
    ],
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": [
        get(lambda w: f"/admin/otp_totp/totpdevice/{w.device.pk}/qrcode/", NOBODY)
    ],
    **model_rows(
        "axes/accessattempt",
        attrgetter("access_attempt"),
        changelist=NOBODY,
        add=NOBODY,
        history=NOBODY,
        delete=NOBODY,
        change=NOBODY,
    ),
    **model_rows(
        "axes/accesslog",
        attrgetter("access_log"),
        changelist=NOBODY,
        add=NOBODY,
        history=NOBODY,
        delete=NOBODY,
        change=NOBODY,
    ),
    **model_rows(
        "axes/accessfailurelog",
        attrgetter("access_failure"),
        changelist=NOBODY,
        add=NOBODY,
        history=NOBODY,
        delete=NOBODY,
        change=NOBODY,
    ),
}


# --- Staff site: the site's own pages -----------------------------------------------------

APP_LABELS = "auth|otp_totp|otp_static|axes|portal|submissions|communications"
APP_INDEX = {
    "auth": staff(NOT_FOUND, administrator=OK),
    "otp_totp": staff(NOT_FOUND),
    "otp_static": staff(NOT_FOUND),
    "axes": staff(NOT_FOUND),
    "portal": staff(NOT_FOUND, administrator=OK),
    "submissions": staff(OK),
    "communications": staff(OK, intake_officer=NOT_FOUND),
}


def autocomplete(model: str, field: str, term: Callable[[World], str]) -> Callable[[World], str]:
    app_label, model_name = model.split(".")
    query = f"app_label={app_label}&model_name={model_name}&field_name={field}"
    return lambda w: f"/admin/autocomplete/?{query}&{urlencode({'term': term(w)})}"


ADMIN_SITE = {
    "admin/": [
        get(
            lambda w: "/admin/",
            staff(OK.showing(QUEUE), other_desk_officer=OK.hiding(QUEUE), administrator=OK.hiding(QUEUE)),
        )
    ],
    "admin/login/": [get(lambda w: "/admin/login/", everyone(OK) | dict.fromkeys(STAFF, Answer(302, "/admin/")))],
    "admin/logout/": [
        post(
            lambda w: "/admin/logout/",
            everyone(Answer(302, "/admin/")) | dict.fromkeys(STAFF, OK),
            ends_session=True,
        )
    ],
    # Enrolling a second factor: only an account without one (its first login); the others go to the index.
    "admin/enrol/": [get(lambda w: "/admin/enrol/", everyone(LOGIN) | dict.fromkeys(STAFF, Answer(302, "/admin/")))],
    # New backup codes: every staff member's own, after the password again; a wrong one is audited.
    "admin/backup-codes/": [
        get(lambda w: "/admin/backup-codes/", staff(OK)),
        post(
            lambda w: "/admin/backup-codes/",
            staff(OK.audited_as_refused()),
            data=lambda w, role: {"password": "not the password at all"},
        ),
        post(
            lambda w: "/admin/backup-codes/",
            staff(Answer(200, records="backup codes renewed")),
            data=lambda w, role: {"password": PASSWORD},
        ),
    ],
    # The staff pages' language switch: a cookie for the staff site, for anyone (the login page has it).
    "admin/language/": [
        get(lambda w: "/admin/language/", everyone(Answer(405))),
        post(
            lambda w: "/admin/language/",
            everyone(Answer(302, "/admin/backup-codes/")),
            data=lambda w, role: {"language": "fr", "next": "/admin/backup-codes/"},
        ),
    ],
    "admin/password_change/": [get(lambda w: "/admin/password_change/", staff(OK))],
    "admin/password_change/done/": [get(lambda w: "/admin/password_change/done/", staff(OK))],
    # Search as the admin's select boxes do: the same queryset as the queue, desk officers' desks only.
    "admin/autocomplete/": [
        get(
            autocomplete("submissions.submission", "duplicate_of", lambda w: w.submission.reference),
            staff(OK.showing(CASE), other_desk_officer=OK.hiding(CASE), administrator=DENIED),
        ),
        get(
            # By recipient: the admin splits a term at spaces, and "=reference" matches no part of "UA TJK 1/2026".
            autocomplete("communications.communication", "follow_up_to", lambda w: w.communication.recipient),
            staff(
                OK.showing(UNRELEASED),
                intake_officer=DENIED,
                other_desk_officer=OK.hiding(UNRELEASED),
                administrator=DENIED,
            ),
        ),
        get(
            autocomplete("portal.auditevent", "user", lambda w: w.users["desk_officer"].username),
            only_admin(),
        ),
    ],
    "admin/jsi18n/": [get(lambda w: "/admin/jsi18n/", staff(OK))],
    # No model has a public page: "view on site" leads nowhere, for anyone.
    "admin/r/<path:content_type_id>/<path:object_id>/": [
        get(
            lambda w: f"/admin/r/{ContentType.objects.get_for_model(Submission).pk}/{w.submission.pk}/",
            staff(NOT_FOUND),
        )
    ],
    f"admin/^(?P<app_label>{APP_LABELS})/$": [
        get(lambda w, label=label: f"/admin/{label}/", answers) for label, answers in APP_INDEX.items()
    ],
    "admin/(?P<url>.*)$": [get(lambda w: "/admin/no-such-page/", staff(NOT_FOUND))],
}


# --- Public site, receipt, API, health ----------------------------------------------------

PUBLIC_LIST = OK.showing(RELEASED).hiding(UNRELEASED)


def download(w: World, role: str) -> dict:
    """The source's reference with the passphrase the role holds (none for staff and anonymous)."""
    passphrase = w.receipts[role][1] if role in w.receipts else ""
    return {"reference": w.receipts["source"][0], "passphrase": passphrase}


OWN_CASE = {
    "source": OK.showing(CASE).hiding(OTHER_CASE),
    "other_source": OK.showing(OTHER_CASE).hiding(CASE),
}
# A form sent back with its errors shows the case it belongs to: the sender's own.
OWN_CASE_REFUSED = {role: Answer(400, shows=a.shows, hides=a.hides) for role, a in OWN_CASE.items()}


def record_path(w: World) -> str:
    return f"/communications/{w.released.slug}/"


def unreleased_path(w: World) -> str:
    return f"/communications/{slug_for(w.communication.reference)}/"


# Rows of the addresses under a language prefix: checked in every language.
LOCALISED = {
    "": [get(lambda w: "/", everyone(OK))],
    "submit/": [get(lambda w: "/submit/", everyone(OK))],
    "receipt/": [get(lambda w: "/receipt/", everyone(OK))],
    "receipt/case/": [get(lambda w: "/receipt/case/", everyone(RECEIPT_LOGIN) | OWN_CASE)],
    "receipt/message/": [post(lambda w: "/receipt/message/", everyone(RECEIPT_LOGIN) | OWN_CASE_REFUSED)],
    "receipt/consent/": [post(lambda w: "/receipt/consent/", everyone(RECEIPT_LOGIN) | OWN_CASE_REFUSED)],
    # The people never to be named: one's own case only; an empty addition is sent back with its error.
    "receipt/never-name/": [
        get(lambda w: "/receipt/never-name/", everyone(RECEIPT_LOGIN) | OWN_CASE),
        post(lambda w: "/receipt/never-name/", everyone(RECEIPT_LOGIN) | OWN_CASE_REFUSED),
    ],
    "receipt/logout/": [post(lambda w: "/receipt/logout/", everyone(RECEIPT_LOGIN), ends_session=True)],
    # Asking to delete shows a confirmation for one's own case; nothing is destroyed without "confirmed".
    "receipt/delete/": [post(lambda w: "/receipt/delete/", everyone(RECEIPT_LOGIN) | OWN_CASE)],
    # The receipt file needs the passphrase of the case, whoever asks: the other source's does not do.
    "receipt/download/": [post(lambda w: "/receipt/download/", everyone(BAD, source=OK), data=download)],
    "communications/": [get(lambda w: "/communications/", everyone(PUBLIC_LIST))],
    "communications/feed/": [get(lambda w: "/communications/feed/", everyone(PUBLIC_LIST))],
    "communications/feed/<str:recipient>/": [get(lambda w: "/communications/feed/TJK/", everyone(PUBLIC_LIST))],
    "communications/export.csv": [get(lambda w: "/communications/export.csv", everyone(PUBLIC_LIST))],
    "communications/stats/": [get(lambda w: "/communications/stats/", everyone(OK))],
    # A letter not yet public has no page, no PDF and no documents, for staff as for anyone.
    "communications/<slug:slug>/": [
        get(record_path, everyone(OK.showing(RELEASED))),
        get(unreleased_path, everyone(NOT_FOUND)),
    ],
    "communications/<slug:slug>/letter.pdf": [
        get(lambda w: f"{record_path(w)}letter.pdf", everyone(OK)),
        get(lambda w: f"{unreleased_path(w)}letter.pdf", everyone(NOT_FOUND)),
    ],
    "communications/<slug:slug>/replies/<int:reply_id>/document": [
        get(lambda w: f"{record_path(w)}replies/{w.public_document.pk}/document", everyone(OK)),
        get(lambda w: f"{record_path(w)}replies/{w.confidential_reply.pk}/document", everyone(NOT_FOUND)),
        get(lambda w: f"{unreleased_path(w)}replies/{w.unreleased_reply.pk}/document", everyone(NOT_FOUND)),
    ],
}


def api_path(w: World, *, released: bool = True) -> str:
    slug = w.released.slug if released else slug_for(w.communication.reference)
    return f"/api/v1/communications/{slug}"


UNLOCALISED = {
    "healthz": [get(lambda w: "/healthz", everyone(OK))],
    "api/": [get(lambda w: "/api/", everyone(NOT_FOUND))],
    "api/schema/": [get(lambda w: "/api/schema/", everyone(OK))],
    "api/v1/communications": [get(lambda w: "/api/v1/communications", everyone(PUBLIC_LIST))],
    "api/v1/communications/<anytext:slug>": [
        get(api_path, everyone(OK.showing(RELEASED))),
        get(lambda w: api_path(w, released=False), everyone(NOT_FOUND)),
    ],
    "api/v1/communications/<anytext:slug>/replies/<reply_id>/document": [
        get(lambda w: f"{api_path(w)}/replies/{w.public_document.pk}/document", everyone(OK)),
        get(lambda w: f"{api_path(w)}/replies/{w.confidential_reply.pk}/document", everyone(NOT_FOUND)),
        get(lambda w: f"{api_path(w, released=False)}/replies/{w.unreleased_reply.pk}/document", everyone(NOT_FOUND)),
    ],
    "api/v1/stats": [get(lambda w: "/api/v1/stats", everyone(OK))],
}

# Each row: the probes and the language prefix they are made under.
ROWS: dict[str, tuple[list[Probe], str]] = {
    **{route: (probes, "") for route, probes in {**ADMIN_MODELS, **ADMIN_SITE, **UNLOCALISED}.items()},
    **{route: (probes, "") for route, probes in LOCALISED.items()},
    **{f"{code}/{route}": (probes, f"/{code}") for code in PREFIXED_LANGUAGES for route, probes in LOCALISED.items()},
}


def test_every_url_pattern_has_a_row():
    patterns = url_patterns()
    missing = sorted(patterns - ROWS.keys())
    gone = sorted(ROWS.keys() - patterns)
    assert not missing, f"URL patterns without a row in the authorization matrix: {missing}"
    assert not gone, f"rows of the authorization matrix whose pattern no longer exists: {gone}"


# --- The run ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The cases, letters and people of every probe, made once for the module and rolled back after it."""
    fast = override_settings(
        # /healthz judges the worker and beat by their last heartbeats, written just below.
        HEALTH_WORKER_MAX_AGE=3600,
        HEALTH_BEAT_MAX_AGE=3600,
    )
    heartbeats = {**{heartbeat_key(queue): time.time() for queue in QUEUES}, "health:beat": time.time()}
    with django_db_blocker.unblock(), fast, transaction.atomic():
        ensure_seeded()  # a transactional test before this module may have flushed the seeded rows
        cache.set_many(heartbeats)
        archive_stats.invalidate()
        yield build_world()
        transaction.set_rollback(True)
    cache.delete_many(list(heartbeats))
    archive_stats.invalidate()


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One client per role, logged in once, as each person would be."""
    with django_db_blocker.unblock():
        return {role: log_in(new_client(world, role), world, role) for role in ROLES}


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROWS))
def test_each_role_gets_its_answer(world, clients, route):
    probes, prefix = ROWS[route]
    problems = [check(world, clients, probe, role, prefix) for probe in probes for role in ROLES]
    problems = [problem for problem in problems if problem]
    assert not problems, f"{route}:\n" + "\n".join(problems)
