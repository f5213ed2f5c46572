"""Powers are separated: nobody raises their own, administrators keep accounts and not cases, the
author of a letter does not approve it, and every change of a role or permission is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction

from communications import services as communications
from communications.models import CommunicationStatus
from portal import roles
from portal.audit import current_actor
from portal.models import AuditEvent
from tests.support.factories import make_accepted_submission
from tests.support.staff import login_staff, make_administrator, make_desk_officer, make_rapporteur, make_staff

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


def test_another_administrator_gives_the_role_and_it_is_audited(client):
    administrator, colleague = make_administrator(), make_administrator()
    login_staff(client, colleague)
    groups = [*account_form(administrator)["groups"], rapporteur_group()]

    response = client.post(f"/admin/auth/user/{administrator.pk}/change/", account_form(administrator, groups=groups))

    assert response.status_code == 302
    assert administrator.groups.filter(name=roles.RAPPORTEUR).exists()
    assert (colleague.pk, [f"+{roles.RAPPORTEUR}"]) in audits(administrator, "roles")


def _join_rapporteurs(user):
    user.groups.add(Group.objects.get(name=roles.RAPPORTEUR))


def _added_to_rapporteurs(user):
    Group.objects.get(name=roles.RAPPORTEUR).user_set.add(user)


def _own_permission(user):
    user.user_permissions.add(Permission.objects.get(codename="approve_communication"))


def _own_groups_permission(user):
    Group.objects.get(name=roles.ADMINISTRATOR).permissions.add(Permission.objects.get(codename="view_submission"))


def _leave_groups(user):
    user.groups.clear()


def _superuser(user):
    user.is_superuser = True
    user.save()


@pytest.mark.parametrize(
    "change",
    [_join_rapporteurs, _added_to_rapporteurs, _own_permission, _own_groups_permission, _leave_groups, _superuser],
)
def test_no_path_changes_ones_own_powers(change):
    """Below every form: a change made in a staff request (the author is known) to the author's own powers.

    The refusal rolls back the transaction it happens in, its audit row with it: the staff pages check
    first and audit the attempt before any change begins (the tests above and the authorization matrix).
    """
    administrator = make_administrator()
    token = current_actor.set(administrator)
    try:
        with pytest.raises(PermissionDenied), transaction.atomic():
            change(User.objects.get(pk=administrator.pk))
    finally:
        current_actor.reset(token)
    assert set(administrator.groups.values_list("name", flat=True)) == {roles.ADMINISTRATOR}
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
