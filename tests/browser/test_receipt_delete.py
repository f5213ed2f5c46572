"""Two pages a person meets when a key decides: the source destroys their report from the receipt, and a
staff member whose browser lost the key to the session is told what to do, not shown a broken page.

Both in Chromium; the source's pages with JavaScript on and off (Tor Browser's safest level).
"""

import pytest
from playwright.sync_api import Page, expect

from portal import sealing
from submissions.models import Submission
from tests.browser.axe import assert_no_axe_violations
from tests.browser.receipts import log_in
from tests.browser.staff import log_in as staff_log_in
from tests.browser.visibility import assert_usable_at_every_width
from tests.support.staff import make_desk_officer, make_queued_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_limits")]


def open_report(page: Page, base_url: str, reference: str, passphrase: str) -> None:
    page.goto(base_url + "/receipt/")
    log_in(page, reference, passphrase)


def test_the_source_destroys_the_report_after_a_confirmation_and_the_receipt_then_opens_nothing(
    any_page, live_server, receipt
):
    page = any_page
    reference, passphrase = receipt
    open_report(page, live_server.url, reference, passphrase)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your report {reference}")

    ask = page.get_by_role("button", name="Delete this report", exact=True)
    assert_usable_at_every_width(page, ask)
    ask.click()
    page.wait_for_load_state()

    # A confirmation first: both answers in view at every width, the page accessible; nothing destroyed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this report?")
    confirm = page.get_by_role("button", name="Yes, destroy this report", exact=True)
    keep = page.get_by_role("link", name="No, keep it", exact=True)
    assert_usable_at_every_width(page, confirm, keep)
    assert_no_axe_violations(page)
    assert Submission.objects.get(reference=reference).shredded_at is None

    # "No" leads back to the report, unchanged.
    keep.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your report {reference}")
    assert Submission.objects.get(reference=reference).shredded_at is None

    page.get_by_role("button", name="Delete this report", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Yes, destroy this report", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("The report is destroyed")
    assert_no_axe_violations(page)

    submission = Submission.objects.get(reference=reference)
    assert submission.shredded_at is not None
    assert submission.case_key.destroyed_at is not None

    # The session ended with it, and the receipt opens nothing any more.
    page.goto(live_server.url + "/receipt/case/")
    expect(page).to_have_url(live_server.url + "/receipt/")
    open_report(page, live_server.url, reference, passphrase)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow up your report")


def test_a_staff_session_without_the_key_in_its_cookie_is_told_to_log_in_again(page: Page, live_server):
    officer = make_desk_officer("central-asia")
    case = make_queued_submission(country="KZ")
    staff_log_in(page, live_server.url, officer)
    change = f"{live_server.url}/admin/submissions/submission/{case.pk}/change/"
    assert page.goto(change).status == 200

    # The cookie that holds the key to the session's keyring is gone (cleared by the person, or another
    # browser with the same session): the session alone opens nothing.
    cookies = page.context.cookies()
    assert any(cookie["name"] == sealing.KEY_COOKIE for cookie in cookies)
    page.context.clear_cookies()
    page.context.add_cookies([cookie for cookie in cookies if cookie["name"] != sealing.KEY_COOKIE])

    response = page.goto(change)
    assert response.status == 403
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("This page needs your key")
    assert_usable_at_every_width(page, page.get_by_text("Log out and log in again", exact=False))
    assert_no_axe_violations(page)
    assert case.description not in page.content()
