"""A staff member makes new backup codes in Chromium: the link beside "Change password", the password
typed again (the page also read in French through the language switch), ten new codes shown once, and
the old ones refused at the next login.

At each step the main control is visible, of non-zero size and inside the viewport at 1024, 1280 and
1920 px, and axe-core finds nothing."""

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.staff import log_in
from tests.browser.visibility import assert_usable_at_every_width
from tests.support.staff import (
    PASSWORD,
    backup_digests,
    give_backup_codes,
    make_desk_officer,
    stored_backup_digests,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_usable(page: Page, control: Locator) -> None:
    assert_usable_at_every_width(page, control)
    assert_no_axe_violations(page)


def test_a_staff_member_makes_new_backup_codes(page: Page, live_server):
    officer = make_desk_officer("central-asia")
    give_backup_codes(officer, ["oldcode1"])
    old = stored_backup_digests(officer)
    base = live_server.url
    log_in(page, base, officer)

    link = page.locator("#user-tools").get_by_role("link", name="Backup codes")
    assert_usable(page, link)
    link.click()
    page.wait_for_url(f"{base}/admin/backup-codes/")

    # A wrong password: told so, nothing made.
    make = page.get_by_role("button", name="Make new backup codes")
    assert_usable(page, make)
    page.get_by_label("Your password").fill("not my password at all")
    make.click()
    error = page.locator("#backup-codes-error")
    expect(error).to_contain_text("This password or code is not right.")
    assert_usable(page, error)
    assert stored_backup_digests(officer) == old

    # The page in French, from the switch at its foot; then back to English.
    switch = page.get_by_label("Language of the staff pages")
    assert_usable(page, switch)
    switch.select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"{base}/admin/backup-codes/")
    french = page.get_by_role("button", name="Créer de nouveaux codes de secours")
    assert_usable(page, french)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Langue des pages du personnel").select_option("en")
    page.get_by_role("button", name="Changer de langue").click()
    page.wait_for_url(f"{base}/admin/backup-codes/")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Make new backup codes").click()
    codes = page.locator("#backup-codes li code")
    expect(codes).to_have_count(10)
    assert_usable(page, page.locator("#backup-codes"))
    saved = codes.all_inner_texts()
    assert backup_digests(officer, saved) == stored_backup_digests(officer)
    go_on = page.get_by_role("link", name="I have saved my codes: continue")
    assert_usable(page, go_on)
    go_on.click()
    page.wait_for_url(f"{base}/admin/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/admin/logout/")

    # A new code logs in (once); the old one no longer exists.
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("OTP Token").fill(saved[0])
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"{base}/admin/")
    assert not backup_digests(officer, ["oldcode1", saved[0]]) & stored_backup_digests(officer)
