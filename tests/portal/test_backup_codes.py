"""A staff member makes new backup codes: after the password or a fresh code, shown once, the old ones
dead at once, and each step in the audit."""

import pytest
from django.core.cache import cache
from django.test import Client

from portal.enrolment import BACKUP_CODES, REAUTHENTICATION_TRIES
from portal.models import AuditEvent
from tests.support.staff import (
    PASSWORD,
    backup_digests,
    current_code,
    give_backup_codes,
    login_staff,
    make_desk_officer,
    post_login,
    stored_backup_digests,
    totp_device,
)

pytestmark = pytest.mark.django_db

URL = "/admin/backup-codes/"


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


def codes_of(user) -> set[str]:
    """What the server stores of the user's backup codes: digests under their key, never the codes."""
    return stored_backup_digests(user)


def shown(response) -> list[str]:
    return list(response.context["codes"])


def with_old_codes(user) -> set[str]:
    """Three backup codes made earlier: the codes, as the person has them on paper."""
    codes = {f"oldcode{number}" for number in range(3)}
    give_backup_codes(user, codes)
    return codes


def audits(user, action: str) -> int:
    return AuditEvent.objects.filter(user=user, object_id=str(user.pk), action=action).count()


def test_it_makes_new_codes_after_the_password(client):
    officer = make_desk_officer("central-asia")
    old = with_old_codes(officer)
    login_staff(client, officer)

    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == 200
    codes = shown(response)
    assert len(codes) == BACKUP_CODES == len(set(codes))
    assert codes_of(officer) == backup_digests(officer, codes) and not old & set(codes)
    assert not codes_of(officer) & set(codes)  # the codes themselves are nowhere on the server
    assert all(f"<code>{code}</code>" in response.content.decode() for code in codes)
    assert "no-store" in response["Cache-Control"]
    assert audits(officer, "backup codes renewed") == 1
    # Shown once: the page asks again, and shows no code.
    again = client.get(URL).content.decode()
    assert not any(code in again for code in codes)


def test_the_old_codes_stop_working_at_once(client):
    officer = make_desk_officer("central-asia")
    old = sorted(with_old_codes(officer))
    login_staff(client, officer)
    new = shown(client.post(URL, {"password": PASSWORD}))

    # A new code first: a failed try holds the device back for a moment (django-otp's throttling).
    assert post_login(Client(), username=officer.username, code=new[0]).status_code == 302
    assert not backup_digests(officer, [new[0]]) & codes_of(officer)
    other = Client()
    refused = post_login(other, username=officer.username, code=old[0])
    assert refused.status_code == 200 and "_auth_user_id" not in other.session


def test_it_makes_new_codes_after_a_fresh_code_from_the_app(client):
    officer = make_desk_officer("central-asia")
    old = sorted(with_old_codes(officer))
    # Logged in with a backup code: the app's current code is still unused.
    assert post_login(client, username=officer.username, code=old[0]).status_code == 302

    response = client.post(URL, {"otp_token": current_code(officer)})

    assert response.status_code == 200
    assert codes_of(officer) == backup_digests(officer, shown(response))
    # The session verified by the backup-code device stays verified.
    assert client.get("/admin/").status_code == 200


def test_the_code_used_to_log_in_is_not_fresh(client):
    officer = make_desk_officer("central-asia")
    old = with_old_codes(officer)
    login_staff(client, officer)

    response = client.post(URL, {"otp_token": current_code(totp_device(officer))})

    assert response.status_code == 200
    assert "codes" not in response.context
    assert "This password or code is not right." in response.content.decode()
    assert codes_of(officer) == backup_digests(officer, old)
    assert audits(officer, "refused") == 1


def test_a_wrong_password_changes_nothing_and_is_audited(client):
    officer = make_desk_officer("central-asia")
    old = with_old_codes(officer)
    login_staff(client, officer)

    response = client.post(URL, {"password": "correct horse battery staple 8"})

    assert response.status_code == 200 and "codes" not in response.context
    assert codes_of(officer) == backup_digests(officer, old)
    assert audits(officer, "refused") == 1 and audits(officer, "backup codes renewed") == 0


def test_an_empty_form_asks_for_one_of_them(client):
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)
    response = client.post(URL, {})
    assert "Type your password, or a code from your authenticator app." in response.content.decode()
    assert audits(officer, "refused") == 0


def test_too_many_wrong_answers_end_the_session(client):
    officer = make_desk_officer("central-asia")
    old = with_old_codes(officer)
    login_staff(client, officer)

    for _ in range(REAUTHENTICATION_TRIES - 1):
        assert client.post(URL, {"password": "not the password"}).status_code == 200
    response = client.post(URL, {"password": "not the password"})

    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert "_auth_user_id" not in client.session
    assert client.post(URL, {"password": PASSWORD}).status_code == 302
    assert codes_of(officer) == backup_digests(officer, old)


def test_it_needs_a_verified_staff_login(client):
    officer = make_desk_officer("central-asia")
    client.force_login(officer)  # a password without the second factor
    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert codes_of(officer) == set()


def test_the_staff_pages_link_to_it(client):
    login_staff(client, make_desk_officer("central-asia"))
    assert f'href="{URL}"' in client.get("/admin/").content.decode()
