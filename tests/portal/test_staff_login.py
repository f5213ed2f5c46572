"""Staff log in with a password and a TOTP code; failed logins lock a user name; idle sessions end."""

import base64
import datetime
import io
import re

import pytest
import redis
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import roles
from submissions.models import Desk, Submission
from tests.support.staff import (
    ADMIN_INDEX,
    LOGIN_URL,
    PASSWORD,
    current_code,
    login_staff,
    make_intake_officer,
    post_login,
    totp_device,
    totp_seed,
    wrong_code,
)

pytestmark = pytest.mark.django_db

# Every failed login reads the same: a wrong password, a missing or wrong code (tests/portal/test_enrolment.py).
ONE_MESSAGE = "Please enter the correct username and password for a staff account."
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


def logged_in(client) -> bool:
    response = client.get(ADMIN_INDEX)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    return False


# --- The second factor ------------------------------------------------------------


def test_the_password_alone_does_not_open_the_admin(client):
    officer = make_intake_officer()

    response = post_login(client, username=officer.username, device=totp_device(officer))

    assert response.status_code == 200
    assert ONE_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not logged_in(client)


def test_a_wrong_code_does_not_open_the_admin(client):
    officer = make_intake_officer()

    response = post_login(client, username=officer.username, code=wrong_code(officer), device=totp_device(officer))

    assert response.status_code == 200
    assert ONE_MESSAGE in response.content.decode()
    assert not logged_in(client)


def test_the_right_code_with_a_wrong_password_does_not_open_the_admin(client):
    officer = make_intake_officer()
    device = totp_device(officer)

    response = post_login(
        client, username=officer.username, password="not the password", code=current_code(device), device=device
    )

    assert response.status_code == 200
    assert not logged_in(client)


def test_another_users_device_does_not_count(client):
    officer = make_intake_officer()
    other = make_intake_officer()
    device = totp_device(other)

    response = post_login(client, username=officer.username, code=current_code(device), device=device)

    assert response.status_code == 200
    assert not logged_in(client)


def test_the_password_and_the_current_code_open_the_admin(client):
    officer = make_intake_officer()

    login_staff(client, officer)

    assert logged_in(client)


def test_a_code_cannot_be_used_twice(client):
    officer = make_intake_officer()
    with time_machine.travel(START, tick=False):
        login_staff(client, officer)
        client.post("/admin/logout/")
        assert not logged_in(client)
        device = totp_device(officer)

        replayed = post_login(client, username=officer.username, code=current_code(device), device=device)

    assert replayed.status_code == 200
    assert not logged_in(client)


def test_the_admin_is_closed_to_a_session_without_the_second_factor(client):
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)

    client.force_login(superuser)

    assert not logged_in(client)


# --- Lockout after failed logins ------------------------------------------------------


def fail(client, username: str) -> int:
    return post_login(client, username=username, password="wrong password 123").status_code


def test_five_failed_logins_lock_the_user_name_even_for_the_right_password(client):
    officer = make_intake_officer()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        assert fail(client, officer.username) == 200, f"attempt {attempt} should only fail"
    assert fail(client, officer.username) == 429

    device = totp_device(officer)
    locked = post_login(client, username=officer.username, code=current_code(device), device=device)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert not logged_in(client)


def test_the_lockout_follows_the_user_name_not_the_address():
    officer = make_intake_officer()
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(Client(REMOTE_ADDR=f"198.51.100.{number + 1}"), officer.username)
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    device = totp_device(officer)

    response = post_login(elsewhere, username=officer.username, code=current_code(device), device=device)

    assert response.status_code == 429


def test_a_locked_out_user_name_does_not_lock_out_anyone_else(client):
    locked = make_intake_officer()
    colleague = make_intake_officer()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail(client, locked.username)

    login_staff(client, colleague)

    assert logged_in(client)


def test_a_successful_login_clears_earlier_failures(client):
    officer = make_intake_officer()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            fail(client, officer.username)
        login_staff(client, officer)
        client.post("/admin/logout/")
        traveller.shift(datetime.timedelta(seconds=30))

        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert fail(client, officer.username) == 200
        login_staff(client, officer)


# --- Sessions end after 30 idle minutes ------------------------------------------------


