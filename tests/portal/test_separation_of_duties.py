"""Powers are separated: nobody raises their own, administrators keep accounts and not cases, the
author of a letter does not approve it, and every change of a role or permission is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client

from communications import services as communications
from communications.models import CommunicationStatus
from portal import grants, roles
from portal.audit import current_actor
from portal.models import AuditEvent, OfficeKeyGrant, RoleGrant
from tests.support.factories import make_accepted_submission
from tests.support.staff import (
    PASSWORD,
    login_staff,
    make_administrator,
    make_desk_officer,
    make_rapporteur,
    make_staff,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


def audits(user, action: str):
    return list(
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk), action=action).values_list(
            "user_id", "fields"
        )
    )


def account_form(account, **changes) -> dict:
    data = {
        "username": account.username,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(pk) for pk in account.groups.values_list("pk", flat=True)],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    return data | changes


def rapporteur_group() -> str:
    return str(Group.objects.get(name=roles.RAPPORTEUR).pk)


def test_an_administrator_cannot_join_a_group_on_its_own_account(client):
    administrator = make_administrator()
    login_staff(client, administrator)
    groups = [*account_form(administrator)["groups"], rapporteur_group()]

    response = client.post(f"/admin/auth/user/{administrator.pk}/change/", account_form(administrator, groups=groups))

    assert response.status_code == 403
    assert not administrator.groups.filter(name=roles.RAPPORTEUR).exists()
    assert audits(administrator, "refused") == [(administrator.pk, ["groups"])]


def test_its_own_account_form_shows_its_powers_read_only(client):
    administrator = make_administrator()
    login_staff(client, administrator)

    page = client.get(f"/admin/auth/user/{administrator.pk}/change/").content.decode()

    assert 'name="groups"' not in page and 'name="is_superuser"' not in page and 'name="is_active"' not in page
    # Its other fields are its to change.
    own = {"username": administrator.username, "first_name": "Ada", "date_joined_0": "2026-01-01",
           "date_joined_1": "00:00:00"}  # fmt: skip
    response = client.post(f"/admin/auth/user/{administrator.pk}/change/", own)
    assert response.status_code == 302
    assert User.objects.get(pk=administrator.pk).first_name == "Ada"
    assert administrator.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_a_role_another_administrator_asks_for_waits_for_a_third_to_confirm_it(client):
    administrator, colleague, third = make_administrator(), make_administrator(), make_administrator()
    login_staff(client, colleague)
    groups = [*account_form(administrator)["groups"], rapporteur_group()]

    response = client.post(f"/admin/auth/user/{administrator.pk}/change/", account_form(administrator, groups=groups))

    assert response.status_code == 302
    assert not administrator.groups.filter(name=roles.RAPPORTEUR).exists()
    grant = RoleGrant.objects.get(user=administrator, status=RoleGrant.Status.PENDING)
    assert (grant.group.name, grant.requested_by) == (roles.RAPPORTEUR, colleague)
    assert audits(administrator, "role requested") == [(colleague.pk, [f"+{roles.RAPPORTEUR}"])]

    # Neither the one who asked nor the one who receives the role confirms it.
    assert client.post(f"/admin/portal/rolegrant/{grant.pk}/confirm/").status_code == 403
    client.logout()
    login_staff(client, administrator)
    assert client.post(f"/admin/portal/rolegrant/{grant.pk}/confirm/").status_code == 403
    assert not administrator.groups.filter(name=roles.RAPPORTEUR).exists()
    assert sorted(audits(administrator, "refused")) == [
        (administrator.pk, [f"confirm own role +{roles.RAPPORTEUR}"]),
        (colleague.pk, [f"confirm own request +{roles.RAPPORTEUR}"]),
    ]

    client.logout()
    login_staff(client, third)
    page = client.get(f"/admin/portal/rolegrant/{grant.pk}/change/").content.decode()
    assert 'id="role-confirm"' in page
    response = client.post(f"/admin/portal/rolegrant/{grant.pk}/confirm/")

    assert response.status_code == 302
    assert administrator.groups.filter(name=roles.RAPPORTEUR).exists()
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (RoleGrant.Status.CONFIRMED, third)
    assert (third.pk, [f"+{roles.RAPPORTEUR}"]) in audits(administrator, "roles")
    assert audits(administrator, "role confirmed") == [
        (third.pk, [f"+{roles.RAPPORTEUR}", f"asked by {colleague.username}"])
    ]
    # Confirmed once: a second confirmation finds no open request.
    assert client.post(f"/admin/portal/rolegrant/{grant.pk}/confirm/").status_code == 404


def test_an_administrator_creates_an_account_with_no_role(client):
    administrator = make_administrator()
    login_staff(client, administrator)
    data = {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true",
            "groups": [rapporteur_group()], "is_superuser": "on", "user_permissions": ["1"]}  # fmt: skip

    response = client.post("/admin/auth/user/add/", data)

    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.groups.exists() and not newcomer.user_permissions.exists() and not newcomer.is_superuser
    # Its roles are then asked for on its page, like anyone's.
    groups = [rapporteur_group()]
    client.post(f"/admin/auth/user/{newcomer.pk}/change/", account_form(newcomer, groups=groups))
    assert not newcomer.groups.exists()
    assert RoleGrant.objects.filter(user=newcomer, requested_by=administrator).count() == 1


def test_a_request_is_declined_and_gives_nothing(client):
    officer, administrator = make_desk_officer("central-asia"), make_administrator()
    grant = grants.grant_request(user=officer, group=Group.objects.get(name=roles.RAPPORTEUR), by=administrator)
    login_staff(client, make_administrator())

    assert client.post(f"/admin/portal/rolegrant/{grant.pk}/decline/").status_code == 302

    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.DECLINED
    assert not officer.groups.filter(name=roles.RAPPORTEUR).exists()
    assert len(audits(officer, "role declined")) == 1


def test_a_role_taken_away_goes_at_once(client):
    officer = make_desk_officer("central-asia")
    login_staff(client, make_administrator())

    response = client.post(f"/admin/auth/user/{officer.pk}/change/", account_form(officer, groups=[]))

    assert response.status_code == 302
    assert not officer.groups.exists()
    assert len(audits(officer, "roles")) >= 1


def test_a_superuser_gives_a_role_directly(client):
    officer = make_desk_officer("central-asia")
    superuser = make_administrator(superuser=True)
    login_staff(client, superuser)
    groups = [*account_form(officer)["groups"], rapporteur_group()]

    response = client.post(f"/admin/auth/user/{officer.pk}/change/", account_form(officer, groups=groups))

    assert response.status_code == 302
    assert officer.groups.filter(name=roles.RAPPORTEUR).exists()
    assert (superuser.pk, [f"+{roles.RAPPORTEUR}"]) in audits(officer, "roles")
    assert not RoleGrant.objects.filter(user=officer).exists()


def test_only_those_who_keep_accounts_see_the_requests(client):
    grant = grants.grant_request(
        user=make_desk_officer("central-asia"), group=Group.objects.get(name=roles.RAPPORTEUR), by=make_administrator()
    )
    rapporteur = make_rapporteur()
    login_staff(client, rapporteur)
    assert client.get("/admin/portal/rolegrant/").status_code == 403
    assert client.post(f"/admin/portal/rolegrant/{grant.pk}/confirm/").status_code == 403
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING


def _join_rapporteurs(user, other):
    user.groups.add(Group.objects.get(name=roles.RAPPORTEUR))


def _added_to_rapporteurs(user, other):
    Group.objects.get(name=roles.RAPPORTEUR).user_set.add(user)


def _own_permission(user, other):
    user.user_permissions.add(Permission.objects.get(codename="approve_communication"))


def _own_groups_permission(user, other):
    Group.objects.get(name=roles.ADMINISTRATOR).permissions.add(Permission.objects.get(codename="view_submission"))


def _leave_groups(user, other):
    user.groups.clear()


def _superuser(user, other):
    user.is_superuser = True
    user.save()


def _another_into_rapporteurs(user, other):
    other.groups.add(Group.objects.get(name=roles.RAPPORTEUR))


def _another_added_to_rapporteurs(user, other):
    Group.objects.get(name=roles.RAPPORTEUR).user_set.add(other)


def _another_permission(user, other):
    other.user_permissions.add(Permission.objects.get(codename="approve_communication"))


def _another_superuser(user, other):
    other.is_superuser = True
    other.save()


def _new_superuser(user, other):
    User.objects.create_user(username="made-super", password=PASSWORD, is_superuser=True)


@pytest.mark.parametrize(
    "change",
    [
        _join_rapporteurs, _added_to_rapporteurs, _own_permission, _own_groups_permission, _leave_groups, _superuser,
        _another_into_rapporteurs, _another_added_to_rapporteurs, _another_permission, _another_superuser,
        _new_superuser,
    ],
)  # fmt: skip
def test_no_path_changes_ones_own_powers(change):
    """Below every form: a change made in a staff request (the author is known) to the author's own powers,
    or a power given to anyone by an administrator alone (a role waits for a second administrator).

    The refusal rolls back the transaction it happens in, its audit row with it: the staff pages check
    first and audit the attempt before any change begins (the tests above and the authorization matrix).
    """
    administrator, other = make_administrator(), make_desk_officer("central-asia")
    token = current_actor.set(administrator)
    try:
        with pytest.raises(PermissionDenied), transaction.atomic():
            change(User.objects.get(pk=administrator.pk), User.objects.get(pk=other.pk))
    finally:
        current_actor.reset(token)
    assert set(administrator.groups.values_list("name", flat=True)) == {roles.ADMINISTRATOR}
    assert set(other.groups.values_list("name", flat=True)) == {roles.DESK_OFFICER}
    assert not other.user_permissions.exists() and not User.objects.get(pk=other.pk).is_superuser
    assert not User.objects.filter(username="made-super").exists()
    assert not User.objects.get(pk=administrator.pk).is_superuser
    assert not Group.objects.get(name=roles.ADMINISTRATOR).permissions.filter(codename="view_submission").exists()


def test_a_change_outside_any_request_is_audited_without_an_author():
    user = make_staff(None)
    user.is_superuser = True
    user.save()
    user.groups.add(Group.objects.get(name=roles.RAPPORTEUR))
    assert (None, ["is_superuser=True"]) in audits(user, "roles")
    assert (None, [f"+{roles.RAPPORTEUR}"]) in audits(user, "roles")


def test_a_login_is_not_a_role_change(client):
    officer = make_desk_officer("central-asia")
    before = AuditEvent.objects.count()
    login_staff(client, officer)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("superuser", [False, True], ids=["administrator", "superuser"])
def test_only_a_superuser_sets_another_members_password(client, superuser):
    administrator = make_administrator(superuser=superuser)
    officer = make_desk_officer("central-asia")
    login_staff(client, administrator)

    response = client.get(f"/admin/auth/user/{officer.pk}/password/")

    assert response.status_code == (200 if superuser else 403)
    assert bool(audits(officer, "refused")) is not superuser


@pytest.mark.parametrize(
    "path",
    [
        "/admin/submissions/submission/",
        "/admin/communications/communication/",
        "/admin/communications/communication/add/",
    ],
)
def test_an_administrator_sees_no_case(client, path):
    make_accepted_submission(country="TJ")
    login_staff(client, make_administrator())
    assert client.get(path).status_code == 403


def test_an_administrator_keeps_the_desks(client):
    login_staff(client, make_administrator())
    page = client.get("/admin/submissions/desk/").content.decode()
    assert "Central Asia" in page and "Eastern Europe" in page


def test_the_author_of_a_letter_does_not_approve_it(client):
    # A rapporteur who also drafts: both roles, given by an administrator.
    author = make_staff(roles.DESK_OFFICER, desks=("central-asia",))
    author.groups.add(Group.objects.get(name=roles.RAPPORTEUR))
    communication, _ = communications.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="UA", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=author,
    )  # fmt: skip
    communications.communication_submit_for_review(communication=communication, by=author)
    login_staff(client, author)
    page = client.get(f"/admin/communications/communication/{communication.pk}/change/").content.decode()
    assert "/step/approve/" not in page

    response = client.post(f"/admin/communications/communication/{communication.pk}/step/approve/")

    assert response.status_code == 403
    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.IN_REVIEW
    assert AuditEvent.objects.filter(
        user=author, action="refused", object_id=str(communication.pk), fields=["approve own draft"]
    ).exists()
    communications.communication_approve(communication=communication, by=make_rapporteur())
    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.APPROVED


# --- Deactivation takes every power; reactivation gives none back --------------------------------------


def rapporteur_with_a_pending_role():
    rapporteur = make_rapporteur()
    grants.grant_request(user=rapporteur, group=Group.objects.get(name=roles.DESK_OFFICER), by=make_administrator())
    assert OfficeKeyGrant.objects.filter(holder__user=rapporteur).exists()
    return rapporteur


def deactivate(client, rapporteur):
    """An administrator, logged in on `client`, unticks "active" on the account; (administrator, answer)."""
    administrator = make_administrator()
    login_staff(client, administrator)
    form = account_form(rapporteur)
    del form["is_active"]
    return administrator, client.post(f"/admin/auth/user/{rapporteur.pk}/change/", form)


def test_deactivating_an_account_takes_its_roles_and_access_away_at_once(client):
    rapporteur = rapporteur_with_a_pending_role()
    own_session = Client()
    login_staff(own_session, rapporteur)

    administrator, response = deactivate(client, rapporteur)

    assert response.status_code == 302
    rapporteur.refresh_from_db()
    assert not rapporteur.is_active and not rapporteur.groups.exists() and not rapporteur.user_permissions.exists()
    assert not RoleGrant.objects.filter(user=rapporteur, status=RoleGrant.Status.PENDING).exists()
    assert not OfficeKeyGrant.objects.filter(holder__user=rapporteur).exists()
    # Audited like any role removal, under the administrator who deactivated it.
    assert (administrator.pk, ["is_active=False"]) in audits(rapporteur, "roles")
    assert (administrator.pk, [f"-{roles.RAPPORTEUR}"]) in audits(rapporteur, "roles")
    assert audits(rapporteur, "deactivated") == [
        (administrator.pk, ["office key grants revoked 1", "requests declined 1", "sessions ended 1"])
    ]
    # Its own session, with the office key it opened, ended with it: reactivated, it must log in again.
    assert own_session.get("/admin/").status_code == 302


def test_one_administrator_reactivating_a_rapporteur_gets_an_account_with_no_role_that_cannot_approve(client):
    rapporteur = rapporteur_with_a_pending_role()
    own_session = Client()
    login_staff(own_session, rapporteur)
    administrator, _answer = deactivate(client, rapporteur)

    # The same administrator alone ticks "active" and the Rapporteur role again.
    response = client.post(
        f"/admin/auth/user/{rapporteur.pk}/change/", account_form(rapporteur, groups=[rapporteur_group()])
    )

    assert response.status_code == 302
    rapporteur = User.objects.get(pk=rapporteur.pk)
    assert rapporteur.is_active and not rapporteur.groups.exists() and not rapporteur.is_superuser
    assert own_session.get("/admin/").status_code == 302  # the session from before is gone for good
    assert not roles.has_role(rapporteur, roles.RAPPORTEUR)
    assert not OfficeKeyGrant.objects.filter(holder__user=rapporteur).exists()
    grant = RoleGrant.objects.get(user=rapporteur, status=RoleGrant.Status.PENDING)
    assert (grant.group.name, grant.requested_by) == (roles.RAPPORTEUR, administrator)
    assert (administrator.pk, ["is_active=True"]) in audits(rapporteur, "roles")
    communication, _ = communications.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="UA", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=make_desk_officer("central-asia"),
    )  # fmt: skip
    communications.communication_submit_for_review(communication=communication, by=communication.created_by)
    with pytest.raises(PermissionDenied):
        communications.communication_approve(communication=communication, by=rapporteur)
    # Nor can the administrator confirm its own request: a second administrator gives the role back.
    with pytest.raises(PermissionDenied):
        grants.grant_confirm(grant=grant, by=administrator)
    assert grants.grant_confirm(grant=grant, by=make_administrator())
    assert roles.has_role(User.objects.get(pk=rapporteur.pk), roles.RAPPORTEUR)


def test_below_the_form_a_deactivated_account_loses_its_roles_and_is_given_none(superuser_of_the_office):
    officer = make_desk_officer("central-asia")
    officer.is_superuser = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_submission"))
    pending = grants.grant_request(
        user=officer, group=Group.objects.get(name=roles.RAPPORTEUR), by=make_administrator()
    )
    administrator = make_administrator()

    token = current_actor.set(administrator)
    try:
        officer.is_active = False
        officer.save()
    finally:
        current_actor.reset(token)

    officer = User.objects.get(pk=officer.pk)
    assert not officer.groups.exists() and not officer.user_permissions.exists() and not officer.is_superuser
    assert (administrator.pk, ["is_superuser=False"]) in audits(officer, "roles")
    # While inactive, nobody gives it a role or confirms one asked before: not even a superuser.
    token = current_actor.set(superuser_of_the_office)
    try:
        with pytest.raises(PermissionDenied), transaction.atomic():
            officer.groups.add(Group.objects.get(name=roles.RAPPORTEUR))
        with pytest.raises(PermissionDenied), transaction.atomic():
            Group.objects.get(name=roles.RAPPORTEUR).user_set.add(officer)
    finally:
        current_actor.reset(token)
    pending.refresh_from_db()
    assert pending.status == RoleGrant.Status.DECLINED
    with pytest.raises(PermissionDenied):
        grants.grant_request(user=officer, group=Group.objects.get(name=roles.RAPPORTEUR), by=administrator)
    assert not officer.groups.exists()


@pytest.fixture
def superuser_of_the_office():
    return make_administrator(superuser=True)
