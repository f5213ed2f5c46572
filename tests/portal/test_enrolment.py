"""Staff accounts: strong passwords, one message for any failed login, self-service TOTP enrolment
at the first login with a QR code drawn by the portal, one-time backup codes, a Strict session cookie."""

import base64
import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import roles
from portal.models import AuditEvent
from tests.support.staff import (
    ADMIN_INDEX,
    LOGIN_URL,
    PASSWORD,
    backup_digests,
    make_intake_officer,
    stored_backup_digests,
    totp_seed,
    wrong_code,
)

pytestmark = pytest.mark.django_db

ENROL = "/admin/enrol/"
ONE_MESSAGE = "Please enter the correct username and password for a staff account."


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


@pytest.fixture
def newcomer():
    """A staff member an administrator has just created: a password, a role, no device yet."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="newcomer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.INTAKE_OFFICER))
    return user


def log_in(client, username, password=PASSWORD, code=None):
    data = {"username": username, "password": password, "next": ADMIN_INDEX}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN_URL, data)


def secret_from(page: str) -> str:
    """The key as an authenticator reads it: the otpauth address the page shows for manual entry."""
    uri = html.unescape(re.search(r'id="enrol-uri">([^<]+)<', page).group(1))
    assert uri.startswith("otpauth://totp/")
    return parse_qs(urlparse(uri).query)["secret"][0]


def code_for(secret: str) -> str:
    import base64

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_short_or_common_password_is_refused():
    for weak in ("passwordpassword", "Tr0ub4dor&3", "123456789012", "qwertyqwerty", "abcabcabcabc"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct horse battery staple 7")


def test_a_wrong_password_and_a_wrong_code_read_the_same(client):
    officer = make_intake_officer()
    wrong_password = log_in(client, officer.username, password="not the password").content.decode()
    wrong = log_in(client, officer.username, code=wrong_code(officer)).content.decode()
    missing = log_in(client, officer.username).content.decode()

    def errors(page):
        return re.findall(r'class="errornote">(.*?)</p>', page, re.S)

    assert errors(wrong_password) == errors(wrong) == errors(missing)
    assert ONE_MESSAGE in wrong_password


def test_the_staff_session_cookie_is_strict(client, newcomer):
    response = log_in(client, newcomer.username)
    assert response.cookies["sessionid"]["samesite"] == "Strict"


def test_a_newcomer_enrols_at_the_first_login_and_gets_backup_codes(client, newcomer):
    response = log_in(client, newcomer.username)
    assert response.status_code == 302 and response["Location"] == ENROL
    # Nothing else opens before the device is confirmed.
    assert client.get(ADMIN_INDEX)["Location"].startswith(LOGIN_URL)
    assert client.get("/admin/submissions/submission/")["Location"].startswith(LOGIN_URL)

    page = client.get(ENROL).content.decode()
    assert "<svg" in page and 'class="segno"' in page
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style=" not in page
    secret = secret_from(page)
    # The same key until it is confirmed: a reload does not change what was scanned.
    assert secret_from(client.get(ENROL).content.decode()) == secret

    done = client.post(ENROL, {"otp_token": code_for(secret)})

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert stored_backup_digests(newcomer) == backup_digests(newcomer, codes)
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed
    # What the server keeps opens with the password only: no code can be made from the device's own key.
    assert device.bin_key != base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert totp_seed(device) == base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert client.get(ADMIN_INDEX).status_code == 200
    assert AuditEvent.objects.filter(user=newcomer, action="enrolled").exists()
    # Enrolled: the page is closed, and no second device can be added this way.
    assert client.get(ENROL)["Location"] == ADMIN_INDEX


def test_a_wrong_code_confirms_nothing(client, newcomer):
    log_in(client, newcomer.username)
    secret = secret_from(client.get(ENROL).content.decode())
    wrong = "000000" if code_for(secret) != "000000" else "111111"

    response = client.post(ENROL, {"otp_token": wrong})

    assert response.status_code == 200 and "not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=newcomer).confirmed
    assert not StaticToken.objects.filter(device__user=newcomer).exists()
    assert client.get(ADMIN_INDEX).status_code == 302


def test_a_backup_code_logs_in_once(client, newcomer):
    log_in(client, newcomer.username)
    secret = secret_from(client.get(ENROL).content.decode())
    done = client.post(ENROL, {"otp_token": code_for(secret)}).content.decode()
    backup = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done)[0]
    client.post("/admin/logout/")

    first = log_in(client, newcomer.username, code=backup)
    assert first.status_code == 302 and first["Location"] == ADMIN_INDEX
    client.post("/admin/logout/")

    again = log_in(client, newcomer.username, code=backup)
    assert again.status_code == 200 and ONE_MESSAGE in again.content.decode()
    assert StaticToken.objects.filter(device__user=newcomer).count() == 9


def test_the_enrolment_page_needs_the_password_first(client):
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