def session_expiry(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def redis_ttl(client) -> int:
    """Seconds the session has left in Redis, where the cached_db engine reads it first."""
    key = cache.make_key(SessionStore(client.session.session_key).cache_key)
    return redis.Redis.from_url(settings.REDIS_URL).ttl(key)


def test_the_staff_session_ends_after_30_idle_minutes_and_each_request_extends_it(client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    officer = make_intake_officer()
    minutes = datetime.timedelta(minutes=1)

    with time_machine.travel(START, tick=False) as traveller:
        login_staff(client, officer)
        assert session_expiry(client) == START + 30 * minutes
        assert 30 * 60 - 5 <= redis_ttl(client) <= 30 * 60

        traveller.shift(20 * minutes)
        response = client.get(ADMIN_INDEX)
        assert response.status_code == 200
        assert session_expiry(client) == START + 50 * minutes
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
        assert 30 * 60 - 5 <= redis_ttl(client) <= 30 * 60

        # Past the first half hour, but active: still in.
        traveller.shift(29 * minutes)
        assert logged_in(client)
        assert session_expiry(client) == START + 79 * minutes

        # Thirty-one idle minutes. Redis drops its copy by its own clock, which
        # does not travel with the test: drop it as Redis would.
        traveller.shift(31 * minutes)
        cache.delete(SessionStore(client.session.session_key).cache_key)
        assert not logged_in(client)


def test_a_session_is_saved_again_once_a_minute_at_most(client):
    """Requests within a minute of the session's last save leave it as it is (no write at every click);
    the first request after that moves its end to 30 minutes from then."""
    officer = make_intake_officer()
    seconds = datetime.timedelta(seconds=1)

    with time_machine.travel(START, tick=False) as traveller:
        login_staff(client, officer)
        assert client.get(ADMIN_INDEX).status_code == 200
        saved = session_expiry(client)
        assert saved == START + 30 * 60 * seconds

        traveller.shift(59 * seconds)
        response = client.get(ADMIN_INDEX)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert session_expiry(client) == saved

        traveller.shift(1 * seconds)
        response = client.get(ADMIN_INDEX)
        assert session_expiry(client) == START + (60 + 30 * 60) * seconds
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_a_visitor_without_a_session_gets_none(client):
    response = client.get("/submit/")

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


# --- Management commands ---------------------------------------------------------------


def test_totp_code_prints_the_current_code_of_a_user_after_their_password(monkeypatch):
    officer = make_intake_officer()
    output = io.StringIO()
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", "not the password")
    with pytest.raises(CommandError):  # the server alone cannot make a code
        call_command("totp_code", officer.username, stdout=output)
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", PASSWORD)

    with time_machine.travel(START, tick=False):
        call_command("totp_code", officer.username, stdout=output)
        expected = current_code(officer)

    assert output.getvalue().strip() == expected
    assert re.fullmatch(r"\d{6}", expected)


def test_totp_code_refuses_a_user_without_a_confirmed_device():
    officer = make_intake_officer()
    TOTPDevice.objects.filter(user=officer).update(confirmed=False)

    with pytest.raises(CommandError):
        call_command("totp_code", officer.username, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("totp_code", "nobody-here", stdout=io.StringIO())


ACCOUNT_LINE = re.compile(
    r"^\s+(?P<role>.+?)\s+user (?P<user>\S+)\s+password (?P<password>\S+)\s+TOTP secret (?P<secret>\S+)$"
)


@pytest.mark.slow  # the whole demo data set
def test_seed_demo_creates_one_account_per_role_each_with_a_confirmed_totp_device():
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    accounts = [match.groupdict() for line in output.getvalue().splitlines() if (match := ACCOUNT_LINE.match(line))]
    assert sorted(account["role"] for account in accounts) == sorted(roles.ROLE_PERMISSIONS)
    for account in accounts:
        user = get_user_model().objects.get(username=account["user"])
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [account["role"]]
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        assert base64.b32decode(account["secret"]) == totp_seed(device, account["password"])
        # As a newcomer does it: the printed password, and the code of an app given the printed secret.
        client = Client()
        code = TOTP(base64.b32decode(account["secret"])).token()
        response = post_login(
            client, username=user.username, password=account["password"], code=f"{code:06d}", device=device
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert logged_in(client)
    desk = get_user_model().objects.get(groups__name=roles.DESK_OFFICER)
    # The demo desk officer works on every desk, to see the demo cases of each.
    assert set(desk.desks.values_list("code", flat=True)) == set(Desk.objects.values_list("code", flat=True))
    assert "totp_code" in output.getvalue()
    assert Submission.objects.exists()


@pytest.mark.slow  # the whole demo data set, twice
def test_seed_demo_does_nothing_the_second_time():
    call_command("seed_demo", stdout=io.StringIO())
    users, cases = get_user_model().objects.count(), Submission.objects.count()
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    assert (get_user_model().objects.count(), Submission.objects.count()) == (users, cases)
    assert "password" not in output.getvalue()
    assert "already present" in output.getvalue()
