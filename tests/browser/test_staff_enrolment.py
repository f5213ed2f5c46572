"""A new staff member's first login, in Chromium: password only, then the authenticator enrolled from the
QR code the portal draws (read as an authenticator app does, from the otpauth address the page also
shows for typing), the backup codes saved, and a later login with one backup code.

At each step the main control is visible, of non-zero size and inside the viewport at 1024, 1280 and
1920 px, and axe-core finds nothing."""

import base64
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import Locator, Page, expect

from portal import roles
from tests.browser.axe import assert_no_axe_violations
from tests.browser.visibility import assert_usable_at_every_width
from tests.support.staff import PASSWORD, backup_digests, stored_backup_digests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_usable(page: Page, control: Locator) -> None:
    assert_usable_at_every_width(page, control)
    assert_no_axe_violations(page)


def code_from(uri: str) -> str:
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_new_staff_member_enrols_and_later_logs_in_with_a_backup_code(page: Page, live_server):
    newcomer = get_user_model().objects.create_user(username="newcomer", password=PASSWORD, is_staff=True)
    newcomer.groups.add(Group.objects.get(name=roles.INTAKE_OFFICER))
    base = live_server.url

    # The first login: no code yet.
    page.goto(f"{base}/admin/login/?next=/admin/")
    log_in_button = page.get_by_role("button", name="Log in", exact=True)
    assert_usable(page, log_in_button)
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    log_in_button.click()
    page.wait_for_url(f"{base}/admin/enrol/")

    # The QR code, drawn by the portal, and the same key as text.
    qr = page.locator("#enrol-qr svg")
    assert_usable(page, qr)
    uri = page.locator("#enrol-uri").inner_text().strip()
    assert uri.startswith("otpauth://totp/")
    confirm = page.get_by_role("button", name="Confirm")
    assert_usable(page, confirm)
    page.get_by_label("Code shown by the app").fill(code_from(uri))
    confirm.click()

    # The backup codes, shown once.
    codes = page.locator("#backup-codes li code")
    expect(codes).to_have_count(10)
    assert_usable(page, page.locator("#backup-codes"))
    saved = codes.all_inner_texts()
    assert backup_digests(newcomer, saved) == stored_backup_digests(newcomer)
    go_on = page.get_by_role("link", name="I have saved my codes: continue")
    assert_usable(page, go_on)
    go_on.click()
    page.wait_for_url(f"{base}/admin/")
    expect(page.locator("#user-tools")).to_contain_text("Welcome, newcomer.")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/admin/logout/")

    # A later login with a backup code in place of the six digits: once.
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("OTP Token").fill(saved[0])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"{base}/admin/")
    assert_usable(page, page.locator("#user-tools"))
    assert not backup_digests(newcomer, saved[:1]) & stored_backup_digests(newcomer)
    assert len(stored_backup_digests(newcomer)) == 9
